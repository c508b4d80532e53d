//! `postured analyze`: runs the detection core over a recording and reports what it
//! found, as JSON for tools and as a table for people. Both forms are stable.

use std::borrow::Borrow;

use serde::Serialize;

pub mod files;
mod picture;
mod table;

pub use picture::plot;

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
    /// `lead_in`, `lead_out`, `out_of_rhythm`, `partial`.
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
    /// What to know about how the recording was read (e.g. a converted unit).
    pub warnings: Vec<String>,
}

fn round(x: f64, places: i32) -> f64 {
    let k = 10f64.powi(places);
    (x * k).round() / k
}

/// The time a stream of samples spans.
#[derive(Debug, Clone, Copy, Default)]
struct Span {
    samples: usize,
    first: Option<f64>,
    last: f64,
}

impl Span {
    fn add(&mut self, t: f64) {
        self.samples += 1;
        self.first.get_or_insert(t);
        self.last = t;
    }

    fn duration_s(&self) -> f64 {
        self.first.map_or(0.0, |first| round(self.last - first, 3))
    }
}

/// Counting the reps of one exercise over a stream of samples: [`push`] each
/// sample in time order, then [`finish`] for the report. Memory grows with the
/// reps found, not with the samples.
///
/// [`push`]: RepAnalysis::push
/// [`finish`]: RepAnalysis::finish
#[derive(Debug)]
pub struct RepAnalysis {
    spec_id: String,
    target_reps: u32,
    counter: Counter,
    /// Movements short of the target, in order (the reps come from settling).
    found: Vec<RepEvent>,
    scratch: Vec<RepEvent>,
    span: Span,
}

impl RepAnalysis {
    /// A fresh analysis; `side` and `reference` as for [`Counter::new`].
    pub fn new(spec: &ExerciseSpec, side: Option<Side>, reference: Option<Vec3>) -> Self {
        Self {
            spec_id: spec.id.clone(),
            target_reps: spec.target.reps,
            counter: Counter::new(spec, side, reference),
            found: Vec::new(),
            scratch: Vec::new(),
            span: Span::default(),
        }
    }

    /// Feeds the next sample.
    pub fn push(&mut self, s: &Sample) {
        self.span.add(s.t);
        self.counter.push_into(s, &mut self.scratch);
        if !self.scratch.is_empty() {
            self.found.extend(
                self.scratch
                    .drain(..)
                    .filter(|e| matches!(e, RepEvent::Attempt(_))),
            );
        }
    }

    /// The report, after the last sample: the count settles here, once.
    pub fn finish(self) -> RepReport {
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
        let settled = self.counter.settle();
        let reps: Vec<RepRow> = settled.reps.iter().map(row).collect();
        let mut attempts: Vec<RepRow> = self
            .found
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
            exercise: self.spec_id,
            samples: self.span.samples,
            duration_s: self.span.duration_s(),
            summary: RepSummary {
                reps: reps.len() as u32,
                target_reps: self.target_reps,
                holds_in_range: holds_in_range as u32,
            },
            reps,
            attempts,
            live_reps: settled.live_reps,
            warnings: settled.warnings,
        }
    }
}

/// Counts the reps of `spec` in `samples`.
pub fn reps<S: Borrow<Sample>>(
    spec: &ExerciseSpec,
    samples: impl IntoIterator<Item = S>,
    side: Option<Side>,
    reference: Option<Vec3>,
) -> RepReport {
    let mut analysis = RepAnalysis::new(spec, side, reference);
    for s in samples {
        analysis.push(s.borrow());
    }
    analysis.finish()
}

/// Finding slouch episodes over a stream of samples: [`push`] each sample in
/// time order, then [`finish`] for the report.
///
/// [`push`]: PostureAnalysis::push
/// [`finish`]: PostureAnalysis::finish
#[derive(Debug)]
pub struct PostureAnalysis {
    monitor: Monitor,
    /// Episodes, in order.
    ended: Vec<PostureEvent>,
    scratch: Vec<PostureEvent>,
    span: Span,
}

impl PostureAnalysis {
    /// A fresh analysis; `reference` as for [`Monitor::new`].
    pub fn new(cfg: PostureConfig, reference: Option<Vec3>) -> Self {
        Self {
            monitor: Monitor::new(cfg, reference),
            ended: Vec::new(),
            scratch: Vec::new(),
            span: Span::default(),
        }
    }

    /// Feeds the next sample.
    pub fn push(&mut self, s: &Sample) {
        self.span.add(s.t);
        self.monitor.push_into(s, &mut self.scratch);
        self.keep_episodes();
    }

    fn keep_episodes(&mut self) {
        if !self.scratch.is_empty() {
            self.ended.extend(
                self.scratch
                    .drain(..)
                    .filter(|e| matches!(e, PostureEvent::SlouchEnded(_))),
            );
        }
    }

    /// The report, after the last sample.
    pub fn finish(mut self) -> PostureReport {
        if self.span.first.is_some() {
            self.scratch = self.monitor.finish(self.span.last);
            self.keep_episodes();
        }
        let episodes: Vec<EpisodeRow> = self
            .ended
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
            duration_s: self.span.duration_s(),
            alerts: episodes.iter().filter(|e| e.alert_s.is_some()).count() as u32,
            episodes,
            upright_fraction: self
                .monitor
                .totals()
                .upright_fraction()
                .map(|f| round(f, 3)),
            warnings: Vec::new(),
        }
    }
}

/// Finds slouch episodes in `samples`.
pub fn posture<S: Borrow<Sample>>(
    cfg: PostureConfig,
    samples: impl IntoIterator<Item = S>,
    reference: Option<Vec3>,
) -> PostureReport {
    let mut analysis = PostureAnalysis::new(cfg, reference);
    for s in samples {
        analysis.push(s.borrow());
    }
    analysis.finish()
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
