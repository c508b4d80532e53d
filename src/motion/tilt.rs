//! Reps that tilt the strap away from a rest pose and back, with the hold at the
//! target timed: leg raises, wall slides, stretches, planks.

use std::collections::VecDeque;

use super::braking::{
    AngleTrail, BRAKING_WINDOW_S, CentredSpeed, SPEED_WINDOW_S, braking_from_peak, hold_window_s,
    still_dps,
};
use super::filter::{Ema, alpha};
use super::rep::{Hold, Progress, Rep, RepEvent, Side, score};
use super::settled::{MIN_REPS_FOR_TYPICAL, looks_partial, typical_peak};
use super::vec3::{Vec3, lerp, unit, unit_angle_deg};
use crate::exercises::Target;

/// A rep ends when the angle falls below this fraction of the start threshold.
const END_FRACTION: f64 = 0.6;
/// The rep's start is back-dated to when the angle was last below this (deg).
const LOW_DEG: f64 = 2.5;
/// A dip below the end threshold shorter than this is a pause, not the end (s).
const MERGE_S: f64 = 0.6;
/// A hold exercise's excursion held for less than this, or less than
/// [`MIN_COUNTED_HOLD_FRACTION`] of the target's minimum, is an attempt, not a rep (s).
const MIN_COUNTED_HOLD_S: f64 = 1.0;
const MIN_COUNTED_HOLD_FRACTION: f64 = 0.25;
/// Smoothing of the angle against noise and tremor (s).
const TAU_ANGLE_S: f64 = 0.1;
/// Gaps in a hold shorter than this are wobbles (sway, a moment of tremor) and
/// count as held (s).
const BRIDGE_S: f64 = 1.0;
/// A still pose this far beyond the band's top (plus tolerance) becomes the new
/// rest pose after [`REANCHOR_STILL_S`] (deg).
const REANCHOR_MARGIN_DEG: f64 = 25.0;
const REANCHOR_STILL_S: f64 = 2.0;
/// Still in a pose means the angle staying within this of the middle of its
/// range over [`REANCHOR_STILL_S`] (deg), however fast it sways inside it: a
/// swaying or breathing wearer is never still by angular speed, and a settled
/// pose is judged from the angle, as the rest pose is ([`super::still`]).
const REANCHOR_WANDER_DEG: f64 = 3.0;
/// Time constant of the rest pose's slow re-adaptation between reps (s).
const REST_ADAPT_TAU_S: f64 = 20.0;
/// How much of a rep's angles are kept to time its hold's ends again (s).
const TRACE_S: f64 = 20.0;
/// How long past the hold's start (as found live) the ramp into it is kept, to
/// time the start again from the ramp's braking (s).
const RAMP_TAIL_S: f64 = 2.0;
/// How far past the hold's start as found live (before its end) the ramp's
/// braking is looked for (s).
const BRAKING_SEARCH_S: f64 = 0.5;
/// A hold's start or end timed from a ramp's braking further than this from
/// where it was found live is a wobble's, not the ramp's: the live time
/// stands (s).
const BRAKING_MAX_SHIFT_S: f64 = 1.5;

/// Thresholds derived from a spec.
#[derive(Debug, Clone)]
pub struct TiltParams {
    pub target: Target,
    pub start_deg: f64,
    pub side: Option<Side>,
}

impl TiltParams {
    /// Start threshold: explicit, or half the lower target angle, at least 5 deg.
    pub fn new(target: Target, start_deg: Option<f64>, side: Option<Side>) -> Self {
        let default = target.angle_deg.map_or(10.0, |[lo, _]| (lo * 0.5).max(5.0));
        Self {
            start_deg: start_deg.unwrap_or(default),
            target,
            side,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum State {
    Rest,
    InRep,
    Ending { since: f64 },
}

#[derive(Debug, Clone)]
struct RepBuild {
    start_s: f64,
    peak_deg: f64,
    /// Fastest the angle turned before the hold began (deg/s), and when.
    ramp_dps: f64,
    ramp_t: f64,
    hold: Option<Hold>,
    /// The window the hold is judged over, once it has started (s).
    window_s: Option<f64>,
    segment_start: Option<f64>,
    /// When the hold's latest stretch began (s).
    last_segment: f64,
    /// Fastest the angle turned after the hold last ended (deg/s), and when:
    /// the ramp out of it.
    lower_dps: f64,
    lower_t: f64,
    left_band: bool,
    /// Whether every angle of the rep came from an orientation a gyro keeps.
    fused: bool,
}

/// Whether `angle` is in the target band (plus its tolerance), or past the start
/// threshold for a target without one.
fn in_band(p: &TiltParams, angle: f64) -> bool {
    let tol = p.target.tolerance_deg;
    match p.target.angle_deg {
        Some([lo, hi]) => angle >= lo - tol && angle <= hi + tol,
        None => angle >= p.start_deg,
    }
}

/// Counts tilt reps given the up direction (see [`super::Orientation`]).
#[derive(Debug, Clone)]
pub struct TiltCounter {
    p: TiltParams,
    reference: Option<Vec3>,
    fast: Ema,
    window: CentredSpeed,
    state: State,
    last_low_t: f64,
    rep: Option<RepBuild>,
    /// The smoothed angles (and their times) of the rep under way since its
    /// hold began, the last [`TRACE_S`] of them at most: where the hold ended
    /// is timed again from them once the ramp out of it is known
    /// ([`Self::retime_end`]).
    trace: AngleTrail,
    /// The angles (and their times) of the rep under way from its start until
    /// [`RAMP_TAIL_S`] after its hold began, the last [`TRACE_S`] of them at
    /// most: where the hold began is timed again from them
    /// ([`Self::retime_by_braking`]).
    ramp_in: AngleTrail,
    /// The angles (and their times) of the last [`REANCHOR_STILL_S`] while the
    /// strap is near or beyond a pose far from the band
    /// ([`Self::settled_elsewhere`]).
    far_angles: VecDeque<(f64, f64)>,
    reps: u32,
    /// Peak angles of the reps counted so far.
    peaks: Vec<f64>,
    /// Reps that bring the set toward its target: all but the ones that look
    /// like half reps beside the others (which settling will withdraw).
    toward_target: u32,
    attempts: u32,
    set_done: bool,
    progress: Progress,
}

impl TiltCounter {
    /// A counter; without a reference it waits for [`Self::set_reference`].
    pub fn new(p: TiltParams, reference: Option<Vec3>) -> Self {
        Self {
            p,
            reference: reference.and_then(unit),
            fast: Ema::new(TAU_ANGLE_S),
            window: CentredSpeed::new(SPEED_WINDOW_S),
            state: State::Rest,
            last_low_t: 0.0,
            rep: None,
            trace: AngleTrail::new(TRACE_S),
            ramp_in: AngleTrail::new(TRACE_S),
            far_angles: VecDeque::new(),
            reps: 0,
            peaks: Vec::new(),
            toward_target: 0,
            attempts: 0,
            set_done: false,
            progress: Progress::default(),
        }
    }

    /// Sets (or replaces) the rest pose.
    pub fn set_reference(&mut self, up: Vec3) {
        self.reference = unit(up);
    }

    /// Whether a rest pose is known.
    pub fn has_reference(&self) -> bool {
        self.reference.is_some()
    }

    /// Reps counted.
    pub fn reps(&self) -> u32 {
        self.reps
    }

    /// The live snapshot.
    pub fn progress(&self) -> Progress {
        self.progress
    }

    /// Feeds the up direction at `t`, `dt` after the previous one; `fused`
    /// says whether a gyro keeps it (the orientation's, see
    /// [`super::Orientation`]), not the accelerometer alone.
    #[inline]
    pub fn update(
        &mut self,
        t: f64,
        dt: f64,
        up: Vec3,
        moving: bool,
        fused: bool,
        out: &mut Vec<RepEvent>,
    ) {
        let Some(reference) = self.reference else {
            return;
        };
        let raw = unit_angle_deg(up, reference);
        let fast = self.fast.update(raw, dt);
        let (speed_t, _, speed) = self.window.push(t, fast);
        if fast < LOW_DEG {
            self.last_low_t = t;
        }
        let end_deg = self.p.start_deg * END_FRACTION;
        match self.state {
            State::Rest => {
                if fast > self.p.start_deg {
                    self.begin(out);
                } else if !moving && fast < LOW_DEG {
                    let k = alpha(dt, REST_ADAPT_TAU_S);
                    self.reference = unit(lerp(reference, up, k)).or(self.reference);
                }
            }
            State::InRep if fast < end_deg => self.state = State::Ending { since: t },
            State::InRep => {}
            State::Ending { .. } if fast > self.p.start_deg => self.state = State::InRep,
            State::Ending { since } if t - since >= MERGE_S => {
                self.finish(since, out);
                self.state = State::Rest;
            }
            State::Ending { .. } => {}
        }
        if self.state != State::Rest {
            if let Some(r) = self.rep.as_mut() {
                r.fused &= fused;
            }
            if self
                .rep
                .as_ref()
                .is_some_and(|r| r.hold.is_none_or(|h| t < h.start_s + RAMP_TAIL_S))
            {
                self.ramp_in.push(t, fast);
            }
            if self.rep.as_ref().is_some_and(|r| r.hold.is_some()) {
                self.trace.push(t, fast);
            }
            self.track(fast, (speed_t, speed), out);
        }
        if self.settled_elsewhere(t, fast) {
            self.reanchor(up);
        }
        self.progress.angle_deg = fast;
        self.progress.referenced = true;
    }

    /// Whether the wearer has settled, still, in a pose so far from the rest pose
    /// that no rep of this exercise goes there: they have moved into the
    /// exercise's real starting position (lying on the other side, knees bent).
    /// Settled: over the last [`REANCHOR_STILL_S`], the angle stayed within
    /// [`REANCHOR_WANDER_DEG`] of the middle of its range, and reached the far
    /// edge ([`REANCHOR_MARGIN_DEG`] beyond the band and its tolerance): a pose
    /// at that edge, swayed about, is there.
    fn settled_elsewhere(&mut self, t: f64, angle: f64) -> bool {
        let Some([_, hi]) = self.p.target.angle_deg else {
            return false;
        };
        let far = hi + self.p.target.tolerance_deg + REANCHOR_MARGIN_DEG;
        if angle < far - REANCHOR_WANDER_DEG {
            self.far_angles.clear();
            return false;
        }
        self.far_angles.push_back((t, angle));
        while self.far_angles.len() > 2 && self.far_angles[1].0 <= t - REANCHOR_STILL_S {
            self.far_angles.pop_front();
        }
        let Some(&(first, _)) = self.far_angles.front() else {
            return false;
        };
        let (low, high) = self
            .far_angles
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &(_, a)| {
                (lo.min(a), hi.max(a))
            });
        t - first >= REANCHOR_STILL_S && high - low <= 2.0 * REANCHOR_WANDER_DEG && high >= far
    }

    /// Takes the current pose as the rest pose, dropping the excursion under way.
    fn reanchor(&mut self, up: Vec3) {
        self.reference = unit(up).or(self.reference);
        self.rep = None;
        self.state = State::Rest;
        self.far_angles.clear();
        self.window.clear();
        self.fast = Ema::new(TAU_ANGLE_S);
        self.progress.in_rep = false;
        self.progress.holding = false;
    }

    fn begin(&mut self, out: &mut Vec<RepEvent>) {
        self.state = State::InRep;
        self.rep = Some(RepBuild {
            start_s: self.last_low_t,
            peak_deg: 0.0,
            ramp_dps: 0.0,
            ramp_t: f64::NEG_INFINITY,
            hold: None,
            window_s: None,
            segment_start: None,
            last_segment: 0.0,
            lower_dps: 0.0,
            lower_t: f64::NEG_INFINITY,
            left_band: false,
            fused: true,
        });
        self.trace.clear();
        self.ramp_in.clear();
        out.push(RepEvent::RepStarted {
            n: self.reps + 1,
            t: self.last_low_t,
        });
        self.progress.in_rep = true;
        self.progress.held_s = 0.0;
    }

    /// Times the hold, judged at the middle of the rep's hold window
    /// ([`hold_window_s`]); `now_angle` is the latest angle, `ramp` the speed
    /// over [`SPEED_WINDOW_S`] and the middle of that window. A hold starts
    /// only after the ramp into it turned fastest, and is held only past the
    /// start threshold: a moment judged before the ramp (the window lags) is
    /// the rest before the rep, and an angle under the threshold the rest
    /// after it, which a swaying wearer can hold still inside a band whose
    /// tolerance reaches down near the rest pose (a pelvic tilt's, to 1 deg).
    fn track(&mut self, now_angle: f64, ramp: (f64, f64), out: &mut Vec<RepEvent>) {
        let (speed_t, speed) = ramp;
        let n = self.reps + 1;
        let in_rep = matches!(self.state, State::InRep);
        let Some(rep) = self.rep.as_mut() else { return };
        rep.peak_deg = rep.peak_deg.max(now_angle);
        if rep.hold.is_none() && speed > rep.ramp_dps {
            rep.ramp_dps = speed;
            rep.ramp_t = speed_t;
        }
        if let Some(h) = rep.hold
            && rep.segment_start.is_none()
            && speed_t > h.end_s
            && speed > rep.lower_dps
        {
            rep.lower_dps = speed;
            rep.lower_t = speed_t;
        }
        let window_s = rep
            .window_s
            .unwrap_or_else(|| hold_window_s(SPEED_WINDOW_S, rep.ramp_dps, rep.peak_deg));
        let (t, angle, speed) = self.window.over(window_s);
        let in_band = in_rep && angle >= self.p.start_deg && in_band(&self.p, angle);
        let holding = in_band && t > rep.ramp_t && speed < still_dps(rep.ramp_dps, rep.peak_deg);
        match (holding, rep.segment_start, rep.hold.as_mut()) {
            (true, None, None) => {
                rep.hold = Some(Hold {
                    start_s: t,
                    end_s: t,
                    held_s: 0.0,
                    breaks: 0,
                });
                rep.segment_start = Some(t);
                rep.last_segment = t;
                rep.window_s = Some(window_s);
                out.push(RepEvent::HoldStarted { n, t });
            }
            (true, None, Some(h)) => {
                let gap = t - h.end_s;
                if gap <= BRIDGE_S {
                    h.held_s += gap;
                } else if rep.left_band {
                    h.breaks += 1;
                }
                rep.segment_start = Some(t);
                rep.last_segment = t;
                rep.lower_dps = 0.0;
                rep.left_band = false;
            }
            (false, Some(start), Some(h)) => {
                h.held_s += t - start;
                h.end_s = t;
                rep.segment_start = None;
                out.push(RepEvent::HoldEnded {
                    n,
                    t,
                    held_s: h.held_s,
                });
            }
            _ => {}
        }
        if !in_band && rep.segment_start.is_none() {
            rep.left_band = true;
        }
        let current = rep.segment_start.map_or(0.0, |s| t - s);
        self.progress.holding = holding;
        self.progress.held_s = rep.hold.map_or(0.0, |h| h.held_s) + current;
    }

    /// Times the end of the rep's hold again, now that the ramp out of it is
    /// known, as its start was timed from the ramp into it: the still
    /// threshold and window of the ramp out ([`still_dps`], [`hold_window_s`]),
    /// not of the ramp in. A lowering slower than the raise is found leaving
    /// the pose where it does, not late (against the raise's higher threshold),
    /// and a quicker one not early; a hold's length no longer depends on how
    /// much faster the wearer came out of it than went in.
    fn retime_end(&self, rep: &mut RepBuild) {
        let Some(h) = rep.hold.as_mut() else { return };
        if rep.segment_start.is_some() || rep.lower_dps <= 0.0 {
            return;
        }
        let limit = still_dps(rep.lower_dps, rep.peak_deg);
        let window_s = hold_window_s(SPEED_WINDOW_S, rep.lower_dps, rep.peak_deg);
        let mut judged = CentredSpeed::new(window_s);
        let mut last_held = None;
        let mut after = None;
        for &(t, angle) in self.trace.iter() {
            let (tm, am, v) = judged.push(t, angle);
            if tm < rep.last_segment {
                continue;
            }
            if tm >= rep.lower_t {
                break;
            }
            // As `track` judges it, with the ramp out's limit.
            let held = am >= self.p.start_deg && in_band(&self.p, am) && v < limit;
            if held {
                last_held = Some(tm);
                after = None;
            } else if last_held.is_some() && after.is_none() {
                after = Some(tm);
            }
        }
        if let (Some(_), Some(end)) = (last_held, after) {
            h.held_s += end - h.end_s;
            h.end_s = end;
        }
    }

    /// Times the hold again from where the ramps into and out of it brake
    /// ([`braking_from_peak`]): where the ramp in would stop, slowing as it slowed
    /// hardest, and where the ramp out set off, speeding up as it did fastest.
    /// A speed threshold finds a ramp's end where its speed falls under it,
    /// which is earlier the slower the ramp brakes at its very end, and a sway
    /// on the plateau at a few deg/s keeps it over the threshold for up to a
    /// second; the braking's slope is the ramp's own. Only for an angle a gyro
    /// keeps (`fused`): an accelerometer's angle is tilted by the strap's own
    /// acceleration just where a ramp brakes, and its slope there is not the
    /// ramp's. Where a ramp's braking is not found, the live start, and the end
    /// timed by [`Self::retime_end`], stand.
    fn retime_by_braking(&self, rep: &mut RepBuild) {
        self.retime_end(rep);
        let Some(h) = rep.hold.as_mut() else { return };
        if rep.segment_start.is_some() {
            return;
        }
        let near = |t: f64, live: f64| (t - live).abs() < BRAKING_MAX_SHIFT_S;
        // The ramp in, from its fastest to a little past the hold's start.
        let ramp_in: Vec<(f64, f64)> = self
            .ramp_in
            .iter()
            .copied()
            .take_while(|&(t, _)| t <= h.start_s + BRAKING_SEARCH_S + BRAKING_WINDOW_S)
            .collect();
        let start = braking_from_peak(&ramp_in, h.start_s + BRAKING_SEARCH_S)
            .filter(|&t| near(t, h.start_s) && t < h.end_s);
        // The ramp out, backwards in time: from its fastest back to a little
        // before the hold's end.
        let from = h.end_s - BRAKING_SEARCH_S - BRAKING_WINDOW_S;
        let ramp_out: Vec<(f64, f64)> = self
            .trace
            .iter()
            .rev()
            .take_while(|&&(t, _)| t >= from)
            .map(|&(t, a)| (-t, a))
            .collect();
        let end = braking_from_peak(&ramp_out, -(h.end_s - BRAKING_SEARCH_S))
            .map(|t| -t)
            .filter(|&t| near(t, h.end_s));
        let (start, end) = (start.unwrap_or(h.start_s), end.unwrap_or(h.end_s));
        if end <= start {
            return;
        }
        h.held_s += (h.start_s - start) + (end - h.end_s);
        h.start_s = start;
        h.end_s = end;
    }

    fn finish(&mut self, end_s: f64, out: &mut Vec<RepEvent>) {
        self.progress.in_rep = false;
        self.progress.holding = false;
        let Some(mut rep) = self.rep.take() else {
            return;
        };
        if end_s - rep.start_s < self.p.target.min_rep_s {
            return;
        }
        if rep.fused {
            self.retime_by_braking(&mut rep);
        } else {
            self.retime_end(&mut rep);
        }
        let hold = self.p.target.hold_s.map(|_| {
            rep.hold.unwrap_or(Hold {
                start_s: rep.start_s,
                end_s: rep.start_s,
                held_s: 0.0,
                breaks: 0,
            })
        });
        let held = hold.map_or(0.0, |h| h.held_s);
        let (score, flags) = score(
            &self.p.target,
            rep.peak_deg,
            hold.as_ref(),
            end_s - rep.start_s - held,
        );
        let short_of_band = self
            .p
            .target
            .angle_deg
            .is_some_and(|[lo, _]| rep.peak_deg < lo - self.p.target.tolerance_deg);
        let min_hold = self.p.target.hold_s.map_or(0.0, |[min, _]| {
            (min * MIN_COUNTED_HOLD_FRACTION).max(MIN_COUNTED_HOLD_S)
        });
        let attempt = short_of_band || (hold.is_some() && held < min_hold);
        let done = |n| Rep {
            n,
            start_s: rep.start_s,
            end_s,
            hold,
            peak_deg: rep.peak_deg,
            side: self.p.side,
            score,
            flags,
        };
        if attempt {
            self.attempts += 1;
            out.push(RepEvent::Attempt(done(self.attempts)));
            return;
        }
        self.reps += 1;
        self.progress.reps = self.reps;
        let rep = done(self.reps);
        self.peaks.push(rep.peak_deg);
        let half = self.peaks.len() >= MIN_REPS_FOR_TYPICAL
            && looks_partial(&rep, typical_peak(self.peaks.iter().copied()));
        self.toward_target += u32::from(!half);
        out.push(RepEvent::RepDone(rep));
        if !self.set_done && self.toward_target >= self.p.target.reps {
            self.set_done = true;
            out.push(RepEvent::SetDone {
                t: end_s,
                reps: self.reps,
            });
        }
    }
}
