//! The theory-against-simulation commands, end to end through the binary.

mod common;
use common::prism;

#[test]
fn claims_quick_passes() {
    let dir = std::env::temp_dir().join(format!("prism-claims-{}", std::process::id()));
    let (code, out, err) = prism(&["claims", "--quick", "-o", dir.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}\n{err}");
    for k in 1..=4 {
        assert!(out.contains(&format!("claim {k}:")), "{out}");
    }
    assert_eq!(out.matches("PASS").count(), 4, "{out}");
    let report = std::fs::read_to_string(dir.join("report.md")).unwrap();
    assert!(report.contains("## Claim 3") && report.contains("no closed form"));
    for fig in [
        "check-large-data.svg",
        "check-small-data.svg",
        "check-mean-field.svg",
        "check-narrow-latent.svg",
    ] {
        let svg = std::fs::read_to_string(dir.join(fig)).unwrap();
        assert!(svg.starts_with("<svg"), "{fig}");
        assert!(report.contains(fig));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn check_json_contract_and_verdict() {
    let (code, out, err) = prism(&[
        "check",
        "--json",
        "-f",
        "examples/check/mean-field.spec",
        "--n",
        "128,256,512,1024",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["face"], "mean-field");
    assert_eq!(
        v["verdict"],
        "agrees",
        "{}",
        serde_json::to_string_pretty(&v["losses"]).unwrap()
    );
    let losses = v["losses"].as_array().unwrap();
    assert_eq!(losses.len(), 2);
    for l in losses {
        let errs = l["errors"].as_array().unwrap();
        assert_eq!(errs.len(), 4);
        for e in errs {
            for k in ["n", "sup", "sup_se", "l2", "l2_se"] {
                assert!(e[k].is_number(), "{k}");
            }
        }
    }
    assert!(err.contains("[check]"), "progress goes to stderr");
}

#[test]
fn a_wrong_formula_claim_is_false() {
    let (code, out, _) = prism(&[
        "check-claims",
        "examples/claims/wrong-formula.claims",
        "--n",
        "64,128,256",
        "--seeds",
        "8",
    ]);
    assert_eq!(code, 1, "{out}");
    let false_lines: Vec<&str> = out.lines().filter(|l| l.starts_with("FALSE")).collect();
    assert_eq!(false_lines.len(), 1, "{out}");
    assert!(false_lines[0].contains("formula = large-data"));
    assert!(out.contains("disagrees"));
}

#[test]
fn true_claims_hold() {
    let (code, out, err) = prism(&[
        "check-claims",
        "examples/claims/mean-field.claims",
        "--n",
        "128,256,512,1024",
    ]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("6 of 6 claims hold"));
}

#[test]
fn bad_claims_are_positioned() {
    let dir = std::env::temp_dir().join(format!("prism-bad-claims-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("bad.claims");
    std::fs::write(&f, "p = n; H = n; sigma2 = 1\nexpect face = banana\n").unwrap();
    let (code, _, err) = prism(&["check-claims", f.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("line 2") && err.contains("hint"), "{err}");
    std::fs::write(
        &f,
        "p = n; H = n; sigma2 = 1\nexpect series train order 1 = \"2*z\"\n",
    )
    .unwrap();
    let (code, out, _) = prism(&["check-claims", f.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(out.contains("cannot read the claimed polynomial"), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn oversize_checks_are_refused_with_an_estimate() {
    let (code, _, err) = prism(&[
        "check",
        "p = n; H = n; sigma2 = n^-1; N = 2 n",
        "--n",
        "4096,8192",
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("floating-point operations") && err.contains("smaller --n"),
        "{err}"
    );
}

/// `check --csv`: the tidy schema of `simulate --csv` / `limit --csv`, limit rows then each
/// size's means on the face-time grid.
#[test]
fn check_csv_is_tidy() {
    let (_, out, err) = prism(&[
        "check",
        "--csv",
        "-f",
        "examples/check/mean-field.spec",
        "--n",
        "64,128",
        "--seeds",
        "2",
        "--points",
        "4",
    ]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines.first().copied(),
        Some("source,face,n,run,seed,loss,quantity,t,tau,value,stderr"),
        "{err}"
    );
    let limit = lines.iter().filter(|l| l.starts_with("limit,mean-field,")).count();
    let sim64 = lines.iter().filter(|l| l.starts_with("sim,mean-field,64,mean,")).count();
    let sim128 = lines.iter().filter(|l| l.starts_with("sim,mean-field,128,mean,")).count();
    assert_eq!((limit, sim64, sim128), (10, 10, 10), "{out}");
    assert_eq!(lines.len(), 31);
}
