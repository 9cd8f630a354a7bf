//! Property tests of the exact geometry and of classification against an independent oracle.

use num_rational::BigRational;
use prism::polytope::geometry::{dot, select_face, vector, Polytope, Vector};
use proptest::prelude::*;

fn r(n: i64, d: i64) -> BigRational {
    BigRational::new(n.into(), d.into())
}

fn point_set() -> impl Strategy<Value = Vec<Vector>> {
    proptest::collection::vec(proptest::array::uniform3(-3i64..4), 4..14)
        .prop_map(|v| v.iter().map(|p| vector(p)).collect())
}

fn direction() -> impl Strategy<Value = Vector> {
    proptest::array::uniform3((-6i64..7, 1i64..5))
        .prop_map(|v| v.iter().map(|&(n, d)| r(n, d)).collect())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    /// Scaling u by a positive rational keeps the face.
    #[test]
    fn positive_scaling_keeps_the_face(pts in point_set(), u in direction(), n in 1i64..20, d in 1i64..20) {
        let f1 = select_face(&pts, &[u.clone()]).unwrap();
        let lam = r(n, d);
        let scaled: Vector = u.iter().map(|x| x * &lam).collect();
        prop_assert_eq!(f1, select_face(&pts, &[scaled]).unwrap());
    }

    /// The selected face contains the brute-force maximizer, and the face of the hull's
    /// vertices is the set of hull vertices among the maximizers.
    #[test]
    fn face_contains_the_brute_force_maximizer(pts in point_set(), u in direction()) {
        let best = pts.iter().map(|p| dot(&u, p)).max().unwrap();
        let arg = pts.iter().position(|p| dot(&u, p) == best).unwrap();
        let f = select_face(&pts, &[u.clone()]).unwrap();
        prop_assert!(f.contains(&arg));
        let hull = Polytope::hull(&pts).unwrap();
        let fv = hull.face(&[u.clone()]).unwrap();
        prop_assert!(!fv.is_empty());
        for &i in &fv {
            prop_assert_eq!(dot(&u, &hull.vertices[i]), best.clone());
        }
        // Every input point lies in the hull.
        for p in &pts {
            prop_assert!(hull.contains(p));
        }
    }

    /// A direction strictly inside a face's normal cone (a positive combination of the normals
    /// of all facets containing it) selects exactly that face.
    #[test]
    fn interior_of_normal_cone_selects_the_face(pts in point_set(), weights in proptest::collection::vec(1i64..9, 6)) {
        let hull = Polytope::hull(&pts).unwrap();
        prop_assume!(hull.dim == 3);
        // Faces: every vertex, every edge and every facet.
        let mut faces: Vec<Vec<usize>> = (0..hull.vertices.len()).map(|v| vec![v]).collect();
        faces.extend(hull.edges.iter().map(|&(a, b)| vec![a, b]));
        faces.extend(hull.facets.iter().map(|f| f.vertices.iter().copied().collect()));
        for face in faces {
            let mut u = vec![r(0, 1); 3];
            let mut k = 0;
            for f in &hull.facets {
                if face.iter().all(|v| f.vertices.contains(v)) {
                    let w = r(weights[k % weights.len()], 1);
                    k += 1;
                    for (ui, ni) in u.iter_mut().zip(&f.normal) {
                        *ui += &w * ni;
                    }
                }
            }
            let got = hull.face(&[u]).unwrap();
            // The selected face's vertices are exactly the hull vertices of `face`'s span.
            let mut want: Vec<usize> = (0..hull.vertices.len())
                .filter(|&v| hull.facets.iter().all(|f| !face.iter().all(|x| f.vertices.contains(x)) || f.vertices.contains(&v)))
                .collect();
            want.sort();
            prop_assert_eq!(got, want);
        }
    }
}

/// Independent oracle for classification, straight from THEORY section 4 formulas:
/// F_T from the three vertices of T, F_I from the sign of u_l, names from containment.
fn oracle(
    u_r: &BigRational,
    u_q: &BigRational,
    u_l: Option<&BigRational>,
) -> (String, BigRational, BigRational, BigRational) {
    let zero = r(0, 1);
    let t_vertices = [(0i64, 0i64, "lin"), (0, 1, "nf"), (1, 1, "mff")];
    let vals: Vec<BigRational> = t_vertices
        .iter()
        .map(|&(k, j, _)| u_r * r(k, 1) + u_q * r(j, 1))
        .collect();
    let max_t = vals.iter().max().unwrap().clone();
    let ft: Vec<&str> = t_vertices
        .iter()
        .zip(&vals)
        .filter(|(_, v)| **v == max_t)
        .map(|(t, _)| t.2)
        .collect();
    let mut names = Vec::new();
    match u_l {
        None => names.push("large-data"),
        Some(l) if *l < zero => names.push("large-data"),
        Some(l) if *l > zero => names.push("small-data"),
        _ => {}
    }
    let contains = |need: &[&str]| ft.iter().all(|v| need.contains(v));
    if contains(&["lin", "nf"]) {
        names.push("narrow-latent");
    }
    if contains(&["lin", "mff"]) {
        names.push("mean-field");
    }
    if contains(&["nf", "mff"]) {
        names.push("free");
    }
    let name = if names.is_empty() {
        "proportional".to_string()
    } else {
        names.join("+")
    };
    let pos_l = u_l.map_or(zero.clone(), |l| {
        if *l > zero {
            l.clone()
        } else {
            zero.clone()
        }
    });
    let h = &max_t + &pos_l;
    let c = u_r + u_q + &max_t;
    let c_pop = &c - &pos_l;
    (name, -h, c, c_pop)
}

fn exponent() -> impl Strategy<Value = (i64, i64)> {
    prop_oneof![(-4i64..5, Just(1i64)), (-8i64..9, 1i64..5)]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, failure_persistence: None, ..ProptestConfig::default() })]

    /// Classification agrees with the THEORY section 4 formulas on random rational scalings.
    #[test]
    fn classification_matches_the_formula_oracle(
        ap in (1i64..5, 1i64..4), ah in (0i64..7, 1i64..4), as_ in exponent(), an in proptest::option::of((0i64..7, 1i64..4))
    ) {
        static PRISM: std::sync::OnceLock<prism::polytope::FittedPrism> = std::sync::OnceLock::new();
        let prism = PRISM.get_or_init(|| prism::pipeline::default_prism().unwrap());
        let f = |(n, d): (i64, i64)| format!("n^({n}/{d})");
        let mut text = format!("p = {}; H = {}; sigma2 = {}", f(ap), f(ah), f(as_));
        if let Some(an) = an { text.push_str(&format!("; N = {}", f(an))); }
        let spec = prism::spec::Spec::parse(&text).unwrap();
        let c = prism::polytope::classify(&spec, prism).unwrap();
        let (a_p, a_h, a_s) = (r(ap.0, ap.1), r(ah.0, ah.1), r(as_.0, as_.1));
        let u_r = &a_h - &a_p;
        let u_q = &a_s + &a_p;
        let u_l = an.map(|an| &a_p - r(an.0, an.1));
        let (name, te, ct, cp) = oracle(&u_r, &u_q, u_l.as_ref());
        prop_assert_eq!(c.face.name(), name.as_str(), "{}", text);
        prop_assert_eq!(&c.exact.time_exponent, &te, "{}", text);
        prop_assert_eq!(&c.exact.train_loss_exponent, &ct, "{}", text);
        prop_assert_eq!(&c.exact.pop_loss_exponent, &cp, "{}", text);
    }
}
