//! The rep counter for one exercise and one strap: orientation, movement and the
//! counting strategy the spec asks for, behind one `push(sample) -> events`.

use super::cycles::{CycleCounter, CycleParams};
use super::pose::PoseCounter;
use super::rep::{Progress, Rep, RepEvent, Side};
use super::settle::{self, SetRecorder};
use super::settled::Settled;
use super::still::StillFinder;
use super::tilt::{TiltCounter, TiltParams};
use super::vec3::Vec3;
use super::{Frame, Sample, Tracker};
use crate::exercises::{ExerciseSpec, Measure};

/// Seconds of stillness that make the rest pose when none is given.
pub const REFERENCE_STILL_S: f64 = 1.5;

/// How often a count that settles at the end of the set is settled on the set
/// so far, for the count shown live: every this many seconds of the set's own
/// time ([`Shown`]) ...
///
/// A rep that only settling finds shows at the first settling after it ends.
/// Every 2 s, and every tenth of the set past 20 s, a minute's set showed its
/// reps up to 6 s (two shoulder reps) late; every second, and every twentieth
/// past 20 s, one rep in ten of the real sets shows over 0.6 s after it ended
/// (shoulder-physio-watch; 1.0 s before) and 2.2 s (physio-pt; 2.6 s): `cargo
/// run --release --example score_real -- --lag`. It costs a quarter more CPU in
/// `postured analyze` of a folder of such sets; nothing a daemon notices.
const RESETTLE_S: f64 = 1.0;
/// ... or, in a long set, once it has grown by this fraction: the cost of a
/// settling grows with the set.
const RESETTLE_GROWTH: f64 = 0.05;
/// Past this much of a set (s), the live cycle count goes on alone until the
/// set settles at its end: a set of reps lasts minutes, and an hour of
/// movement settled over and over would cost seconds.
const RESETTLE_MAX_S: f64 = 600.0;

#[derive(Debug, Clone)]
#[allow(
    clippy::large_enum_variant,
    reason = "one counter per strap, never moved on a hot path"
)]
enum Strategy {
    Tilt(TiltCounter),
    Pose(PoseCounter),
    Cycles(CycleCounter),
}

/// Counts reps of one exercise from one strap's samples.
#[derive(Debug, Clone)]
pub struct Counter {
    tracker: Tracker,
    finder: StillFinder,
    strategy: Strategy,
    target: crate::exercises::Target,
    /// The set's movement, kept for settling (counts of any movement only).
    recorder: Option<SetRecorder>,
    /// Gaps in the samples (last before, first after), s, for a count that
    /// stands as counted live ([`Settled::live_across_gaps`]).
    gaps: Vec<(f64, f64)>,
    /// The reps reported live, for settling.
    live: Vec<Rep>,
    /// A pose measured from upright with no calibration given: the first still
    /// pose stands in for upright, and the count says so.
    upright_guessed: bool,
    /// The count shown live, for a count that settles at the end.
    shown: Option<Shown>,
}

/// The count shown live for a count of any movement that settles at the end
/// of the set: the larger of the live cycle count and the whole reps that
/// settling finds in the set so far (every [`RESETTLE_S`]), never going down.
///
/// The live cycle counter follows one peak after another with filters of
/// fixed tuning; reps quicker than its low-pass (a shoulder pendulum at
/// 0.8 Hz), or a slow drift that takes its direction, leave it far behind the
/// set (6 of 20 reps), and only the count at the end caught up. Settled on the
/// set so far, the same movement shows its reps as the set goes on. Each rep
/// shown is reported once ([`RepEvent::RepDone`], numbered in turn): a rep of
/// the cycle counter that settling has already shown is not reported again.
#[derive(Debug, Clone, Default)]
struct Shown {
    /// Reps reported.
    reps: u32,
    /// Reps the live cycle counter has counted.
    counted: u32,
    /// When the set so far is next settled, and when the set began (s).
    next_s: Option<f64>,
    start_s: f64,
    /// Whether the set's target has been reported reached.
    set_done: bool,
}

impl Shown {
    /// Takes the live counter's events after `before` in `out` at `t` (s),
    /// and the whole reps settling finds in `rec` so far, and reports each
    /// new rep once.
    fn update(
        &mut self,
        t: f64,
        rec: &SetRecorder,
        target: &crate::exercises::Target,
        before: usize,
        out: &mut Vec<RepEvent>,
    ) {
        let live: Vec<RepEvent> = out.drain(before..).collect();
        for e in live {
            match e {
                RepEvent::RepDone(mut r) => {
                    self.counted += 1;
                    if self.counted > self.reps {
                        self.reps += 1;
                        r.n = self.reps;
                        out.push(RepEvent::RepDone(r));
                    }
                }
                // Reported below, from the reps shown.
                RepEvent::SetDone { .. } => {}
                e => out.push(e),
            }
        }
        let next = *self.next_s.get_or_insert_with(|| {
            self.start_s = t;
            t + RESETTLE_S
        });
        if t >= next && t - self.start_s <= RESETTLE_MAX_S && !rec.overflowed() {
            self.next_s = Some(t + RESETTLE_S.max(RESETTLE_GROWTH * (t - self.start_s)));
            // Whole reps only: a lone half swing at the end is the rep under
            // way, which the set so far cuts short.
            let whole: Vec<settle::Cycle> = settle::settle(rec, target.min_rep_s)
                .into_iter()
                .filter(|c| c.turn_s < c.end_s)
                .collect();
            let reps = Settled::from_cycles(target, &[], &whole).reps;
            for mut r in reps.into_iter().skip(self.reps as usize) {
                self.reps += 1;
                r.n = self.reps;
                out.push(RepEvent::RepDone(r));
            }
        }
        if !self.set_done && target.reps > 0 && self.reps >= target.reps {
            self.set_done = true;
            out.push(RepEvent::SetDone { t, reps: self.reps });
        }
    }
}

impl Counter {
    /// A counter for `spec`. `side` is the side of the body the strap is on, for
    /// sided exercises measured on a limb. `reference` is the rest pose's up
    /// direction in the sensor frame; without one, the first
    /// `REFERENCE_STILL_S` seconds of stillness become the rest pose.
    pub fn new(spec: &ExerciseSpec, side: Option<Side>, reference: Option<Vec3>) -> Self {
        let target = spec.target.clone();
        // A side means something only for sided exercises.
        let side = side.filter(|_| spec.target.sides != crate::exercises::Sides::None);
        let settles = matches!(
            spec.measure,
            Measure::Cycles {
                axis: crate::exercises::CycleAxis::Principal,
                settle: true,
                ..
            }
        );
        let strategy = match spec.measure {
            Measure::Tilt { start_deg } => Strategy::Tilt(TiltCounter::new(
                TiltParams::new(target, start_deg, side),
                reference,
            )),
            Measure::Pose {} => Strategy::Pose(PoseCounter::new(target, side, reference)),
            Measure::Cycles {
                cutoff_hz,
                min_amplitude_g,
                hysteresis,
                axis,
                ..
            } => Strategy::Cycles(CycleCounter::new(CycleParams {
                target,
                cutoff_hz,
                min_amplitude_g,
                hysteresis,
                axis,
            })),
        };
        Self {
            tracker: Tracker::new(),
            finder: StillFinder::with_fallback(REFERENCE_STILL_S),
            strategy,
            target: spec.target.clone(),
            recorder: settles.then(SetRecorder::new),
            gaps: Vec::new(),
            live: Vec::new(),
            upright_guessed: reference.is_none() && matches!(spec.measure, Measure::Pose {}),
            shown: settles.then(Shown::default),
        }
    }

    /// This counter without the settling of the set so far for the count
    /// shown live ([`Shown`]): for a caller that wants only the count the set
    /// settles at (scoring recordings, tests), which is the same either way,
    /// at a fraction of the cost. The live count is then the live cycle
    /// count alone.
    #[must_use]
    pub fn settled_only(mut self) -> Self {
        self.shown = None;
        self
    }

    /// Feeds one sample; returns what happened (usually nothing, which costs no
    /// allocation).
    pub fn push(&mut self, s: &Sample) -> Vec<RepEvent> {
        let mut out = Vec::new();
        self.push_into(s, &mut out);
        out
    }

    /// Feeds samples in a batch; the events are the same as one at a time.
    pub fn push_batch(&mut self, samples: &[Sample]) -> Vec<RepEvent> {
        let mut out = Vec::new();
        for s in samples {
            self.push_into(s, &mut out);
        }
        out
    }

    /// Feeds one sample, appending events to `out`.
    pub fn push_into(&mut self, s: &Sample, out: &mut Vec<RepEvent>) {
        if let Some(frame) = self.tracker.update(s) {
            self.update(&frame, out);
        }
    }

    /// Feeds a frame from a [`Tracker`] shared with other detectors. Use either this
    /// or the `push` methods on one counter, not both.
    #[inline]
    pub fn update(&mut self, f: &Frame, out: &mut Vec<RepEvent>) {
        if let Some(r) = &mut self.recorder {
            r.push(f.t, f.accel, f.gyro, f.up);
        } else if f.dt > settle::GAP_S {
            self.gaps.push((f.t - f.dt, f.t));
        }
        let before = out.len();
        self.detect(f, out);
        if let (Some(shown), Some(rec)) = (&mut self.shown, &self.recorder) {
            shown.update(f.t, rec, &self.target, before, out);
        }
        self.live
            .extend(out[before..].iter().filter_map(|e| match e {
                RepEvent::RepDone(r) => Some(r.clone()),
                _ => None,
            }));
    }

    #[inline]
    fn detect(&mut self, f: &Frame, out: &mut Vec<RepEvent>) {
        match &mut self.strategy {
            Strategy::Tilt(c) => {
                if !c.has_reference() {
                    match self.finder.update(f.t, f.up, f.moving) {
                        Some(r) => c.set_reference(r),
                        None => return,
                    }
                }
                c.update(f.t, f.dt, f.up, f.moving, f.gyro.is_some(), out);
            }
            Strategy::Pose(c) => {
                if !c.has_reference() {
                    match self.finder.update(f.t, f.up, f.moving) {
                        Some(r) => c.set_reference(r),
                        None => return,
                    }
                }
                c.update(f.t, f.dt, f.up, f.gyro.is_some(), out);
            }
            Strategy::Cycles(c) => c.update(f.t, f.dt, f.accel, f.up, out),
        }
    }

    /// Settles the count once the set is over (call it once, after the last
    /// sample): a count of any movement is made again from the whole set's
    /// rhythm, and live reps it shows were not reps are withdrawn; other counts
    /// stand as they were counted live (a count along an axis with the reps a
    /// dropped link hid counted from the set's rhythm:
    /// [`Settled::live_across_gaps`]).
    pub fn settle(&self) -> Settled {
        self.settle_traced().0
    }

    /// [`Self::settle`], with the signal a count of any movement was settled on
    /// (`None` for counts that stand as counted live).
    pub fn settle_traced(&self) -> (Settled, Option<Vec<(f64, f64)>>) {
        let mut warnings = Vec::new();
        if let Some((a, b)) = self.finder.guessed() {
            warnings.push(format!(
                "nothing was still in the first {} s, so the steadiest moment ({a:.1}-{b:.1} s) \
                 was taken as the rest pose: start a set still for a second, calibrate, or give \
                 --reference-s",
                super::still::FALLBACK_S
            ));
        }
        if self.upright_guessed && self.finder.found().is_some() {
            warnings.push(
                "no upright calibration: the first still pose was taken as upright; calibrate \
                 the strap sitting or standing upright first (or give --reference-s over a \
                 moment upright)"
                    .to_owned(),
            );
        }
        let Some(rec) = self.recorder.as_ref().filter(|r| !r.overflowed()) else {
            if self.recorder.is_some() {
                warnings.push(format!(
                    "the set is longer than {} minutes: its live count stands unsettled",
                    settle::MAX_SET_S / 60.0
                ));
            }
            return match self.strategy {
                Strategy::Tilt(_) => (Settled::from_tilts(self.live.clone(), warnings), None),
                Strategy::Pose(_) => (Settled::live(self.live.clone(), warnings), None),
                Strategy::Cycles(_) => {
                    let gaps = self.gaps();
                    let (mut settled, unseen) =
                        Settled::live_across_gaps(self.live.clone(), gaps, Vec::new());
                    warnings.extend(gap_warnings(gaps, &unseen));
                    settled.warnings = warnings;
                    (settled, None)
                }
            };
        };
        let (cycles, trace) = settle::settle_traced(rec, self.target.min_rep_s);
        if cycles.is_empty() && !self.live.is_empty() {
            warnings.push(
                "no three like movements in a row: nothing in the set had a rep's rhythm, so the \
                 movements counted live are listed as not counted"
                    .to_owned(),
            );
        }
        let unseen: Vec<usize> = rec
            .gaps()
            .iter()
            .map(|&(a, b)| {
                cycles
                    .iter()
                    .filter(|c| c.unseen && c.start_s < b && a < c.end_s)
                    .count()
            })
            .collect();
        warnings.extend(gap_warnings(rec.gaps(), &unseen));
        let mut settled = Settled::from_cycles(&self.target, &self.live, &cycles);
        settled.warnings = warnings;
        (settled, Some(trace))
    }

    /// The gaps in the set's samples, as (last sample before, first after), s:
    /// longer than [`settle::GAP_S`].
    pub fn gaps(&self) -> &[(f64, f64)] {
        self.recorder.as_ref().map_or(&self.gaps, |r| r.gaps())
    }

    /// Sets the rest pose (after a calibration; for a pose measured from
    /// upright, the upright pose).
    pub fn set_reference(&mut self, up: Vec3) {
        match &mut self.strategy {
            Strategy::Tilt(c) => c.set_reference(up),
            Strategy::Pose(c) => c.set_reference(up),
            Strategy::Cycles(_) => {}
        }
    }

    /// Whether the count measures from upright (the strap's calibration) rather
    /// than from the pose the set starts in.
    pub fn wants_upright(&self) -> bool {
        matches!(self.strategy, Strategy::Pose(_))
    }

    /// Reps counted so far.
    pub fn reps(&self) -> u32 {
        if let Some(shown) = &self.shown {
            return shown.reps;
        }
        match &self.strategy {
            Strategy::Tilt(c) => c.reps(),
            Strategy::Pose(c) => c.reps(),
            Strategy::Cycles(c) => c.reps(),
        }
    }

    /// For a count of cycles, the signal counted live (see
    /// [`CycleCounter::signal`]); `None` for other counts.
    pub fn cycle_signal(&self) -> Option<f64> {
        match &self.strategy {
            Strategy::Cycles(c) => c.signal(),
            _ => None,
        }
    }

    /// A live snapshot.
    pub fn progress(&self) -> Progress {
        match &self.strategy {
            Strategy::Tilt(c) => c.progress(),
            Strategy::Pose(c) => c.progress(),
            Strategy::Cycles(c) => Progress {
                referenced: true,
                reps: self.shown.as_ref().map_or(c.reps(), |s| s.reps),
                ..c.progress()
            },
        }
    }
}

/// What the wearer should know of each gap in the samples, with the reps made
/// then that were counted from the set's rhythm (`unseen`, per gap).
fn gap_warnings(gaps: &[(f64, f64)], unseen: &[usize]) -> Vec<String> {
    gaps.iter()
        .zip(unseen)
        .map(|(&(a, b), &unseen)| {
            let counted = match unseen {
                0 => String::new(),
                1 => ": 1 rep made then is counted from the set's rhythm".to_owned(),
                n => format!(": {n} reps made then are counted from the set's rhythm"),
            };
            format!(
                "no samples for {:.1} s from {a:.1} s (the strap's link dropped or lost \
                 notifications){counted}",
                b - a
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::motion::rep::Flag;
    use std::path::Path;

    /// Ten presses of 0.5 m every 2.5 s at 50 Hz, counted along the vertical
    /// as the barbell specs count them, with the samples from `lost` missing.
    fn pressed(lost: (f64, f64)) -> Settled {
        let spec = crate::exercises::parse(
            "id = \"press\"\nname = \"Press\"\nplacement = [\"wrist\"]\n\
             [measure]\nkind = \"cycles\"\naxis = \"vertical\"\ncutoff_hz = 2.0\n\
             hysteresis = 1.2\nmin_amplitude_g = 0.01\n[target]\nreps = 10\nmin_rep_s = 1.0\n",
            Path::new("press.toml"),
        )
        .unwrap();
        let (period, rise_m, w) = (2.5, 0.5, std::f64::consts::TAU / 2.5);
        let samples: Vec<Sample> = (0..((10.0 * period + 4.0) * 50.0) as usize)
            .map(|i| i as f64 / 50.0)
            .filter(|t| !(lost.0..lost.1).contains(t))
            .map(|t| {
                let tt = t - 2.0;
                let a = if tt > 0.0 && tt < 10.0 * period {
                    rise_m / 2.0 * w * w * (w * tt).cos()
                } else {
                    0.0
                };
                Sample {
                    t,
                    accel: [0.0, 0.0, 1.0 + a / 9.81],
                    gyro: None,
                }
            })
            .collect();
        let mut counter = Counter::new(&spec, None, None);
        counter.push_batch(&samples);
        counter.settle()
    }

    #[test]
    fn a_live_count_counts_the_rep_a_dropped_link_hid_from_the_rhythm() {
        assert_eq!(pressed((0.0, 0.0)).reps.len(), 10);
        let s = pressed((13.1, 15.3));
        assert_eq!(
            s.live_reps, 9,
            "the rep under way when the link dropped is lost live"
        );
        assert_eq!(s.reps.len(), 10);
        assert_eq!(
            s.reps
                .iter()
                .filter(|r| r.flags.contains(&Flag::Unseen))
                .count(),
            1
        );
        assert!(
            s.warnings
                .iter()
                .any(|w| w.contains("1 rep made then is counted")),
            "{:?}",
            s.warnings
        );
    }
}
