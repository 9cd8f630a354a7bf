//! Fuzzing the spec and claims parsers (proptest; cargo-fuzz needs a nightly toolchain).
//!
//! Inputs are random strings over a spec-like alphabet and mutations of valid specs and claims
//! files (insertions, deletions, replacements, duplications, a byte-order mark, huge digit runs
//! and long names). Properties: no panic; every error has a line, a column and a hint and its
//! message stays short whatever the input (long tokens are elided); a parsed spec classifies;
//! claims validation (claimed polynomials) never panics.
//!
//! The default run is small. The large run is explicit:
//! `PRISM_FUZZ_CASES=1000000 cargo test --release --test parser_fuzz -- --ignored --nocapture`
//! prints the number of inputs and the time.

use prism::check::claims_file::validate;
use prism::poly::{Poly, Vars};
use prism::spec::Spec;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

const SEEDS: [&str; 8] = [
    "p = n; H = 0.5 n^(1/2); sigma2 = 2*n^-1; N = inf",
    "sigma = n^(-3/4)\np = n\nH = 3/2 * n^0.5 # c\nN = 10",
    "p = n^(3/2); H = n^(1/2); sigma2 = n^(-1/2); N = n^2; t = 0.5 n^-1",
    "p = n; H = n; sigma2 = n^-1\nexpect face = proportional\nexpect series train order 2 = \"-4*q*r + 3/2 q^2 - y\"",
    "p = 0.125 n; H = 0.015625 n^2; sigma2 = 32 n^-2; N = 0.125 n\nexpect series train order 1 = \"-4*c - 4*c*y + 8*c^2\"\nexpect face_dim = 2",
    "p = n; H = 0.25 n; sigma2 = 2 n^-1; N = 20\nexpect face = small-data\nexpect time_exponent = -1\nexpect formula = large-data",
    "expect limit agrees; expect face_dim = 3; expect formula = large-data+free",
    "p = n; H = 0.5 n; sigma2 = n^-1; N = n^2\nexpect series pop order 3 = \"q**2*r - 1/3\"",
];

fn alphabet() -> impl Strategy<Value = char> {
    prop_oneof![
        8 => proptest::char::range(' ', '~'),
        1 => Just('\n'),
        1 => Just('\t'),
        1 => Just('"'),
        1 => Just('é'),
        1 => Just('∞'),
        1 => Just('\u{feff}'),
        1 => Just('\u{0}'),
        1 => Just('\r'),
    ]
}

/// A chunk to insert: a character, a long digit run, a long name, a keyword.
fn chunk() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => alphabet().prop_map(|c| c.to_string()),
        1 => (1usize..400).prop_map(|k| "9".repeat(k)),
        1 => (1usize..300).prop_map(|k| "x".repeat(k)),
        1 => prop::sample::select(vec![
            "expect ", "series ", "order ", "face = ", "n^(", ")", "/", "^", "**", "inf", "sigma",
            "0.", "=", ";", "#", "\"", "q", "r", "y", "c", "+", "-", "*",
        ])
        .prop_map(str::to_string),
    ]
}

fn mutated() -> impl Strategy<Value = String> {
    (
        0..SEEDS.len(),
        proptest::collection::vec((any::<u16>(), 0u8..4, chunk()), 1..8),
        any::<bool>(),
    )
        .prop_map(|(i, edits, bom)| {
            let mut s: Vec<char> = SEEDS[i].chars().collect();
            for (pos, op, c) in edits {
                let k = if s.is_empty() {
                    0
                } else {
                    pos as usize % (s.len() + 1)
                };
                match op {
                    0 => {
                        for (j, ch) in c.chars().enumerate() {
                            s.insert(k + j, ch);
                        }
                    }
                    1 if k < s.len() => {
                        s.remove(k);
                    }
                    2 if k < s.len() => {
                        s[k] = c.chars().next().unwrap_or(' ');
                    }
                    _ => {
                        let end = (k + 5).min(s.len());
                        let dup: Vec<char> = s[k..end].to_vec();
                        for (j, ch) in dup.into_iter().enumerate() {
                            s.insert(k + j, ch);
                        }
                    }
                }
            }
            let s: String = s.into_iter().collect();
            if bom {
                format!("\u{feff}{s}")
            } else {
                s
            }
        })
}

fn input() -> impl Strategy<Value = String> {
    prop_oneof![
        1 => proptest::collection::vec(alphabet(), 0..80).prop_map(|v| v.into_iter().collect()),
        3 => mutated(),
    ]
}

static COUNT: AtomicU64 = AtomicU64::new(0);

fn prism_fit() -> &'static prism::polytope::FittedPrism {
    static PRISM: OnceLock<prism::polytope::FittedPrism> = OnceLock::new();
    PRISM.get_or_init(|| prism::pipeline::default_prism().unwrap())
}

/// The properties, for one input.
fn check(input: &str) {
    COUNT.fetch_add(1, Ordering::Relaxed);
    match Spec::parse(input) {
        Ok(spec) => {
            if let Ok(c) = prism::polytope::classify(&spec, prism_fit()) {
                // Claims validation parses every claimed polynomial; never panics.
                let src = input.strip_prefix('\u{feff}').unwrap_or(input);
                let _ = validate(src, &spec, c.face);
            }
        }
        Err(e) => {
            let shown = e.to_string();
            assert!(e.line >= 1 && e.col >= 1, "{shown}");
            assert!(!e.hint.is_empty(), "no hint: {shown}");
            // Long tokens are elided: the message is bounded whatever the input.
            assert!(
                shown.chars().count() < 1200,
                "message of {} characters for input of {}",
                shown.chars().count(),
                input.len()
            );
        }
    }
    // The claimed-polynomial parser on the raw text, in the interior's variables.
    let _ = Poly::parse(input, &Vars::new(["r", "q", "y"]));
}

fn run(cases: u32) -> (u64, f64) {
    COUNT.store(0, Ordering::Relaxed);
    let start = std::time::Instant::now();
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&input(), |s| {
            check(&s);
            Ok(())
        })
        .unwrap();
    (COUNT.load(Ordering::Relaxed), start.elapsed().as_secs_f64())
}

#[test]
fn parsers_never_panic_quick() {
    let (n, secs) = run(3_000);
    assert!(n >= 3_000, "{n} inputs in {secs:.1} s");
}

#[test]
fn elided_messages_for_huge_inputs() {
    // Direct cases the random inputs reach only rarely.
    for src in [
        format!("p = n\n{} = n", "x".repeat(1_000_000)),
        format!("p = {} n", "1".repeat(1_000_000)),
        format!(
            "p = n; H = n; sigma2 = n^-1\nexpect face = {}",
            "a".repeat(100_000)
        ),
        format!("{}p = n", "\u{feff}".repeat(3)),
    ] {
        let t = std::time::Instant::now();
        let e = Spec::parse(&src).unwrap_err();
        assert!(t.elapsed().as_secs_f64() < 1.0);
        assert!(e.to_string().len() < 1200, "{}", e.to_string().len());
    }
    assert!(Poly::parse(&format!("q^{}", "9".repeat(50)), &Vars::new(["q"])).is_err());
    assert!(Poly::parse(&"7".repeat(10_000), &Vars::new(["q"])).is_err());
}

/// The large run (at least 10^6 inputs): `PRISM_FUZZ_CASES` sets the count.
#[test]
#[ignore]
fn parsers_never_panic_large() {
    let cases: u32 = std::env::var("PRISM_FUZZ_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let (n, secs) = run(cases);
    println!("parser fuzz: {n} inputs in {secs:.1} s, no failure");
    assert!(n >= cases as u64);
}
