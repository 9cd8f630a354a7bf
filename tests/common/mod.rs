//! Shared helpers of the integration tests that run the binary.

use std::process::Command;

/// Run `prism ARGS` and return (exit code, stdout, stderr).
pub fn prism(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_prism"))
        .args(args)
        .output()
        .expect("run prism");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Serializes the tests whose outcome depends on a wall-time budget (`check` and `claims`
/// choose sizes and runs from the measured machine speed): run alongside each other they would
/// share the cores and get less done per second of budget than the check planned for.
#[allow(dead_code)]
pub fn budgeted() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}
