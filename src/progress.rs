//! Progress lines for work that runs longer than a second or two.
//!
//! A [`Heartbeat`] runs a small thread: after [`FIRST_AFTER`] it sends one line
//! `[label] <state>, 12 s elapsed[, about 30 s left]` to its [`Sink`] and then one every
//! [`EVERY`] (the CLI's sink writes them to standard error whether or not it is a terminal, so
//! that logs of batch jobs see the work is alive). The work updates the state with
//! [`Heartbeat::set`] (a stage) and [`Heartbeat::add`] (units done of a known total). Dropping
//! the heartbeat stops it; if it sent anything it ends with `[label] done in <time>`.
//!
//! The reporter does no I/O itself: the front supplies the sink. With d units done of a
//! total T after e seconds, the fraction is f = d/T and the time left is estimated as
//! e (1 - f) / f (shown once f > 1%).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// First line after this long.
pub const FIRST_AFTER: Duration = Duration::from_millis(1500);
/// Then one line every this long.
pub const EVERY: Duration = Duration::from_secs(3);

/// Where the lines go (the front's writer; it must not panic).
pub type Sink = Box<dyn Fn(&str) + Send + Sync>;

struct Shared {
    label: String,
    sink: Sink,
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

/// A duration in seconds as shown: `12 s` below two minutes, `3.5 min` below two hours, else
/// `2.1 h`.
pub fn format_secs(s: f64) -> String {
    if s < 120.0 {
        format!("{s:.0} s")
    } else if s < 7200.0 {
        format!("{:.1} min", s / 60.0)
    } else {
        format!("{:.1} h", s / 3600.0)
    }
}

/// One progress line: `[label] stage, 40% (4/10), 12 s elapsed, about 18 s left` (the stage
/// and the count only when known; `done` is capped at `total`).
pub fn status_line(label: &str, stage: &str, done: u64, total: u64, elapsed: f64) -> String {
    let done = done.min(total.max(1));
    let mut s = format!("[{label}] ");
    if !stage.is_empty() {
        s.push_str(stage);
        s.push_str(", ");
    }
    if total > 0 {
        let f = done as f64 / total as f64;
        s.push_str(&format!("{:.0}% ({done}/{total}), ", 100.0 * f));
        s.push_str(&format!("{} elapsed", format_secs(elapsed)));
        if f > 0.01 {
            s.push_str(&format!(
                ", about {} left",
                format_secs(elapsed * (1.0 - f) / f)
            ));
        }
    } else {
        s.push_str(&format!("{} elapsed", format_secs(elapsed)));
    }
    s
}

impl Shared {
    fn line(&self) -> String {
        let stage = self.stage.lock().map(|s| s.clone()).unwrap_or_default();
        status_line(
            &self.label,
            &stage,
            self.done.load(Ordering::Relaxed),
            self.total.load(Ordering::Relaxed),
            self.start.elapsed().as_secs_f64(),
        )
    }
}

impl Heartbeat {
    /// Start reporting for a command (`label` is e.g. "simulate") into `sink`.
    pub fn start(label: &str, sink: Sink) -> Heartbeat {
        Self::with_timing(label, sink, FIRST_AFTER, EVERY)
    }

    /// [`Heartbeat::start`] with other intervals: the first line after `first`, then one every
    /// `every`.
    pub fn with_timing(label: &str, sink: Sink, first: Duration, every: Duration) -> Heartbeat {
        let shared = Arc::new(Shared {
            label: label.to_string(),
            sink,
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
                let mut wait = first;
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
                    (sh.sink)(&sh.line());
                    sh.printed.store(true, Ordering::Relaxed);
                    wait = every;
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

    /// True once a line was sent.
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
            let secs = self.shared.start.elapsed().as_secs_f64();
            (self.shared.sink)(&format!(
                "[{}] done in {}",
                self.shared.label,
                format_secs(secs)
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_show_stage_share_and_time_left() {
        assert_eq!(status_line("check", "", 0, 0, 12.2), "[check] 12 s elapsed");
        assert_eq!(
            status_line("simulate", "steps", 4, 10, 12.0),
            "[simulate] steps, 40% (4/10), 12 s elapsed, about 18 s left"
        );
        // Nothing done yet: no estimate; more than the total: capped.
        assert_eq!(
            status_line("x", "", 0, 10, 3.0),
            "[x] 0% (0/10), 3 s elapsed"
        );
        assert_eq!(
            status_line("x", "", 12, 10, 3.0),
            "[x] 100% (10/10), 3 s elapsed, about 0 s left"
        );
        assert_eq!(format_secs(119.0), "119 s");
        assert_eq!(format_secs(150.0), "2.5 min");
        assert_eq!(format_secs(9000.0), "2.5 h");
    }

    #[test]
    fn the_sink_gets_the_lines_and_the_end() {
        let lines = Arc::new(Mutex::new(Vec::<String>::new()));
        let l2 = Arc::clone(&lines);
        let sink: Sink = Box::new(move |l| l2.lock().unwrap().push(l.to_string()));
        let ms = Duration::from_millis;
        let beat = Heartbeat::with_timing("t", sink, ms(5), ms(5));
        beat.set("stage");
        beat.total(4);
        beat.add(1);
        let t0 = Instant::now();
        while !beat.printed() && t0.elapsed() < Duration::from_secs(5) {
            std::thread::sleep(ms(2));
        }
        drop(beat);
        let lines = lines.lock().unwrap();
        assert!(lines[0].starts_with("[t] stage, 25% (1/4), "), "{lines:?}");
        assert!(
            lines.last().unwrap().starts_with("[t] done in "),
            "{lines:?}"
        );
        // Nothing is sent by a heartbeat dropped before its first line.
        let quiet = Arc::new(Mutex::new(0));
        let q2 = Arc::clone(&quiet);
        let sink: Sink = Box::new(move |_| *q2.lock().unwrap() += 1);
        drop(Heartbeat::start("q", sink));
        assert_eq!(*quiet.lock().unwrap(), 0);
    }
}
