//! The reports as tables for people.

use std::fmt::Write as _;

use super::{PostureReport, RepReport};
use crate::motion::Side;

fn opt(x: Option<f64>, places: usize) -> String {
    x.map_or_else(|| "-".into(), |v| format!("{v:.places$}"))
}

impl RepReport {
    /// The report as a table for people.
    pub fn table(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "exercise {}: {} samples, {:.1} s",
            self.exercise, self.samples, self.duration_s
        );
        let _ = writeln!(
            s,
            "{:>3}  {:>8}  {:>8}  {:>6}  {:>6}  {:>5}  {:>5}  flags",
            "n", "start_s", "end_s", "hold_s", "peak°", "side", "score"
        );
        for r in &self.reps {
            let side = r
                .side
                .map_or("-", |s| if s == Side::Left { "left" } else { "right" });
            let _ = writeln!(
                s,
                "{:>3}  {:>8.2}  {:>8.2}  {:>6}  {:>6.1}  {:>5}  {:>5.2}  {}",
                r.n,
                r.start_s,
                r.end_s,
                opt(r.hold_s, 1),
                r.peak_deg,
                side,
                r.score,
                r.flags.join(",")
            );
        }
        for r in &self.attempts {
            let _ = writeln!(
                s,
                "  -  {:>8.2}  {:>8.2}  {:>6}  {:>6.1}  {:>5}  {:>5.2}  not counted ({}): {}",
                r.start_s,
                r.end_s,
                opt(r.hold_s, 1),
                r.peak_deg,
                "",
                r.score,
                r.reason.unwrap_or("-"),
                r.flags.join(",")
            );
        }
        for w in &self.warnings {
            let _ = writeln!(s, "warning: {w}");
        }
        let _ = writeln!(
            s,
            "reps {} of {}; holds in range {}",
            self.summary.reps, self.summary.target_reps, self.summary.holds_in_range
        );
        s
    }
}

impl PostureReport {
    /// The report as a table for people.
    pub fn table(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "posture: {:.1} s", self.duration_s);
        let _ = writeln!(
            s,
            "{:>8}  {:>8}  {:>6}  {:>8}",
            "start_s", "end_s", "peak°", "alert_s"
        );
        for e in &self.episodes {
            let _ = writeln!(
                s,
                "{:>8.2}  {:>8.2}  {:>6.1}  {:>8}",
                e.start_s,
                e.end_s,
                e.peak_deg,
                opt(e.alert_s, 2)
            );
        }
        for w in &self.warnings {
            let _ = writeln!(s, "warning: {w}");
        }
        let upright = self
            .upright_fraction
            .map_or_else(|| "-".into(), |f| format!("{:.1}%", f * 100.0));
        let _ = writeln!(
            s,
            "episodes {}; alerts {}; upright {}",
            self.episodes.len(),
            self.alerts,
            upright
        );
        s
    }
}

impl RepReport {
    /// The header of [`RepReport::row`].
    pub fn row_header() -> String {
        format!(
            "{:>8}  {:>10}  {:>4}  {:>6}  {:>14}  {:>8}  file",
            "samples", "duration_s", "reps", "target", "holds_in_range", "attempts"
        )
    }

    /// The report in one line, for a run over many files.
    pub fn row(&self, file: &str) -> String {
        format!(
            "{:>8}  {:>10.1}  {:>4}  {:>6}  {:>14}  {:>8}  {file}",
            self.samples,
            self.duration_s,
            self.summary.reps,
            self.summary.target_reps,
            self.summary.holds_in_range,
            self.attempts.len()
        )
    }
}

impl PostureReport {
    /// The header of [`PostureReport::row`].
    pub fn row_header() -> String {
        format!(
            "{:>10}  {:>8}  {:>6}  {:>7}  file",
            "duration_s", "episodes", "alerts", "upright"
        )
    }

    /// The report in one line, for a run over many files.
    pub fn row(&self, file: &str) -> String {
        let upright = self
            .upright_fraction
            .map_or_else(|| "-".into(), |f| format!("{:.1}%", f * 100.0));
        format!(
            "{:>10.1}  {:>8}  {:>6}  {:>7}  {file}",
            self.duration_s,
            self.episodes.len(),
            self.alerts,
            upright
        )
    }
}
