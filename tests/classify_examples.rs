//! Every example spec: its classification is snapshotted, and its own `expect` claims about
//! face and exponents hold.

use prism::polytope::classify;
use prism::spec::{Claim, ExponentClaim, Spec};

#[test]
fn examples_classify_as_claimed() {
    let prism = prism::pipeline::default_prism().expect("prism fits");
    let mut checked = 0;
    insta::glob!("../examples", "*.spec", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let spec = Spec::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let c = classify(&spec, &prism).unwrap();
        for (claim, _) in &spec.claims {
            match claim {
                Claim::Face(f) => assert_eq!(&c.face, f, "{}", path.display()),
                Claim::FaceDim(d) => assert_eq!(c.face_dim as u32, *d, "{}", path.display()),
                Claim::Exponent(which, v) => {
                    let got = match which {
                        ExponentClaim::Time => &c.exact.time_exponent,
                        ExponentClaim::TrainLoss => &c.exact.train_loss_exponent,
                        ExponentClaim::PopLoss => &c.exact.pop_loss_exponent,
                    };
                    assert_eq!(got, v, "{}: {which:?}", path.display());
                }
                _ => {}
            }
            checked += 1;
        }
        // The file name is the face, so the example set documents itself.
        let stem = path.file_stem().unwrap().to_str().unwrap();
        assert_eq!(c.face.name(), stem, "{}", path.display());
        // The provenance line names the hierarchy source; the classification itself is snapshotted.
        let mut v = serde_json::to_value(&c).unwrap();
        v.as_object_mut().unwrap().remove("hierarchy");
        insta::assert_json_snapshot!(v);
    });
    assert!(checked >= 30, "only {checked} claims checked");
}
