//! Progress on standard error for work that runs longer than a second or two.
//!
//! A [`Heartbeat`] runs a small thread: after [`FIRST_AFTER`] it prints one line
//! `[label] <state>, 12 s elapsed[, about 30 s left]` and then one every [`EVERY`], whether
//! or not stderr is a terminal (logs of batch jobs see the work is alive). The work updates
//! the state with [`Heartbeat::set`] (a stage) and [`Heartbeat::add`] (units done of a known
//! total). Dropping the heartbeat stops it; if it printed anything it ends with the total
//! time.

/// `eprintln!` that never panics (a closed or full stderr is ignored).
macro_rules! note {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($t)*);
    }};
}

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// First line after this long.
pub const FIRST_AFTER: Duration = Duration::from_millis(1500);
/// Then one line every this long.
pub const EVERY: Duration = Duration::from_secs(3);

struct Shared {
    label: String,
    stage: Mutex<String>,
    done: AtomicU64,
    total: AtomicU64,
    printed: AtomicBool,
    stop: Mutex<bool>,
    wake: Condvar,
    start: Instant,
}

/// A progress reporter (see the module docs).
pub struct Heartbeat {
    shared: Arc<Shared>,
    thread: Option<std::thread::JoinHandle<()>>,
}

fn fmt_secs(s: f64) -> String {
    if s < 120.0 {
        format!("{s:.0} s")
    } else if s < 7200.0 {
        format!("{:.1} min", s / 60.0)
    } else {
        format!("{:.1} h", s / 3600.0)
    }
}

impl Shared {
    fn line(&self) -> String {
        let el = self.start.elapsed().as_secs_f64();
        let stage = self.stage.lock().map(|s| s.clone()).unwrap_or_default();
        let total = self.total.load(Ordering::Relaxed);
        let done = self.done.load(Ordering::Relaxed).min(total.max(1));
        let mut s = format!("[{}] ", self.label);
        if !stage.is_empty() {
            s.push_str(&stage);
            s.push_str(", ");
        }
        if total > 0 {
            let f = done as f64 / total as f64;
            s.push_str(&format!("{:.0}% ({done}/{total}), ", 100.0 * f));
            s.push_str(&format!("{} elapsed", fmt_secs(el)));
            if f > 0.01 {
                s.push_str(&format!(", about {} left", fmt_secs(el * (1.0 - f) / f)));
            }
        } else {
            s.push_str(&format!("{} elapsed", fmt_secs(el)));
        }
        s
    }
}

impl Heartbeat {
    /// Start reporting for a command (`label` is e.g. "simulate").
    pub fn start(label: &str) -> Heartbeat {
        let shared = Arc::new(Shared {
            label: label.to_string(),
            stage: Mutex::new(String::new()),
            done: AtomicU64::new(0),
            total: AtomicU64::new(0),
            printed: AtomicBool::new(false),
            stop: Mutex::new(false),
            wake: Condvar::new(),
            start: Instant::now(),
        });
        let sh = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("progress".into())
            .spawn(move || {
                let mut wait = FIRST_AFTER;
                loop {
                    let guard = match sh.stop.lock() {
                        Ok(g) => g,
                        Err(_) => return,
                    };
                    let (g, _) = match sh.wake.wait_timeout_while(guard, wait, |stop| !*stop) {
                        Ok(x) => x,
                        Err(_) => return,
                    };
                    if *g {
                        return;
                    }
                    drop(g);
                    note!("{}", sh.line());
                    sh.printed.store(true, Ordering::Relaxed);
                    wait = EVERY;
                }
            })
            .ok();
        Heartbeat { shared, thread }
    }

    /// The current stage (shown in the next line).
    pub fn set(&self, stage: impl Into<String>) {
        if let Ok(mut s) = self.shared.stage.lock() {
            *s = stage.into();
        }
    }

    /// Set the total number of units (0: unknown) and reset the count.
    pub fn total(&self, total: u64) {
        self.shared.total.store(total, Ordering::Relaxed);
        self.shared.done.store(0, Ordering::Relaxed);
    }

    /// `k` more units done.
    pub fn add(&self, k: u64) {
        self.shared.done.fetch_add(k, Ordering::Relaxed);
    }

    /// True once a line was printed.
    pub fn printed(&self) -> bool {
        self.shared.printed.load(Ordering::Relaxed)
    }
}

impl Drop for Heartbeat {
    fn drop(&mut self) {
        if let Ok(mut s) = self.shared.stop.lock() {
            *s = true;
        }
        self.shared.wake.notify_all();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        if self.printed() {
            note!(
                "[{}] done in {}",
                self.shared.label,
                fmt_secs(self.shared.start.elapsed().as_secs_f64())
            );
        }
    }
}
