//! `prism expand` end to end: JSON shape, agreement with the library, refusals.

use prism::expansion::{full_coefficients, leading_coefficients};
use prism::polytope::Loss;
use std::process::Command;

fn prism(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_prism"))
        .args(args)
        .output()
        .expect("run prism")
}

#[test]
fn json_matches_the_library() {
    let out = prism(&["expand", "--order", "2", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let arr = v.as_array().unwrap();
    assert_eq!(arr.len(), 6);
    for loss in [Loss::Train, Loss::Pop] {
        let lib = full_coefficients(2, loss, None).unwrap();
        for (s, poly) in lib.iter().enumerate() {
            let obj = arr
                .iter()
                .find(|o| o["order"] == s && o["loss"] == loss.name())
                .unwrap();
            let terms = obj["terms"].as_array().unwrap();
            assert_eq!(terms.len(), poly.len());
            for t in terms {
                let e = vec![
                    t["p"].as_i64().unwrap() as i32,
                    t["H"].as_i64().unwrap() as i32,
                    t["sigma2"].as_i64().unwrap() as i32,
                    t["N"].as_i64().unwrap() as i32,
                ];
                assert!(e[3] <= 0);
                assert_eq!(poly.coeff(&e).to_string(), t["coeff"].as_str().unwrap());
            }
        }
    }
}

#[test]
fn leading_json_is_the_g0_part_in_raw_monomials() {
    let out = prism(&[
        "expand",
        "--order",
        "3",
        "--leading",
        "--loss",
        "pop",
        "--json",
    ]);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let lead = leading_coefficients(3, Loss::Pop).unwrap();
    for obj in v.as_array().unwrap() {
        let s = obj["order"].as_u64().unwrap() as usize;
        assert_eq!(obj["part"], "leading");
        let terms = obj["terms"].as_array().unwrap();
        assert_eq!(terms.len(), lead[s].len());
        for t in terms {
            let (a, b, c, d) = (
                t["p"].as_i64().unwrap(),
                t["H"].as_i64().unwrap(),
                t["sigma2"].as_i64().unwrap(),
                -t["N"].as_i64().unwrap(),
            );
            // g = C + D - a - B = 0 and (k, j, l) = (B, C, D)
            assert_eq!(c + d - a - b, 0);
            let k = vec![b as i32, c as i32, d as i32];
            assert_eq!(lead[s].coeff(&k).to_string(), t["coeff"].as_str().unwrap());
        }
    }
}

#[test]
fn text_formats_and_refusal() {
    let out = prism(&[
        "expand", "--order", "0", "--loss", "train", "--format", "sympy",
    ]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("c_0 = Rational(1, 2)*p*H*sigma2**2"),
        "{text}"
    );
    let out = prism(&["expand", "--order", "40"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("refused") && err.contains("estimated"),
        "{err}"
    );
}
