//! Bad inputs and absurd requests through the binary (issue 10): each case asserts the exit
//! code, a time bound, that the message names the flag or position at fault, and that nothing
//! panicked. The messages for the bad files in `examples/errors/` are insta snapshots.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What a run gave back.
struct Out {
    code: i32,
    stdout: String,
    stderr: String,
    secs: f64,
}

/// How to connect the child's stdout.
#[derive(Clone, Copy, PartialEq)]
enum Sink {
    Pipe,
    /// `/dev/full`: every write fails with ENOSPC.
    Full,
    /// A pipe whose reader is gone: writes fail with EPIPE.
    Closed,
}

fn run_with(args: &[&str], stdin: Option<&[u8]>, sink: Sink, limit: f64) -> Out {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_prism"));
    cmd.args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stderr(Stdio::piped());
    match sink {
        Sink::Pipe | Sink::Closed => {
            cmd.stdout(Stdio::piped());
        }
        Sink::Full => {
            cmd.stdout(std::fs::File::create("/dev/full").expect("/dev/full"));
        }
    }
    let start = Instant::now();
    let mut child = cmd.spawn().expect("spawn prism");
    if sink == Sink::Closed {
        drop(child.stdout.take());
    }
    if let Some(data) = stdin {
        let mut w = child.stdin.take().expect("stdin");
        let data = data.to_vec();
        std::thread::spawn(move || {
            let _ = w.write_all(&data);
        });
    }
    // Read the pipes on threads so that a chatty child cannot block.
    let mut so = child.stdout.take();
    let mut se = child.stderr.take().expect("stderr");
    let t_out = std::thread::spawn(move || {
        let mut s = Vec::new();
        if let Some(o) = so.as_mut() {
            let _ = std::io::Read::read_to_end(o, &mut s);
        }
        s
    });
    let t_err = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = std::io::Read::read_to_end(&mut se, &mut s);
        s
    });
    let code = loop {
        if let Some(st) = child.try_wait().expect("wait") {
            break st.code().unwrap_or(-1);
        }
        if start.elapsed().as_secs_f64() > limit + 30.0 {
            let _ = child.kill();
            let _ = child.wait();
            panic!("prism {args:?} still running after {limit} s + 30 s: killed");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let secs = start.elapsed().as_secs_f64();
    Out {
        code,
        stdout: String::from_utf8_lossy(&t_out.join().unwrap()).into_owned(),
        stderr: String::from_utf8_lossy(&t_err.join().unwrap()).into_owned(),
        secs,
    }
}

/// Run and check: exit code, time bound, every needle in stderr, no panic.
#[track_caller]
fn case(args: &[&str], stdin: Option<&[u8]>, code: i32, needles: &[&str], limit: f64) -> Out {
    let o = run_with(args, stdin, Sink::Pipe, limit);
    check(args, &o, &[code], needles, limit);
    o
}

#[track_caller]
fn check(args: &[&str], o: &Out, codes: &[i32], needles: &[&str], limit: f64) {
    let shown: String = o.stderr.chars().take(3000).collect();
    assert!(
        codes.contains(&o.code),
        "prism {args:?}: exit {} (want {codes:?})\nstderr: {shown}",
        o.code
    );
    assert!(
        !o.stderr.contains("panicked") && !o.stderr.contains("RUST_BACKTRACE"),
        "prism {args:?} panicked: {shown}"
    );
    assert!(
        o.secs <= limit,
        "prism {args:?} took {:.2} s (bound {limit} s)",
        o.secs
    );
    for n in needles {
        assert!(
            o.stderr.contains(n),
            "prism {args:?}: stderr lacks `{n}`:\n{shown}"
        );
    }
}

/// Refusals and parse errors must come back at once (generous for a loaded CI machine).
const FAST: f64 = 5.0;

const LD: &str = "p = n; H = 0.5 n; sigma2 = n^-1; N = n^2";
const SD: &str = "p = n; H = 0.25 n; sigma2 = 2 n^-1; N = 20";
const SIM: [&str; 7] = ["simulate", "--p", "64", "--H", "64", "--sigma2", "0.01"];

fn sim(extra: &[&str]) -> Vec<String> {
    SIM.iter().chain(extra).map(|s| s.to_string()).collect()
}

fn refs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

// ----- 1. output errors: closed pipe, full disk --------------------------------------------------

#[test]
fn full_disk_is_a_clear_error() {
    for args in [
        vec!["classify", LD],
        vec!["faces"],
        vec!["faces", "--json"],
        vec![
            "limit",
            "--face",
            "large-data",
            "--set",
            "q=1",
            "--set",
            "r=0.5",
            "--csv",
        ],
        vec!["prism"],
    ] {
        let o = run_with(&args, None, Sink::Full, FAST);
        check(&args, &o, &[2], &["cannot write to standard output"], FAST);
    }
}

#[test]
fn closed_pipe_ends_quietly() {
    for args in [
        vec!["faces"],
        vec!["classify", LD],
        vec![
            "limit",
            "--face",
            "large-data",
            "--set",
            "q=1",
            "--set",
            "r=0.5",
            "--points",
            "20000",
        ],
        vec!["--help"],
    ] {
        let o = run_with(&args, None, Sink::Closed, FAST);
        check(&args, &o, &[0, 141], &[], FAST);
        assert!(!o.stderr.contains("error"), "{args:?}: {}", o.stderr);
    }
}

// ----- 2. unbounded work is refused with an estimate and the flag ------------------------------

#[test]
fn limit_grids_and_series_are_bounded() {
    case(
        &["limit", LD, "--points", "1000000000"],
        None,
        2,
        &["refused", "--points", "--force"],
        FAST,
    );
    case(
        &["limit", LD, "--series", "1000"],
        None,
        2,
        &["refused", "--series"],
        FAST,
    );
    case(
        &["limit", SD, "--series", "40"],
        None,
        2,
        &["refused", "--series", "small-data"],
        FAST,
    );
    case(
        &[
            "limit",
            "--face",
            "free",
            "--set",
            "r=0.5",
            "--set",
            "y=1",
            "--free-sizes",
            "100000",
        ],
        None,
        2,
        &["refused", "--free-sizes"],
        FAST,
    );
}

#[test]
fn simulations_are_bounded() {
    case(
        &refs(&sim(&["--t-max", "1e9"])),
        None,
        2,
        &["refused", "--t-max"],
        FAST,
    );
    case(
        &refs(&sim(&["--t-max", "1", "--dt", "1e-300"])),
        None,
        2,
        &["refused", "--dt"],
        FAST,
    );
    case(
        &[
            "simulate", "--p", "3000", "--H", "3000", "--N", "3000", "--sigma2", "0.0003",
            "--t-max", "100",
        ],
        None,
        2,
        &["refused", "--max-time"],
        FAST,
    );
    case(
        &refs(&sim(&["--t-max", "1", "--seeds", "1000000000"])),
        None,
        2,
        &["refused", "--seeds", "--max-memory"],
        FAST,
    );
    case(
        &refs(&sim(&["--t-max", "1", "--points", "1000000000"])),
        None,
        2,
        &["refused", "--points"],
        FAST,
    );
    case(
        &[
            "simulate",
            "p = n; H = 0.5 n; sigma2 = n^-1; N = 0.5 n",
            "--n",
            "1000000000",
        ],
        None,
        2,
        &["refused"],
        FAST,
    );
    case(
        &["simulate", LD, "--n", "1000000000"],
        None,
        2,
        &["N = 1000000000000000000", "not a usable dimension"],
        FAST,
    );
}

#[test]
fn check_grid_is_bounded() {
    case(
        &["check", LD, "--points", "1000000000"],
        None,
        2,
        &["refused", "--points"],
        FAST,
    );
}

#[test]
fn explicit_check_sizes_are_admitted_by_the_limits() {
    // A size far beyond the machine (p = H = 1e9) is refused with the estimate before anything
    // runs, instead of exhausting the memory: explicit sizes pass the same limits as every
    // other command.
    case(
        &[
            "check",
            "p = n; H = n; sigma2 = n^-1",
            "--n",
            "16,1000000000",
        ],
        None,
        2,
        &[
            "refused",
            "n = 16, 1000000000",
            "--max-memory",
            "smaller --n",
        ],
        FAST,
    );
    // Lowering the limit refuses a size that the default admits.
    case(
        &[
            "check",
            "p = n; H = n; sigma2 = n^-1; N = n",
            "--n",
            "16,2000",
            "--max-time",
            "1s",
        ],
        None,
        2,
        &[
            "refused",
            "the simulations of this check",
            "the time limit is",
        ],
        FAST,
    );
}

#[test]
fn zero_time_windows_are_refused() {
    // A grid 0..=0 of 20 intervals repeats t = 0: refused with the flag instead of printing 21
    // copies of the initial loss (limit, explicit simulate) or a misleading "degenerate
    // normalization" (simulate SPEC).
    case(
        &["limit", LD, "--tau-max", "0"],
        None,
        2,
        &["--tau-max 0"],
        FAST,
    );
    case(
        &[
            "limit",
            "--face",
            "mean-field",
            "--set",
            "c=1",
            "--set",
            "y=1",
            "--tau-max",
            "0",
        ],
        None,
        2,
        &["--tau-max 0"],
        FAST,
    );
    case(
        &["simulate", LD, "--n", "16", "--tau-max", "0"],
        None,
        2,
        &["tau_max", "--tau-max"],
        FAST,
    );
    case(
        &refs(&sim(&["--t-max", "0"])),
        None,
        2,
        &["t_max", "--t-max"],
        FAST,
    );
}

#[test]
fn input_size_is_bounded() {
    let zeros = vec![b'0'; 3 << 20];
    case(
        &["classify", "-"],
        Some(&zeros),
        2,
        &["larger than 1 MiB"],
        FAST,
    );
    let mut big = b"p = 1".to_vec();
    big.extend(std::iter::repeat_n(b'0', 1_000_000));
    big.extend(b" n; H = n; sigma2 = n^-1");
    case(
        &["classify", "-"],
        Some(&big),
        2,
        &["line 1, column 5", "digits"],
        FAST,
    );
    let mut frac = b"p = 0.".to_vec();
    frac.extend(std::iter::repeat_n(b'1', 500_000));
    frac.extend(b" n");
    case(&["classify", "-"], Some(&frac), 2, &["digits"], FAST);
}

#[test]
fn expansion_and_hierarchy_orders_are_bounded() {
    case(
        &["expand", "--order", "30"],
        None,
        2,
        &["refused", "order"],
        FAST,
    );
    case(
        &["hierarchy", "--order", "40"],
        None,
        2,
        &["refused", "--order"],
        FAST,
    );
}

#[test]
fn limits_can_be_lowered_and_forced() {
    let args = sim(&["--t-max", "5"]);
    let mut low = vec!["--max-time", "0.000001s"];
    low.extend(refs(&args));
    case(&low, None, 2, &["refused", "--max-time", "--force"], FAST);
    low.push("--force");
    case(&low, None, 0, &[], 60.0);
    case(
        &["--max-time", "soon", "faces"],
        None,
        2,
        &["--max-time"],
        FAST,
    );
}

// ----- 4. messages name the real fault ---------------------------------------------------------

#[test]
fn negative_numbers_reach_the_range_checks() {
    case(
        &refs(&sim(&["--t-max", "-1"])),
        None,
        2,
        &["--t-max", "-1", "negative"],
        FAST,
    );
    case(
        &["check", LD, "--n=-64,128"],
        None,
        2,
        &["--n", "-64", "not a size"],
        FAST,
    );
    case(
        &refs(&sim(&["--t-max", "1", "--dt", "-0.1"])),
        None,
        2,
        &["--dt", "not positive"],
        FAST,
    );
    case(
        &["limit", LD, "--tau-max", "-2"],
        None,
        2,
        &["--tau-max", "negative"],
        FAST,
    );
}

#[test]
fn nan_and_junk_flags_fail_at_parse_time() {
    case(
        &["limit", SD, "--chain-tol", "NaN"],
        None,
        2,
        &["--chain-tol", "NaN"],
        FAST,
    );
    case(
        &refs(&sim(&["--t-max", "inf"])),
        None,
        2,
        &["--t-max", "finite"],
        FAST,
    );
    case(
        &refs(&sim(&["--t-max", "1", "--seeds", "0"])),
        None,
        2,
        &["--seeds", "too small"],
        FAST,
    );
    case(
        &[
            "simulate", "--p", "0", "--H", "4", "--sigma2", "1", "--t-max", "1",
        ],
        None,
        2,
        &["--p"],
        FAST,
    );
    case(
        &["simulate", LD, "--n", "0.5"],
        None,
        2,
        &["--n", "not a size"],
        FAST,
    );
    case(
        &["check", LD, "--points", "1"],
        None,
        2,
        &["--points"],
        FAST,
    );
    case(
        &["limit", LD, "--points", "0"],
        None,
        2,
        &["--points", "too small"],
        FAST,
    );
}

#[test]
fn unknown_constants_and_faces_are_named() {
    case(
        &["limit", "--face", "large-data", "--set", "z=1"],
        None,
        2,
        &["--set z=1", "unknown constant `z`"],
        FAST,
    );
    case(
        &["limit", "--face", "large-data", "--set", "q=abc"],
        None,
        2,
        &["--set q=abc", "not a number"],
        FAST,
    );
    case(
        &["limit", "--face", "large-data", "--set", "q"],
        None,
        2,
        &["NAME=VALUE"],
        FAST,
    );
    case(
        &["limit", "--face", "medium-data"],
        None,
        2,
        &["medium-data"],
        FAST,
    );
    case(&["nosuchcommand"], None, 2, &["nosuchcommand"], FAST);
}

#[test]
fn huge_sigma2_gets_a_real_reason() {
    let o = case(
        &[
            "simulate", "--p", "8", "--H", "8", "--sigma2", "1e308", "--t-max", "1",
        ],
        None,
        2,
        &["sigma2", "too large"],
        FAST,
    );
    assert!(!o.stderr.contains("0.000e0"), "{}", o.stderr);
}

#[test]
fn long_tokens_are_elided() {
    let mut s = "p = n\n".to_string();
    s.push_str(&"x".repeat(5_000_000 / 10)); // 500k: within the 1 MiB input bound
    s.push_str(" = n\n");
    let o = case(
        &["classify", "-"],
        Some(s.as_bytes()),
        2,
        &["line 2, column 1", "characters"],
        FAST,
    );
    assert!(o.stderr.len() < 2000, "message of {} bytes", o.stderr.len());
    let long = format!("q{}=1", "x".repeat(100_000));
    let o = case(
        &["limit", "--face", "large-data", "--set", &long],
        None,
        2,
        &["unknown constant"],
        FAST,
    );
    assert!(o.stderr.len() < 2000, "message of {} bytes", o.stderr.len());
}

#[test]
fn byte_order_marks_are_accepted() {
    case(
        &["classify", "-f", "examples/errors/bom.spec"],
        None,
        0,
        &[],
        FAST,
    );
    let o = case(
        &["classify", "-"],
        Some("\u{feff}p = n; H = n; sigma2 = n^-1".as_bytes()),
        0,
        &[],
        FAST,
    );
    assert!(o.stdout.contains("face"), "{}", o.stdout);
}

#[test]
fn unreadable_inputs_are_named() {
    case(
        &["classify", "-f", "/nonexistent/x.spec"],
        None,
        2,
        &["cannot read /nonexistent/x.spec"],
        FAST,
    );
    case(
        &["classify", "-f", "examples"],
        None,
        2,
        &["directory"],
        FAST,
    );
    case(
        &["classify", "-"],
        Some(&[0xff, 0xfe, 0x00, 0x70]),
        2,
        &["not UTF-8"],
        FAST,
    );
    case(&["classify"], None, 2, &["no spec given"], FAST);
    case(
        &["classify", "p = n; H = n^1/2; sigma2 = n^-1"],
        None,
        2,
        &["line 1, column", "n^(1/2)"],
        FAST,
    );
}

// ----- 3 and 6. claims files: exit codes, stdin -------------------------------------------------

#[test]
fn claims_exit_codes() {
    case(
        &[
            "check-claims",
            "examples/errors/malformed-polynomial.claims",
        ],
        None,
        2,
        &["line 4", "cannot read the claimed polynomial"],
        FAST,
    );
    case(
        &["check-claims", "examples/errors/order-too-high.claims"],
        None,
        2,
        &["line 2", "refused", "order"],
        FAST,
    );
    let order100 = b"p = n; H = 0.5 n; sigma2 = n^-1; N = n^2\nexpect face = large-data\nexpect series train order 100 = \"q\"\n";
    case(
        &["--max-time", "60s", "check-claims", "-"],
        Some(order100),
        2,
        &["line 3", "cannot be checked", "--max-time"],
        FAST,
    );
    case(
        &["check-claims", "examples/errors/huge-power.claims"],
        None,
        2,
        &["power"],
        FAST,
    );
    case(
        &["check-claims", "examples/errors/bom.claims"],
        None,
        0,
        &[],
        FAST,
    );
    let stdin = b"p = n; H = 0.25 n; sigma2 = 2 n^-1; N = 20\nexpect face = small-data\nexpect face_dim = 1\n";
    let o = case(
        &["check-claims", "-"],
        Some(stdin),
        1,
        &["1 claim(s) are false"],
        FAST,
    );
    assert!(
        o.stdout.contains("FALSE") && o.stdout.contains("TRUE"),
        "{}",
        o.stdout
    );
    case(
        &["check-claims", "/nonexistent.claims"],
        None,
        2,
        &["cannot read"],
        FAST,
    );
    case(
        &[
            "check-claims",
            "examples/errors/no-claims.claims",
            "--n",
            "64,64",
        ],
        None,
        2,
        &["--n", "twice"],
        FAST,
    );
}

// ----- 5 and 6. nothing replaced silently; fail fast on outputs -------------------------------

#[test]
fn repeated_sizes_are_refused() {
    case(
        &["check", LD, "--n", "64,64"],
        None,
        2,
        &["--n", "given twice"],
        FAST,
    );
}

#[test]
fn figure_paths_are_checked_before_work() {
    case(
        &["limit", LD, "--plot", "x.pdf"],
        None,
        2,
        &["x.pdf", ".svg or .png"],
        FAST,
    );
    case(
        &["limit", LD, "--plot", "/nonexistent/dir/x.svg"],
        None,
        2,
        &["/nonexistent/dir", "does not exist"],
        FAST,
    );
    case(
        &["check", LD, "--plot", "/nonexistent/x.png"],
        None,
        2,
        &["does not exist"],
        FAST,
    );
    case(
        &refs(&sim(&["--t-max", "1", "--plot", "out.jpeg"])),
        None,
        2,
        &[".jpeg"],
        FAST,
    );
    case(
        &refs(&sim(&["--t-max", "1", "-o", "/dev/null/x"])),
        None,
        2,
        &["-o /dev/null/x"],
        FAST,
    );
    case(
        &["claims", "-o", "/dev/null/x"],
        None,
        2,
        &["/dev/null/x"],
        FAST,
    );
}

#[test]
fn png_figures_are_real_png() {
    let dir = std::env::temp_dir().join(format!("prism-png-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("prism.png");
    case(
        &[
            "prism",
            "--face",
            "mean-field",
            "--plot",
            f.to_str().unwrap(),
        ],
        None,
        0,
        &[],
        30.0,
    );
    let bytes = std::fs::read(&f).unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    assert!(bytes.len() > 5000, "{} bytes", bytes.len());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_step_used_is_the_step_reported() {
    // Gradient descent uses its learning rate exactly, or refuses with the reason.
    case(
        &refs(&sim(&[
            "--t-max", "1", "--points", "4", "--dt", "0.3", "--seeds", "2",
        ])),
        None,
        2,
        &["dt = 0.3", "learning rate"],
        FAST,
    );
    // The flow (RK4) fits its step to the grid, and says so.
    let o = case(
        &refs(&sim(&[
            "--t-max",
            "1",
            "--points",
            "4",
            "--dt",
            "0.3",
            "--seeds",
            "2",
            "--integrator",
            "rk4",
            "--json",
        ])),
        None,
        0,
        &["dt = 2.5", "instead of the requested"],
        30.0,
    );
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(v["meta"]["dt_max_used"].as_f64(), Some(0.25));
}

#[test]
fn diverging_ensembles_name_the_seed() {
    let o = case(
        &[
            "simulate", "--p", "16", "--H", "16", "--sigma2", "1", "--t-max", "5", "--points", "5",
            "--dt", "0.5", "--seeds", "3",
        ],
        None,
        2,
        &["diverged", "seed", "dt ="],
        30.0,
    );
    assert!(o.stdout.is_empty());
    case(
        &[
            "simulate",
            "--p",
            "16",
            "--H",
            "16",
            "--sigma2",
            "1",
            "--t-max",
            "5",
            "--points",
            "5",
            "--dt",
            "0.5",
            "--seeds",
            "3",
            "--drop-diverged",
        ],
        None,
        2,
        &["all 3 runs diverged"],
        30.0,
    );
}

// ----- progress and Ctrl-C -----------------------------------------------------------------------

/// A simulation of about `t` x 1.5 s on two cores (300 steps of 7.2e7 flops per unit time
/// and run).
fn slow_sim(t: &'static str) -> Vec<&'static str> {
    vec![
        "simulate", "--p", "300", "--H", "300", "--N", "200", "--sigma2", "0.003", "--t-max", t,
        "--seeds", "2",
    ]
}

#[test]
fn ctrl_c_stops_promptly() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_prism"))
        .args(slow_sim("100"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(700));
    let sent = Instant::now();
    let ok = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    assert!(ok, "kill -INT failed");
    loop {
        if let Some(st) = child.try_wait().unwrap() {
            assert!(!st.success(), "exited successfully after SIGINT");
            break;
        }
        if sent.elapsed() > Duration::from_secs(3) {
            let _ = child.kill();
            panic!("still running 3 s after SIGINT");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn progress_lines_reach_a_non_terminal_stderr() {
    let o = run_with(&slow_sim("2"), None, Sink::Pipe, 120.0);
    check(&slow_sim("2"), &o, &[0], &[], 120.0);
    if o.secs > 2.5 {
        assert!(
            o.stderr.contains("[simulate]"),
            "{:.1} s, stderr: {}",
            o.secs,
            o.stderr
        );
    }
}

// ----- examples/errors: the messages, as snapshots ---------------------------------------------

#[test]
fn error_examples_snapshots() {
    insta::glob!("../examples/errors", "*.{spec,claims}", |path| {
        let p = path.to_str().unwrap();
        let args: Vec<&str> = if p.ends_with(".spec") {
            vec!["classify", "-f", p]
        } else {
            vec!["check-claims", p, "--n", "64,128"]
        };
        let o = run_with(&args, None, Sink::Pipe, FAST);
        check(&args, &o, &[0, 1, 2], &[], FAST);
        let dir = std::path::Path::new(p)
            .parent()
            .unwrap()
            .display()
            .to_string();
        let stderr = o.stderr.replace(&dir, "examples/errors");
        insta::assert_snapshot!(format!(
            "exit {}\n--- stdout\n{}--- stderr\n{}",
            o.code, o.stdout, stderr
        ));
    });
}
