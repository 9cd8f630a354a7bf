//! The spec parser never panics: 100,000 random and mutated inputs (property tests).

use prism::spec::Spec;
use proptest::prelude::*;

const SEEDS: [&str; 6] = [
    "p = n; H = 0.5 n^(1/2); sigma2 = 2*n^-1; N = inf",
    "sigma = n^(-3/4)\np = n\nH = 3/2 * n^0.5 # c\nN = 10",
    "p = n^(3/2); H = n^(1/2); sigma2 = n^(-1/2); N = n^2; t = 0.5 n^-1",
    "expect face = mean-field\nexpect time_exponent = -1/2\nexpect series train order 2 = \"-4*q\"",
    "p = 0.1 n ; H = 1 ; sigma2 = 1/3",
    "expect limit agrees; expect face_dim = 3; expect formula = large-data+free",
];

fn alphabet() -> impl Strategy<Value = char> {
    prop_oneof![
        proptest::char::range(' ', '~'),
        Just('\n'),
        Just('\t'),
        Just('é'),
        Just('∞'),
        Just('\u{0}'),
    ]
}

fn mutated() -> impl Strategy<Value = String> {
    (
        0..SEEDS.len(),
        proptest::collection::vec((any::<u16>(), 0u8..4, alphabet()), 1..6),
    )
        .prop_map(|(i, edits)| {
            let mut s: Vec<char> = SEEDS[i].chars().collect();
            for (pos, op, c) in edits {
                let k = if s.is_empty() {
                    0
                } else {
                    pos as usize % (s.len() + 1)
                };
                match op {
                    0 => s.insert(k, c),
                    1 if k < s.len() => {
                        s.remove(k);
                    }
                    2 if k < s.len() => s[k] = c,
                    _ => {
                        let end = (k + 3).min(s.len());
                        let chunk: Vec<char> = s[k..end].to_vec();
                        for (j, ch) in chunk.into_iter().enumerate() {
                            s.insert(k + j, ch);
                        }
                    }
                }
            }
            s.into_iter().collect()
        })
}

fn check(input: &str) {
    match Spec::parse(input) {
        Ok(spec) => {
            // A valid spec must also classify without panicking.
            static PRISM: std::sync::OnceLock<prism::polytope::FittedPrism> =
                std::sync::OnceLock::new();
            let prism = PRISM.get_or_init(|| prism::pipeline::default_prism().unwrap());
            let _ = prism::polytope::classify(&spec, prism);
        }
        Err(e) => {
            let shown = e.to_string();
            assert!(e.line >= 1 && e.col >= 1, "{shown}");
            assert!(!e.hint.is_empty(), "no hint: {shown}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 50_000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_inputs_never_panic(s in proptest::collection::vec(alphabet(), 0..60)) {
        let s: String = s.into_iter().collect();
        check(&s);
    }

    #[test]
    fn mutated_specs_never_panic(s in mutated()) {
        check(&s);
    }
}
