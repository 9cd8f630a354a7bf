//! The binary: classify, faces, demo, and user errors.

use std::process::Command;

mod common;
use common::prism;

#[test]
fn classify_json_has_the_contract_fields() {
    let (code, out, err) = prism(&[
        "classify",
        "--json",
        "p = n; H = 0.5 n^(1/2); sigma2 = 2*n^-1; N = inf",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    // u = (1/2 - 1, -1 + 1, -inf): r -> 0, q finite, alpha = inf.
    assert_eq!(v["face"], "large-data+narrow-latent");
    assert_eq!(v["face_dim"], 1);
    assert_eq!(v["time_exponent"], "0");
    assert_eq!(v["train_loss_exponent"], "-1/2");
    assert_eq!(v["pop_loss_exponent"], "-1/2");
    assert_eq!(v["u"], serde_json::json!(["-1/2", "0", "-inf"]));
}

#[test]
fn classify_reads_files_and_stdin() {
    let (code, out, _) = prism(&["classify", "-f", "examples/mean-field.spec"]);
    assert_eq!(code, 0);
    assert!(out.contains("mean-field"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_prism"))
        .args(["classify", "--json", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"p = n\nH = n\nsigma = n^(-3/4)\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // sigma2 = n^(-3/2): u = (0, -1/2, -inf) -> the linear vertex at alpha = inf.
    assert_eq!(v["face"], "large-data+narrow-latent+mean-field");
    assert_eq!(v["n_defaulted"], true);
}

#[test]
fn bad_specs_exit_2_with_position_and_hint() {
    for (spec, needle) in [
        ("p = n; H = n^1/2; sigma2 = 1", "column 15"),
        (
            "p = n; H = n; sigma2 = 1; sigma = 2",
            "both `sigma` and `sigma2`",
        ),
        ("p = n^0; H = n; sigma2 = 1", "p must grow"),
        ("p = n; H = n", "`sigma2` is required"),
        ("p = n; P = n", "did you mean `p`"),
        ("p = n; H = n^-1; sigma2 = 1", "must not shrink"),
    ] {
        let (code, out, err) = prism(&["classify", spec]);
        assert_eq!(code, 2, "{spec}");
        assert!(out.is_empty());
        assert!(err.contains(needle), "{spec}: {err}");
        assert!(err.contains("hint:"), "{spec}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

#[test]
fn faces_lists_all_21() {
    let (code, out, _) = prism(&["faces", "--json"]);
    assert_eq!(code, 0);
    let v: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    assert_eq!(v.len(), 21);
    let dims: Vec<u64> = v.iter().map(|f| f["face_dim"].as_u64().unwrap()).collect();
    assert_eq!(dims.iter().filter(|&&d| d == 0).count(), 6);
    assert_eq!(dims.iter().filter(|&&d| d == 1).count(), 9);
    assert_eq!(dims.iter().filter(|&&d| d == 2).count(), 5);
    assert_eq!(v[20]["face"], "proportional");
}

#[test]
fn demo_runs() {
    let (code, out, err) = prism(&["demo"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("mean-field") && out.contains("small-data"));
}

#[test]
fn dash_o_writes_the_output_to_a_file() {
    let dir = std::env::temp_dir().join(format!("prism-o-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let spec = "p = n; H = n^2; sigma2 = n^-2";
    let cases: [(&str, Vec<&str>); 5] = [
        ("classify.json", vec!["classify", "--json", spec]),
        ("faces.txt", vec!["faces"]),
        ("limit.csv", vec!["limit", spec, "--csv", "--points", "4"]),
        ("expand.txt", vec!["expand", "--order", "2", "--leading"]),
        ("prism.txt", vec!["prism", "--face", "E4"]),
    ];
    for (name, args) in cases {
        let path = dir.join(name);
        let mut args = args.clone();
        let p = path.to_str().unwrap().to_string();
        args.extend(["-o", &p]);
        let (code, out, err) = prism(&args);
        assert_eq!(code, 0, "{args:?}: {err}");
        assert!(out.is_empty(), "{args:?} printed {out}");
        let (code2, direct, _) = prism(&args[..args.len() - 2]);
        assert_eq!(code2, 0);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), direct, "{args:?}");
    }
    let (code, _, err) = prism(&["faces", "-o", "/nonexistent-dir/x.txt"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("cannot write /nonexistent-dir/x.txt"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
