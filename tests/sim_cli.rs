//! The `prism simulate` command: output contracts, files, the SPEC form and user errors.

mod common;
use common::prism;

const SMALL: [&str; 13] = [
    "simulate", "--p", "40", "--H", "20", "--sigma2", "0.025", "--N", "60", "--t-max", "1",
    "--record", "4",
];

#[test]
fn json_contract() {
    let mut args = SMALL.to_vec();
    args.extend(["--seeds", "3", "--seed", "5", "--json"]);
    let (code, out, err) = prism(&args);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    for key in ["t", "train_mean", "train_sem", "pop_mean", "pop_sem"] {
        let a = v[key].as_array().unwrap_or_else(|| panic!("{key}"));
        assert_eq!(a.len(), 5, "{key}");
        assert!(a.iter().all(|x| x.as_f64().unwrap().is_finite()));
    }
    assert_eq!(v["t"][4], 1.0);
    let m = &v["meta"];
    assert_eq!(m["p"], 40);
    assert_eq!(m["H"], 20);
    assert_eq!(m["N"], 60);
    assert_eq!(m["sigma2"], 0.025);
    assert_eq!(m["seed"], 5);
    assert_eq!(m["seeds"], 3);
    assert_eq!(m["dt"], 0.01);
    assert!(m["rng"].as_str().unwrap().contains("ChaCha8"));
    assert_eq!(m["version"], env!("CARGO_PKG_VERSION"));
    // The same command gives the same bytes (determinism end to end).
    let (_, out2, _) = prism(&args);
    assert_eq!(out, out2);
    let mut meta = m.clone();
    meta["flops_per_step"] = serde_json::json!("(not snapshotted)");
    insta::assert_json_snapshot!("simulate_meta", meta);
}

#[test]
fn csv_is_tidy() {
    let mut args = SMALL.to_vec();
    args.extend(["--seeds", "2", "--csv"]);
    let (code, out, err) = prism(&args);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        "source,face,n,run,seed,loss,quantity,t,tau,value,stderr"
    );
    // 2 runs x 5 times x 2 losses + 5 times x 2 losses (mean rows with their sem).
    assert_eq!(lines.len(), 1 + 20 + 10);
    assert!(lines.iter().skip(1).all(|l| l.split(',').count() == 11));
    assert!(lines
        .iter()
        .any(|l| l.starts_with("sim,,,1,1,train,\"l_tr\",0,,")));
    assert!(lines
        .iter()
        .any(|l| l.starts_with("sim,,,mean,,pop,\"l_pop\",1,,") && !l.ends_with(',')));
}

/// A SPEC simulation's normalized rows and the face's limit rows share face, loss, quantity
/// and the face-time column tau, so they overlay without conversion.
#[test]
fn csv_overlays_the_limit() {
    let spec = "p = n; H = 0.5 n; sigma2 = n^-2; N = 4 n";
    let (code, sim, err) = prism(&[
        "simulate", spec, "--n", "40", "--seeds", "2", "--record", "2", "--csv",
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, lim, err) = prism(&["limit", spec, "--points", "2", "--csv"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(sim.lines().next(), lim.lines().next());
    let key = |l: &str| {
        let f: Vec<&str> = l.split(',').collect();
        (f[1].to_string(), f[5].to_string(), f[6].to_string())
    };
    let lim_keys: std::collections::BTreeSet<_> = lim.lines().skip(1).map(key).collect();
    assert_eq!(lim_keys.len(), 2, "{lim}");
    for k in &lim_keys {
        assert!(
            sim.lines()
                .skip(1)
                .any(|l| key(l) == *k && l.contains(",mean,")),
            "{k:?} missing in\n{sim}"
        );
    }
}

#[test]
fn out_dir_and_plot() {
    let dir = std::env::temp_dir().join(format!("prism-sim-cli-{}", std::process::id()));
    let svg = dir.join("plot.svg");
    let mut args = SMALL.to_vec();
    let (d, s) = (
        dir.to_str().unwrap().to_string(),
        svg.to_str().unwrap().to_string(),
    );
    args.extend(["--seeds", "2", "-o", &d, "--plot", &s]);
    let (code, _, err) = prism(&args);
    assert_eq!(code, 0, "{err}");
    let meta: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("meta.json")).unwrap()).unwrap();
    assert_eq!(meta["p"], 40);
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["t"].as_array().unwrap().len(), 5);
    let csv = std::fs::read_to_string(dir.join("curves.csv")).unwrap();
    assert!(csv.starts_with("source,face,n,run,seed,loss,quantity,t,tau,value,stderr\n"));
    let svg_text = std::fs::read_to_string(&svg).unwrap();
    assert!(svg_text.contains("<svg") && svg_text.contains("polyline"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn spec_form_reports_normalized_changes() {
    let (code, out, err) = prism(&[
        "simulate",
        "p = n; H = 0.5 n; sigma2 = 0.5 n^-1; N = 2 n",
        "--n",
        "60",
        "--record",
        "2",
        "--seeds",
        "2",
        "--json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["meta"]["p"], 60);
    assert_eq!(v["meta"]["H"], 30);
    assert_eq!(v["meta"]["N"], 120);
    assert_eq!(v["meta"]["spec"]["face"], "proportional");
    assert_eq!(v["tau"].as_array().unwrap().len(), 3);
    // Interior: tau = t and the normalized losses are the losses themselves, estimated with the
    // exact-c0 control variate l(t) - l(0) + E l(0) (the estimator of `prism check`): at t = 0
    // the exact c_0, and a constant shift c_0 - mean l(0) from the plain mean.
    assert_eq!(v["tau"], v["t"]);
    let (p, h, s2) = (60.0, 30.0, 0.5 / 60.0);
    let c0 = 0.5 - s2 * h + 0.5 * s2 * s2 * h * (h + p + 1.0);
    let f = |k: &str, i: usize| v[k][i].as_f64().unwrap();
    assert!((f("train_norm_mean", 0) - c0).abs() < 1e-12);
    for i in 0..3 {
        let shift = f("train_norm_mean", i) - f("train_mean", i);
        assert!((shift - (c0 - f("train_mean", 0))).abs() < 1e-12, "{i}");
    }
    assert_eq!(v["meta"]["spec"]["train_norm"], "l(t) / (r^0 q^0 y^0)");
    // Small data: tau = t p / N and the population change is divided by alpha.
    let (code, out, err) = prism(&[
        "simulate",
        "p = n; H = 0.25 n; sigma2 = 2 n^-1; N = 5",
        "--n",
        "100",
        "--record",
        "2",
        "--seeds",
        "2",
        "--json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["meta"]["spec"]["face"], "small-data");
    assert_eq!(v["tau"][2], 1.0);
    assert!((v["t"][2].as_f64().unwrap() - 0.05).abs() < 1e-15);
    assert_eq!(v["pop_norm_mean"][0], 0.0);
    let dpop = v["pop_mean"][2].as_f64().unwrap() - v["pop_mean"][0].as_f64().unwrap();
    assert!((v["pop_norm_mean"][2].as_f64().unwrap() - dpop * 20.0).abs() < 1e-9);
    // Rounding is reported.
    let (code, _, err) = prism(&[
        "simulate",
        "p = n; H = 0.3 n; sigma2 = n^-1",
        "--n",
        "25",
        "--record",
        "1",
        "--seeds",
        "1",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("H = 7.5 rounded to 8"), "{err}");
}

#[test]
fn user_errors_exit_2() {
    let (code, _, err) = prism(&["simulate", "--p", "10", "--H", "5", "--t-max", "1"]);
    assert_eq!(code, 2);
    assert!(err.contains("--sigma2"), "{err}");
    let (code, _, err) = prism(&[
        "simulate", "--p", "10", "--H", "5", "--sigma2", "0.1", "--t-max", "1", "--N", "many",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("--N"), "{err}");
    let (code, _, err) = prism(&["simulate", "p = n; H = n; sigma2 = n^-1"]);
    assert_eq!(code, 2);
    assert!(err.contains("--n"), "{err}");
    let (code, out, err) = prism(&[
        "simulate", "--p", "40", "--H", "20", "--sigma2", "0.05", "--t-max", "20", "--dt", "2",
        "--record", "2",
    ]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(err.contains("diverged") && err.contains("dt = "), "{err}");
}

/// `--spectrum LAW` (explicit form) and `spectrum = LAW` (SPEC form, `file(...)` relative to the
/// spec file): the covariance is used, m_1 and the scale identity are stated on stderr and in
/// the JSON; the old `--spectrum bidiagonal|dense` still selects the sampler; bad laws and
/// files exit 2 with a position or line and a hint.
#[test]
fn covariance_spectrum_flag_and_statement() {
    let mut args = SMALL.to_vec();
    args.extend([
        "--seeds",
        "3",
        "--json",
        "--spectrum",
        "atoms(1: 1/2, 3: 1/2)",
    ]);
    let (code, out, err) = prism(&args);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("m_1 = tr(Sigma)/p = 2.000000"), "{err}");
    assert!(err.contains("L(t; c Sigma) = c L(c t; Sigma)"), "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let m = &v["meta"];
    assert_eq!(m["spectrum"], "atoms(1: 1/2, 3: 1/2)");
    assert_eq!(m["covariance"]["m1"], 2.0);
    assert_eq!(m["covariance"]["m2"], 5.0);
    assert!(m["engine"].as_str().unwrap().contains("Sigma"));
    assert!(m["losses"].as_str().unwrap().contains("Sigma"));
    // E l(0) = m_1 c_0: twice the isotropic value on average.
    let mut iso = SMALL.to_vec();
    iso.extend(["--seeds", "3", "--json"]);
    let (_, out_iso, _) = prism(&iso);
    let vi: serde_json::Value = serde_json::from_str(&out_iso).unwrap();
    let ratio = v["train_mean"][0].as_f64().unwrap() / vi["train_mean"][0].as_f64().unwrap();
    assert!((ratio - 2.0).abs() < 0.15, "{ratio}");

    // The deprecated spelling of --sampler.
    let mut old = SMALL.to_vec();
    old.extend(["--seeds", "2", "--json", "--spectrum", "dense"]);
    let (code, out, err) = prism(&old);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("deprecated"), "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["meta"]["sampler"], "dense");
    assert_eq!(v["meta"]["spectrum"], "identity");
    let mut new = SMALL.to_vec();
    new.extend(["--seeds", "2", "--json", "--sampler", "dense"]);
    let (_, out_new, _) = prism(&new);
    assert_eq!(out, out_new);

    // Bad laws: positioned errors with hints.
    for (law, want) in [
        ("atoms(1: 1/2, 3: 1/4)", "sum to 3/4"),
        ("powerlaw(2)", "column 10"),
        ("unifrm(0, 2)", "unknown spectral law"),
        (
            "file(\"/nonexistent/eigs.txt\")",
            "cannot read the eigenvalue file",
        ),
    ] {
        let mut a = SMALL.to_vec();
        a.extend(["--spectrum", law]);
        let (code, _, err) = prism(&a);
        assert_eq!(code, 2, "{law}: {err}");
        assert!(err.contains(want) && err.contains("hint"), "{law}: {err}");
    }

    // SPEC form: file(...) relative to the spec file's directory.
    let dir = std::env::temp_dir().join(format!("prism-sim-eigs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("eigs.txt"), "# PCA\n0.5\n1.5\n").unwrap();
    std::fs::write(dir.join("bad.txt"), "0.5\n\nminus one\n").unwrap();
    let spec = "p = n; H = 0.5 n; sigma2 = n^-1; N = 2 n\nspectrum = file(\"eigs.txt\")\n";
    std::fs::write(dir.join("spec.txt"), spec).unwrap();
    std::fs::write(
        dir.join("bad_spec.txt"),
        spec.replace("eigs.txt", "bad.txt"),
    )
    .unwrap();
    let f = dir.join("spec.txt");
    let (code, out, err) = prism(&[
        "simulate",
        "-f",
        f.to_str().unwrap(),
        "--n",
        "40",
        "--points",
        "2",
        "--seeds",
        "2",
        "--json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["meta"]["spectrum"], "file(\"eigs.txt\")");
    assert_eq!(v["meta"]["covariance"]["m2"], 1.25);
    let bad = dir.join("bad_spec.txt");
    let (code, _, err) = prism(&["simulate", "-f", bad.to_str().unwrap(), "--n", "40"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("line 3") && err.contains("hint"), "{err}");
    // --spectrum with a SPEC is refused (the SPEC's statement gives the law).
    let (code, _, err) = prism(&[
        "simulate",
        "-f",
        f.to_str().unwrap(),
        "--n",
        "40",
        "--spectrum",
        "uniform(0, 2)",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("explicit form"), "{err}");
    // The prism drawing takes the spec's spectrum too: a file law read relative to the spec
    // file, stated in the text and the figure.
    let svg = dir.join("prism.svg");
    let (code, out, err) = prism(&[
        "prism",
        "-f",
        f.to_str().unwrap(),
        "--plot",
        svg.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("spectrum file(\"eigs.txt\")"), "{out}");
    assert!(
        std::fs::read_to_string(&svg)
            .unwrap()
            .contains("spectrum = file(&quot;eigs.txt&quot;)")
            || std::fs::read_to_string(&svg)
                .unwrap()
                .contains("spectrum = file(\"eigs.txt\")")
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
