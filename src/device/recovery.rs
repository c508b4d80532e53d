//! Counts of stalled streams per strap, for `/metrics`: how often a strap
//! stopped its stream on its own, went silent while linked, or would not
//! restart so its link was made again. Kept process-wide (the strap tasks write,
//! the HTTP layer reads) so the daemon's wiring does not change.

use std::collections::BTreeMap;
use std::sync::Mutex;

use super::link::Stall;

/// One strap's stall counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Stalls {
    /// The strap indicated it stopped the stream.
    pub stopped_by_strap: u64,
    /// The stream went silent while the link stayed up.
    pub silent: u64,
    /// A restart failed and the link was dropped and made again.
    pub restart_failed: u64,
}

static STALLS: Mutex<BTreeMap<String, Stalls>> = Mutex::new(BTreeMap::new());

/// Counts one stall of `strap`.
pub fn count(strap: &str, why: Stall) {
    let mut all = STALLS.lock().unwrap_or_else(|e| e.into_inner());
    let s = all.entry(strap.to_owned()).or_default();
    match why {
        Stall::StoppedByStrap => s.stopped_by_strap += 1,
        Stall::Silent => s.silent += 1,
        Stall::RestartFailed => s.restart_failed += 1,
    }
}

/// Every strap's counts so far (straps that never stalled are absent).
pub fn stalls() -> BTreeMap<String, Stalls> {
    STALLS.lock().unwrap_or_else(|e| e.into_inner()).clone()
}

/// The counts as Prometheus text, one counter with a `reason` label.
pub fn metrics() -> String {
    let mut m = String::from(
        "# HELP postured_strap_stream_stalls_total Streams that stopped or went silent (restarted, or reconnected when restarting failed).\n# TYPE postured_strap_stream_stalls_total counter\n",
    );
    for (strap, s) in stalls() {
        for (reason, n) in [
            ("stopped_by_strap", s.stopped_by_strap),
            ("silent", s.silent),
            ("restart_failed", s.restart_failed),
        ] {
            m.push_str(&format!(
                "postured_strap_stream_stalls_total{{strap=\"{strap}\",reason=\"{reason}\"}} {n}\n"
            ));
        }
    }
    m
}
