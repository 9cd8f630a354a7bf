//! Phase maps against point classification: at random exact points of several slices the map
//! names the face that `classify` gives for that point's spec (parsed from text, independently
//! of the map's own slice code), points on every segment classify as the segment's face, the
//! region exponents are the classifier's, and the regions tile the box exactly.

use num_rational::BigRational;
use num_traits::{Signed, Zero};
use prism::map::plane::{self, Location, Pt};
use prism::map::{phase_map, Axis, PhaseMap};
use prism::polytope::{classify, FittedPrism};
use prism::spec::Spec;
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};

mod common;
use common::prism;

type Q = BigRational;

fn q(n: i64, d: i64) -> Q {
    Q::new(n.into(), d.into())
}

/// The slices under test: N fixed, N = inf (given and defaulted), N varying, p varying,
/// sigma on an axis, inadmissible parts.
const SLICES: [(&str, &str, &str); 8] = [
    ("p = n; N = n", "H=0:3", "sigma2=-3:1"),
    ("p = n", "H=-1:3", "sigma=-2:1"),
    ("p = n; N = inf", "H=0:5/2", "sigma2=-5/2:1/2"),
    ("p = n; H = n^(1/2)", "N=0:3", "sigma2=-3:1"),
    ("H = n; sigma2 = n^-1", "p=-1:3", "N=0:3"),
    ("p = 2 n^(3/2); sigma = 3 n^(-1/2)", "H=0:2", "N=1/2:5/2"),
    ("sigma2 = n^-2; N = n^2", "p=1/4:2", "H=-1/2:2"),
    ("p = n; H = n", "sigma2=-2:0", "N=-1:3"),
];

fn default_prism() -> FittedPrism {
    prism::pipeline::default_prism().expect("default prism")
}

fn build(fix: &str, x: &str, y: &str, fp: &FittedPrism) -> (PhaseMap, Axis, Axis) {
    let ax = Axis::parse("--x", x).unwrap();
    let ay = Axis::parse("--y", y).unwrap();
    let m = phase_map(fix, &ax, &ay, fp).unwrap_or_else(|e| panic!("{fix} {x} {y}: {e}"));
    (m, ax, ay)
}

fn exponent_text(e: &Q) -> String {
    format!("n^({e})")
}

/// The spec at a point, written as text and parsed by the spec parser: None when the parser
/// rejects it (an inadmissible exponent).
fn spec_text_at(fix: &str, ax: &Axis, ay: &Axis, p: &Pt) -> Option<Spec> {
    let mut text = fix.to_string();
    for (a, v) in [(ax, &p.x), (ay, &p.y)] {
        text.push_str(&format!("; {} = {}", a.param.as_str(), exponent_text(v)));
    }
    Spec::parse(&text).ok()
}

/// The classifier's face and exponents at a point, or "invalid".
fn truth(fix: &str, ax: &Axis, ay: &Axis, p: &Pt, fp: &FittedPrism) -> (String, Option<[Q; 3]>) {
    match spec_text_at(fix, ax, ay, p) {
        None => ("invalid".to_string(), None),
        Some(spec) => {
            let c = classify(&spec, fp).unwrap();
            (
                c.face.to_string(),
                Some([
                    c.exact.time_exponent,
                    c.exact.train_loss_exponent,
                    c.exact.pop_loss_exponent,
                ]),
            )
        }
    }
}

fn in_relative_interior(a: &Pt, b: &Pt, p: &Pt) -> bool {
    plane::on_segment(a, b, p) && p != a && p != b
}

/// The faces the map allows at p: exactly one where p is a map point, inside a segment or
/// inside a region; otherwise (on an end point or a box edge) every piece whose closure holds p.
fn allowed(m: &PhaseMap, p: &Pt) -> Vec<String> {
    if let Some(pt) = m.points.iter().find(|x| x.point == *p) {
        return vec![pt.face.clone()];
    }
    if let Some(s) = m
        .segments
        .iter()
        .find(|s| in_relative_interior(&s.segment[0], &s.segment[1], p))
    {
        return vec![s.face.clone()];
    }
    if let Some(r) = m
        .regions
        .iter()
        .find(|r| plane::locate(&r.polygon, p) == Location::Inside)
    {
        return vec![r.face.clone()];
    }
    let mut out: Vec<String> = m
        .segments
        .iter()
        .filter(|s| plane::on_segment(&s.segment[0], &s.segment[1], p))
        .map(|s| s.face.clone())
        .collect();
    out.extend(
        m.regions
            .iter()
            .filter(|r| plane::locate(&r.polygon, p) == Location::Boundary)
            .map(|r| r.face.clone()),
    );
    out
}

/// A random rational in [from, to] with a small denominator (so that points often fall
/// exactly on the boundary lines).
fn random_in(rng: &mut ChaCha8Rng, from: &Q, to: &Q) -> Q {
    let den = [1i64, 2, 3, 4, 6, 8, 12, 97][rng.random_range(0..8usize)];
    let k = rng.random_range(0..=den);
    from + (to - from) * q(k, den)
}

#[test]
fn random_points_classify_as_the_map_says() {
    let fp = default_prism();
    let mut rng = ChaCha8Rng::seed_from_u64(13);
    for (fix, x, y) in SLICES {
        let (m, ax, ay) = build(fix, x, y, &fp);
        let mut strict = 0;
        for _ in 0..300 {
            let p = Pt::new(
                random_in(&mut rng, &ax.from, &ax.to),
                random_in(&mut rng, &ay.from, &ay.to),
            );
            let (face, exps) = truth(fix, &ax, &ay, &p, &fp);
            let ok = allowed(&m, &p);
            assert!(
                ok.contains(&face),
                "{fix} {x} {y} at {p}: classify says {face}, the map allows {ok:?}"
            );
            if ok.len() == 1 {
                strict += 1;
            }
            let at = m.face_at(&p).map(String::from);
            assert!(
                at.as_ref().is_some_and(|f| ok.contains(f)),
                "face_at {p}: {at:?}"
            );
            // Inside a region, the region's affine exponents are the classifier's.
            if let Some(r) = m
                .regions
                .iter()
                .find(|r| r.reason.is_none() && plane::locate(&r.polygon, &p) == Location::Inside)
            {
                let want = exps.expect("a valid region");
                let got = [
                    r.time_exponent.as_ref().unwrap().eval(&p),
                    r.train_loss_exponent.as_ref().unwrap().eval(&p),
                    r.pop_loss_exponent.as_ref().unwrap().eval(&p),
                ];
                assert_eq!(got, want, "{fix} {x} {y} at {p} ({})", r.face);
            }
        }
        assert!(strict > 200, "{fix}: only {strict} points were decisive");
    }
}

#[test]
fn segments_and_points_classify_as_named() {
    let fp = default_prism();
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let mut n_segments = 0;
    for (fix, x, y) in SLICES {
        let (m, ax, ay) = build(fix, x, y, &fp);
        for s in &m.segments {
            n_segments += 1;
            for _ in 0..12 {
                let t = q(rng.random_range(1..1000), 1000);
                let p = s.segment[0].lerp(&s.segment[1], &t);
                let (face, _) = truth(fix, &ax, &ay, &p, &fp);
                assert_eq!(face, s.face, "{fix} {x} {y}: segment at {p}");
            }
            assert_eq!(s.face_dim.is_none(), s.face == "invalid");
        }
        for pt in &m.points {
            let (face, exps) = truth(fix, &ax, &ay, &pt.point, &fp);
            assert_eq!(face, pt.face, "{fix} {x} {y}: point {}", pt.point);
            if let Some([t, tr, po]) = exps {
                assert_eq!(pt.time_exponent.as_ref(), Some(&t));
                assert_eq!(pt.train_loss_exponent.as_ref(), Some(&tr));
                assert_eq!(pt.pop_loss_exponent.as_ref(), Some(&po));
            }
        }
        // Every region's vertex mean classifies as the region.
        for r in &m.regions {
            let (face, _) = truth(fix, &ax, &ay, &plane::vertex_mean(&r.polygon), &fp);
            assert_eq!(face, r.face, "{fix} {x} {y}");
            assert_eq!(r.reason.is_some(), r.face == "invalid");
        }
    }
    assert!(n_segments >= 20, "{n_segments}");
}

#[test]
fn regions_tile_the_box_exactly() {
    let fp = default_prism();
    for (fix, x, y) in SLICES {
        let (m, ax, ay) = build(fix, x, y, &fp);
        let box_area = (&ax.to - &ax.from) * (&ay.to - &ay.from);
        let mut total = Q::zero();
        for r in &m.regions {
            let a = plane::area(&r.polygon);
            assert!(
                a.is_positive(),
                "{fix}: {} is not counter-clockwise",
                r.face
            );
            assert_eq!(a, r.area);
            // No repeated or collinear consecutive vertices.
            let n = r.polygon.len();
            for i in 0..n {
                let c = plane::cross(
                    &r.polygon[i],
                    &r.polygon[(i + 1) % n],
                    &r.polygon[(i + 2) % n],
                );
                assert!(c.is_positive(), "{fix}: {} has a flat vertex", r.face);
            }
            total += a;
        }
        assert_eq!(total, box_area, "{fix} {x} {y}");
        // Interiors are disjoint: no region's vertex mean lies inside another region.
        for (i, r) in m.regions.iter().enumerate() {
            let c = plane::vertex_mean(&r.polygon);
            for (j, o) in m.regions.iter().enumerate() {
                if i != j {
                    assert_eq!(plane::locate(&o.polygon, &c), Location::Outside);
                }
            }
        }
        // Faces are unique: each face is one region, segment or point.
        let mut names: Vec<(&str, Option<&String>)> = m
            .regions
            .iter()
            .map(|r| (r.face.as_str(), r.reason.as_ref()))
            .chain(
                m.segments
                    .iter()
                    .map(|s| (s.face.as_str(), s.reason.as_ref())),
            )
            .chain(
                m.points
                    .iter()
                    .map(|s| (s.face.as_str(), s.reason.as_ref())),
            )
            .collect();
        let n = names.len();
        names.sort();
        names.dedup();
        assert_eq!(n, names.len(), "{fix}");
    }
}

#[test]
fn the_issue_slice_has_three_edges_three_faces_and_the_interior() {
    let fp = default_prism();
    let (m, _, _) = build("p = n; N = n", "H=0:3", "sigma2=-3:1", &fp);
    let faces = |v: Vec<&str>| v.into_iter().map(String::from).collect::<Vec<_>>();
    assert_eq!(
        m.regions.iter().map(|r| r.face.clone()).collect::<Vec<_>>(),
        faces(vec![
            "narrow-latent+mean-field",
            "narrow-latent+free",
            "mean-field+free"
        ])
    );
    assert_eq!(
        m.segments
            .iter()
            .map(|r| r.face.clone())
            .collect::<Vec<_>>(),
        faces(vec!["narrow-latent", "mean-field", "free"])
    );
    assert_eq!(m.points.len(), 1);
    assert_eq!(m.points[0].face, "proportional");
    assert_eq!(m.points[0].point, Pt::new(q(1, 1), q(-1, 1)));
    assert_eq!(m.u, ["x - 1".to_string(), "y + 1".into(), "0".into()]);
    // E9 (mean-field+free): tau = c t with c = q r = n^(x + y), losses O(c^2).
    let r = &m.regions[2];
    assert_eq!(r.time_exponent.as_ref().unwrap().render("x", "y"), "-x - y");
    assert_eq!(
        r.train_loss_exponent.as_ref().unwrap().render("x", "y"),
        "2 x + 2 y"
    );
}

#[test]
fn json_snapshots() {
    let fp = default_prism();
    for (name, fix, x, y) in [
        ("p_n_N_n", "p = n; N = n", "H=0:3", "sigma2=-3:1"),
        (
            "H_half_N_varies",
            "p = n; H = n^(1/2)",
            "N=0:3",
            "sigma=-3/2:1/2",
        ),
    ] {
        let (m, _, _) = build(fix, x, y, &fp);
        insta::assert_snapshot!(name, serde_json::to_string_pretty(&m).unwrap());
    }
}

#[test]
fn cli_map_json_plot_and_errors() {
    let dir = std::env::temp_dir().join(format!("prism-map-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let svg = dir.join("map.svg");
    let (code, out, err) = prism(&[
        "map",
        "--fix",
        "p = n; N = n",
        "--x",
        "H=0:3",
        "--y",
        "sigma2=-3:1",
        "--json",
        "--plot",
        svg.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["regions"].as_array().unwrap().len(), 3);
    assert_eq!(v["points"][0]["point"], serde_json::json!(["1", "-1"]));
    assert_eq!(v["x"]["param"], "H");
    assert_eq!(v["fixed"], "p = n; N = n");
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(
        text.starts_with("<svg") && text.contains("mean-field") && text.contains("proportional")
    );

    // The fan: every one of the 21 faces is drawn.
    let fan = dir.join("fan.svg");
    let (code, _, err) = prism(&["map", "--fan", "--plot", fan.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(&fan).unwrap();
    for r in prism::regimes::Regime::ALL {
        let (l, n) = (r.label(), r.name());
        let shown = [
            format!(">{l}<"),
            format!("({l})"),
            format!(">{n}<"),
            format!(">{n} ("),
        ]
        .iter()
        .any(|s| text.contains(s.as_str()));
        assert!(shown, "{n} missing");
    }

    // User errors: exit 2 with a message, never a panic; no file is written on refusal.
    for (args, needle) in [
        (
            vec!["--fix", "p = n", "--x", "H=3:0", "--y", "sigma2=0:1"],
            "empty",
        ),
        (
            vec!["--fix", "p = n; H = n", "--x", "H=0:1", "--y", "sigma2=0:1"],
            "column 8",
        ),
        (
            vec!["--fix", "p = n", "--x", "h=0:1", "--y", "sigma2=0:1"],
            "`H`",
        ),
        (
            vec!["--fix", "p = n^", "--x", "H=0:1", "--y", "sigma2=0:1"],
            "line 1",
        ),
        (
            vec!["--fix", "N = n", "--x", "H=0:1", "--y", "sigma2=0:1"],
            "`p` is neither",
        ),
        (
            vec![
                "--fix",
                "p = n",
                "--x",
                "H=0:1",
                "--y",
                "sigma=0:1",
                "--plot",
                "m.pdf",
            ],
            ".svg or .png",
        ),
    ] {
        let mut a = vec!["map"];
        a.extend(args);
        let (code, _, err) = prism(&a);
        assert_eq!(code, 2, "{a:?}: {err}");
        assert!(err.contains(needle), "{a:?}: {err}");
        assert!(!err.contains("panicked"));
    }
    assert!(!std::path::Path::new("m.pdf").exists());
    let _ = std::fs::remove_dir_all(&dir);
}
