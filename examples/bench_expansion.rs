//! Per-order timings of the exact expansion (full Wick path and free-probability leading path),
//! both losses, with the peak resident memory (VmHWM) of each measurement.
//!
//! Usage: `cargo run --release --example bench_expansion -- [MAX_FULL] [MAX_LEADING] [MAX_ANISO]`
//! (defaults 8, 12 and 7). `aniso` and `aniso-lead` are the expansion with spectral moments
//! (THEORY 9.2; finite N), full and leading, all orders 0..=s together (cumulative). Each measurement runs in its own child process, so that its peak memory
//! is its own. The full path computes the single order s; the leading path computes all orders
//! 0..=s together (that is how it is used), so its time is cumulative.

use prism::expansion::aniso::free::leading_coefficients_aniso;
use prism::expansion::aniso::{full_coefficients_aniso, Samples};
use prism::expansion::{full_coefficient, leading_coefficients};
use prism::polytope::Loss;
use std::process::Command;
use std::time::Instant;

fn vm_hwm() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM"))
                .map(|l| l.split_whitespace().skip(1).collect::<Vec<_>>().join(" "))
        })
        .unwrap_or_else(|| "n/a".to_string())
}

/// Child mode: `--one full|leading S train|pop`.
fn one(path: &str, s: usize, loss: Loss) {
    let t = Instant::now();
    let res = match path {
        "full" => full_coefficient(s, loss, None).map(|c| c.len()),
        "aniso" => full_coefficients_aniso(s, loss, Samples::Finite, None).map(|c| c[s].len()),
        "aniso-lead" => leading_coefficients_aniso(s, loss).map(|c| c[s].len()),
        _ => leading_coefficients(s, loss).map(|c| c[s].len()),
    };
    match res {
        Ok(n) => println!(
            "{path:<10} {s:>5}  {:<5} {:>9.3}  {n:>6}   {}",
            loss.name(),
            t.elapsed().as_secs_f64(),
            vm_hwm()
        ),
        Err(e) => println!("{path:<10} {s:>5}  {:<5} error: {e}", loss.name()),
    }
}

fn main() {
    let raw: Vec<String> = std::env::args().skip(1).collect();
    if raw.first().map(String::as_str) == Some("--one") {
        let s: usize = raw[2].parse().expect("order");
        let loss = if raw[3] == "train" {
            Loss::Train
        } else {
            Loss::Pop
        };
        one(&raw[1], s, loss);
        return;
    }
    let args: Vec<usize> = raw.iter().filter_map(|a| a.parse().ok()).collect();
    let max_full = args.first().copied().unwrap_or(8);
    let max_lead = args.get(1).copied().unwrap_or(12);
    let max_aniso = args.get(2).copied().unwrap_or(7);
    let exe = std::env::current_exe().expect("current exe");
    println!("threads: {}", rayon::current_num_threads());
    println!("path     order  loss     seconds   terms   peak RSS");
    for (path, max) in [
        ("full", max_full),
        ("leading", max_lead),
        ("aniso", max_aniso),
        ("aniso-lead", max_aniso),
    ] {
        for s in 0..=max {
            for loss in ["train", "pop"] {
                let out = Command::new(&exe)
                    .args(["--one", path, &s.to_string(), loss])
                    .output()
                    .expect("run child");
                print!("{}", String::from_utf8_lossy(&out.stdout));
            }
        }
    }
}
