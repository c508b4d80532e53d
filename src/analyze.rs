//! `postured analyze`: runs the detection core over a recording and reports what it
//! found, as JSON for tools and as a table for people. Both forms are stable.

use std::fmt::Write as _;

use serde::Serialize;

use crate::exercises::ExerciseSpec;
use crate::motion::{
    Counter, Monitor, PostureConfig, PostureEvent, Rep, RepEvent, Sample, Side, Vec3,
};

/// One rep as reported.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RepRow {
    /// 1-based.
    pub n: u32,
    /// Start (s).
    pub start_s: f64,
    /// End (s).
    pub end_s: f64,
    /// Time held at the target (s); `null` for movements without a hold.
    pub hold_s: Option<f64>,
    /// Largest angle (deg).
    pub peak_deg: f64,
    /// `left`, `right` or `null`.
    pub side: Option<Side>,
    /// 0..=1.
    pub score: f64,
    /// What was missed.
    pub flags: Vec<&'static str>,
    /// Why a movement was not counted (attempts only): `short_of_target`,
    /// `lead_in`, `lead_out`, `out_of_rhythm`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'static str>,
}

/// Totals of a rep report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RepSummary {
    /// Reps counted.
    pub reps: u32,
    /// Reps the spec asks for in a set.
    pub target_reps: u32,
    /// Reps whose hold was within the target range (no `short_hold` or `long_hold`).
    pub holds_in_range: u32,
}

/// What `analyze --exercise` prints.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RepReport {
    /// The spec's id.
    pub exercise: String,
    /// Samples read.
    pub samples: usize,
    /// Length of the recording (s).
    pub duration_s: f64,
    /// Every counted rep, as settled at the end of the recording.
    pub reps: Vec<RepRow>,
    /// Movements that were not counted, each with its reason: short of the target,
    /// or reported live and withdrawn when the set settled.
    pub attempts: Vec<RepRow>,
    /// Reps the live count reported before the set settled.
    pub live_reps: u32,
    /// What to know about how the count was made (e.g. a guessed rest pose).
    pub warnings: Vec<String>,
    /// Totals.
    pub summary: RepSummary,
}

/// One slouch episode as reported.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EpisodeRow {
    /// Start (s).
    pub start_s: f64,
    /// End (s).
    pub end_s: f64,
    /// Largest tilt (deg).
    pub peak_deg: f64,
    /// When the alert fired, or `null`.
    pub alert_s: Option<f64>,
}

/// What `analyze --posture` prints.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PostureReport {
    /// Length of the recording (s).
    pub duration_s: f64,
    /// Every slouch episode.
    pub episodes: Vec<EpisodeRow>,
    /// Alerts raised.
    pub alerts: u32,
    /// Time upright over time upright or slouched; `null` if neither occurred.
    pub upright_fraction: Option<f64>,
}

fn round(x: f64, places: i32) -> f64 {
    let k = 10f64.powi(places);
    (x * k).round() / k
}

fn duration(samples: &[Sample]) -> f64 {
    samples
        .last()
        .zip(samples.first())
        .map_or(0.0, |(b, a)| round(b.t - a.t, 3))
}

/// Counts the reps of `spec` in `samples`.
pub fn reps(
    spec: &ExerciseSpec,
    samples: &[Sample],
    side: Option<Side>,
    reference: Option<Vec3>,
) -> RepReport {
    let mut counter = Counter::new(spec, side, reference);
    let events = counter.push_batch(samples);
    let row = |r: &Rep| RepRow {
        n: r.n,
        start_s: round(r.start_s, 2),
        end_s: round(r.end_s, 2),
        hold_s: r.hold.map(|h| round(h.held_s, 2)),
        peak_deg: round(r.peak_deg, 1),
        side: r.side,
        score: r.score,
        flags: r.flags.iter().map(|f| f.as_str()).collect(),
        reason: None,
    };
    let settled = counter.settle();
    let reps: Vec<RepRow> = settled.reps.iter().map(row).collect();
    let mut attempts: Vec<RepRow> = events
        .iter()
        .filter_map(|e| match e {
            RepEvent::Attempt(r) => Some(RepRow {
                reason: Some("short_of_target"),
                ..row(r)
            }),
            _ => None,
        })
        .collect();
    attempts.extend(settled.withdrawn.iter().map(|w| RepRow {
        reason: Some(w.reason.as_str()),
        ..row(&w.rep)
    }));
    attempts.sort_by(|a, b| a.start_s.total_cmp(&b.start_s));
    // In range = neither flag says otherwise, so the summary and the flags agree.
    let holds_in_range = reps
        .iter()
        .filter(|r| {
            r.hold_s.is_some()
                && !r
                    .flags
                    .iter()
                    .any(|f| *f == "short_hold" || *f == "long_hold")
        })
        .count();
    RepReport {
        exercise: spec.id.clone(),
        samples: samples.len(),
        duration_s: duration(samples),
        summary: RepSummary {
            reps: reps.len() as u32,
            target_reps: spec.target.reps,
            holds_in_range: holds_in_range as u32,
        },
        reps,
        attempts,
        live_reps: settled.live_reps,
        warnings: settled.warnings,
    }
}

/// A picture of how `spec` counts `samples` (see [`crate::plot`]): for a tilt or
/// hold exercise the angle from the rest pose with the target band; for a count of
/// any movement the signal the settled count used.
pub fn plot(
    spec: &ExerciseSpec,
    samples: &[Sample],
    side: Option<Side>,
    reference: Option<Vec3>,
) -> String {
    use crate::plot::{Plot, Span, thin};
    let mut counter = Counter::new(spec, side, reference);
    let (mut events, mut angle) = (Vec::new(), Vec::new());
    for s in samples {
        counter.push_into(s, &mut events);
        let p = counter.progress();
        if p.referenced {
            angle.push((s.t, p.angle_deg));
        }
    }
    let (settled, settle_trace) = counter.settle_traced();
    let span = |r: &Rep, label: String, note: String| Span {
        start_s: r.start_s,
        end_s: r.end_s,
        hold: r
            .hold
            .filter(|h| h.held_s > 0.0)
            .map(|h| (h.start_s, h.end_s)),
        label,
        note,
    };
    let flags = |r: &Rep| {
        r.flags
            .iter()
            .map(|f| f.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let reps = settled
        .reps
        .iter()
        .map(|r| span(r, r.n.to_string(), flags(r)))
        .collect();
    let mut others: Vec<Span> = events
        .iter()
        .filter_map(|e| match e {
            RepEvent::Attempt(r) => Some(span(r, "-".into(), "short of target".into())),
            _ => None,
        })
        .collect();
    others.extend(
        settled
            .withdrawn
            .iter()
            .map(|w| span(&w.rep, "-".into(), w.reason.as_str().into())),
    );
    let t = spec.target.tolerance_deg;
    let (y_label, trace, band, rest) = match settle_trace {
        Some(tr) => (
            "movement along its main direction (settled; RMS units)",
            tr,
            None,
            None,
        ),
        None => (
            "angle from the rest pose (deg)",
            angle,
            spec.target.angle_deg.map(|[lo, hi]| (lo - t, hi + t)),
            Some(0.0),
        ),
    };
    crate::plot::svg(&Plot {
        title: format!(
            "{}: {} reps counted (live {}), {} not counted",
            spec.id,
            settled.reps.len(),
            settled.live_reps,
            others.len()
        ),
        y_label: y_label.into(),
        trace: thin(trace, 6000),
        band,
        rest,
        reps,
        others,
    })
}

/// Finds slouch episodes in `samples`.
pub fn posture(cfg: PostureConfig, samples: &[Sample], reference: Option<Vec3>) -> PostureReport {
    let mut monitor = Monitor::new(cfg, reference);
    let mut events = Vec::new();
    for s in samples {
        monitor.push_into(s, &mut events);
    }
    if let Some(last) = samples.last() {
        events.extend(monitor.finish(last.t));
    }
    let episodes: Vec<EpisodeRow> = events
        .iter()
        .filter_map(|e| match e {
            PostureEvent::SlouchEnded(ep) => Some(EpisodeRow {
                start_s: round(ep.start_s, 2),
                end_s: round(ep.end_s, 2),
                peak_deg: round(ep.peak_deg, 1),
                alert_s: ep.alert_s.map(|t| round(t, 2)),
            }),
            _ => None,
        })
        .collect();
    PostureReport {
        duration_s: duration(samples),
        alerts: episodes.iter().filter(|e| e.alert_s.is_some()).count() as u32,
        episodes,
        upright_fraction: monitor.totals().upright_fraction().map(|f| round(f, 3)),
    }
}

/// The mean up direction over `[from, to]` seconds of the recording, for an
/// explicit reference pose.
pub fn reference_between(samples: &[Sample], from: f64, to: f64) -> Option<Vec3> {
    let mut sum = [0.0; 3];
    let mut n = 0;
    for s in samples.iter().filter(|s| s.t >= from && s.t <= to) {
        if let Some(u) = crate::motion::vec3::unit(s.accel) {
            sum = crate::motion::vec3::add(sum, u);
            n += 1;
        }
    }
    (n > 0).then(|| crate::motion::vec3::unit(sum)).flatten()
}

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
