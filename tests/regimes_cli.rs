//! `prism limit` and `prism prism` from the outside (the binary).

use serde_json::Value;

mod common;
use common::prism;

#[test]
fn limit_json_from_face_and_constants() {
    let (code, out, err) = prism(&[
        "limit",
        "--face",
        "large-data+mean-field",
        "--set",
        "c=0.3",
        "--json",
        "--points",
        "4",
        "--series",
        "3",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["face"], "large-data+mean-field");
    assert_eq!(v["time_variable"], "t");
    assert_eq!(v["train"]["quantity"], "l_tr");
    assert_eq!(v["pop"]["quantity"], "l_pop");
    assert_eq!(v["train"]["t"].as_array().unwrap().len(), 5);
    // (1/2)(1 - m_{4t}(c))^2 at t = 0 is (1/2)(0.7)^2.
    let v0 = v["train"]["value"][0].as_f64().unwrap();
    assert!((v0 - 0.245).abs() < 1e-14);
    assert_eq!(v["series"]["train"][0], "1/2*c^2 - c + 1/2");
    assert_eq!(v["series"]["train"].as_array().unwrap().len(), 4);
    insta::assert_json_snapshot!("limit_e2_json", v);
}

#[test]
fn limit_from_spec_with_verify() {
    let spec = "p = n; H = 8; sigma2 = 0.5 n^-1; N = 2 n";
    let (code, out, err) = prism(&["limit", spec, "--verify", "--series", "4", "--points", "2"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("narrow-latent (F3"), "{out}");
    assert!(out.contains("q = 0.5, y = 0.5"), "{out}");
    assert!(out.contains("(l_tr - l_tr(0))/r"));
    assert!(out.contains("CONFIRMED"), "{out}");
}

#[test]
fn limit_small_data_csv_and_latex() {
    let (code, out, err) = prism(&[
        "limit", "--face", "F5", "--set", "q=2", "--set", "r=0.25", "--csv", "--points", "4",
    ]);
    assert_eq!(code, 0, "{err}");
    let mut lines = out.lines();
    assert_eq!(
        lines.next().unwrap(),
        "source,face,n,run,seed,loss,quantity,t,tau,value,stderr"
    );
    assert_eq!(out.lines().count(), 1 + 2 * 5);
    let (code, out, _) = prism(&[
        "limit",
        "--face",
        "small-data",
        "--set",
        "q=2",
        "--set",
        "r=0.25",
        "--format",
        "latex",
        "--series",
        "1",
        "--points",
        "1",
    ]);
    assert_eq!(code, 0);
    assert!(out.contains("\\frac{1}{2}"), "{out}");
}

#[test]
fn limit_interior_and_explain() {
    let spec = "p = n; H = 0.5 n; sigma2 = n^-1; N = 2 n";
    let (code, out, err) = prism(&["limit", spec, "--series", "2"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("exact curve") && out.contains("NONE:"),
        "{out}"
    );
    assert!(out.contains("no limit curve"), "{out}");
    assert!(out.contains("c_2 = "), "{out}");
    let (code, out, _) = prism(&["limit", "--explain", "small-data"]);
    assert_eq!(code, 0);
    assert!(out.contains("Jacobi") && out.contains("Riccati"));
    let (code, out, _) = prism(&["limit", "--explain", "free"]);
    assert_eq!(code, 0);
    assert!(out.contains("NO CLOSED FORM IS KNOWN"));
}

#[test]
fn limit_user_errors() {
    let (code, _, err) = prism(&["limit", "--face", "no-such-face"]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown face"), "{err}");
    let (code, _, err) = prism(&["limit", "--face", "mean-field", "--set", "c=0.5"]);
    assert_eq!(code, 2);
    assert!(err.contains("needs the constant `y`"), "{err}");
    let (code, _, _) = prism(&[
        "limit",
        "--face",
        "mean-field",
        "--set",
        "c=-1",
        "--set",
        "y=1",
    ]);
    assert_eq!(code, 2);
    let (code, _, _) = prism(&["limit"]);
    assert_eq!(code, 2);
}

#[test]
fn prism_drawing() {
    let dir = std::env::temp_dir().join(format!("prism_regimes_cli_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("prism.svg");
    let (code, out, err) = prism(&[
        "prism",
        "p = n; H = n^2; sigma2 = 0.5 n^-2; N = n",
        "--plot",
        path.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("=> F2   mean-field"), "{out}");
    let svg = std::fs::read_to_string(&path).unwrap();
    assert!(svg.contains("<svg") && svg.contains("mean-field (F2"));
    let plot = dir.join("f1.svg");
    let (code, _, err) = prism(&[
        "limit",
        "--face",
        "large-data",
        "--set",
        "q=1",
        "--set",
        "r=0.5",
        "--plot",
        plot.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(std::fs::read_to_string(&plot).unwrap().contains("<svg"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn limit_runs_on_every_face() {
    for name in [
        "proportional",
        "large-data",
        "mean-field",
        "narrow-latent",
        "free",
        "small-data",
        "large-data+narrow-latent",
        "large-data+mean-field",
        "large-data+free",
        "small-data+narrow-latent",
        "small-data+mean-field",
        "small-data+free",
        "narrow-latent+mean-field",
        "narrow-latent+free",
        "mean-field+free",
        "large-data+narrow-latent+mean-field",
        "large-data+narrow-latent+free",
        "large-data+mean-field+free",
        "small-data+narrow-latent+mean-field",
        "small-data+narrow-latent+free",
        "small-data+mean-field+free",
    ] {
        let (code, out, err) = prism(&[
            "limit",
            "--face",
            name,
            "--set",
            "q=0.8",
            "--set",
            "r=0.6",
            "--set",
            "c=0.4",
            "--set",
            "y=0.5",
            "--json",
            "--points",
            "3",
            "--series",
            "2",
            "--free-sizes",
            "16,32",
            "--free-seeds",
            "4",
        ]);
        assert_eq!(code, 0, "{name}: {err}");
        let v: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["face"], name);
        assert_eq!(v["series"]["train"].as_array().unwrap().len(), 3, "{name}");
        if name != "proportional" {
            let vals = v["train"]["value"].as_array().unwrap();
            assert_eq!(vals.len(), 4, "{name}");
            assert!(vals.iter().all(|x| x.as_f64().unwrap().is_finite()));
        }
    }
}
