//! Holds of a pose measured from upright: a plank is the trunk near horizontal and
//! still, whether the wearer got into it from lying, kneeling or standing.
//!
//! A tilt count ([`super::tilt`]) measures from the rest pose the set starts in,
//! and a held pose far from it becomes the new rest pose: right for a leg raise,
//! wrong for a plank entered from standing. Here the angle is always from the
//! strap's upright calibration, and a rep is the angle's plateau inside the
//! target band: it starts when the angle has settled in the band (plus the
//! tolerance), turning slower than the ramp into it brakes ([`still_dps`], as a
//! tilt hold), and ends when it moves off or leaves; excursions shorter than
//! [`BRIDGE_S`] are bridged, so sway inside the band or a moment outside it
//! never cuts a hold. A slow ramp in or out is judged against the still floor,
//! which its braking crosses before it arrives (and after it leaves): the hold
//! is timed from where the ramp in arrived to where the way out began, each
//! from its own ramp's speed ([`floor_lead_s`]), so that a hold left slower or
//! quicker than it was entered reads its length. With a gyro, both ends are
//! then timed again from where the ramps brake ([`braking_from_peak`]): a sway
//! on the plateau keeps the angle turning over the still threshold after the
//! ramp has arrived, and the ramp's own braking does not depend on it.

use super::braking::{
    AngleTrail, BRAKING_WINDOW_S, CentredSpeed, SPEED_WINDOW_S, STILL_DPS, braking_from_peak,
    floor_lead_s, hold_window_s, still_dps,
};
use super::filter::Ema;
use super::rep::{Hold, Progress, Rep, RepEvent, Side, score};
use super::vec3::{Vec3, unit, unit_angle_deg};
use crate::exercises::Target;

/// Smoothing of the angle against noise, tremor and breathing (s).
const TAU_ANGLE_S: f64 = 0.1;
/// Settled in the band this long before a hold starts (passing through is not
/// one) (s).
const ENTER_S: f64 = 0.5;
/// Out of the band shorter than this is a wobble: the hold goes on (s).
const BRIDGE_S: f64 = 1.0;
/// A hold shorter than this, or than [`MIN_HOLD_FRACTION`] of the target's
/// minimum, is an attempt, not a rep (s).
const MIN_HOLD_S: f64 = 1.0;
const MIN_HOLD_FRACTION: f64 = 0.25;
/// How much of the angle's recent past is kept, to time a hold's start and end
/// again from the ramps' braking (s).
const RECENT_S: f64 = 6.0;
/// How long after a hold's start (as found live) its start is timed again
/// from the ramp into it (s).
const RAMP_TAIL_S: f64 = 2.0;
/// How far past a hold's start as found live (before its end) the ramp's
/// braking is looked for (s).
const BRAKING_SEARCH_S: f64 = 0.5;
/// A hold's start or end timed from a ramp's braking further than this from
/// where it was found live is a wobble's, not the ramp's (s).
const BRAKING_MAX_SHIFT_S: f64 = 1.5;

#[derive(Debug, Clone, Copy)]
struct Building {
    /// When the movement into the pose began (s).
    rep_start_s: f64,
    /// When the pose settled in the band (s).
    start_s: f64,
    /// Last time the angle was in the band (s).
    last_in_s: f64,
    /// Since when it is out of the band, if it is (s).
    out_since: Option<f64>,
    angle_sum: f64,
    samples: u32,
    /// Turning slower than this, the pose is held (deg/s): see [`still_dps`].
    still_dps: f64,
    /// Over this window (s): see [`hold_window_s`].
    window_s: f64,
    /// How much earlier than the ramp arrives the hold is found
    /// ([`floor_lead_s`]) (s).
    lead_s: f64,
    /// How far the ramp in went (deg).
    size_deg: f64,
    /// Fastest the angle turned since it last left the pose (deg/s): the ramp
    /// out, from which the hold's end is found as its start was from the ramp
    /// in ([`floor_lead_s`]).
    out_dps: f64,
    /// The start timed from the ramp in's braking, once the angles past it
    /// are in ([`RAMP_TAIL_S`]); `None` before, or where it was not found.
    braked_start_s: Option<Option<f64>>,
}

/// The movement into a pose, outside a hold.
#[derive(Debug, Clone, Copy)]
struct Ramp {
    /// The angle when the strap was last still before it (deg).
    from_deg: f64,
    /// Furthest from there so far (deg).
    size_deg: f64,
    /// Fastest it turned (deg/s).
    dps: f64,
}

/// Counts holds of a pose given the up direction (see [`super::Orientation`]).
#[derive(Debug, Clone)]
pub struct PoseCounter {
    target: Target,
    side: Option<Side>,
    upright: Option<Vec3>,
    angle: Ema,
    window: CentredSpeed,
    /// Since when the strap is moving, outside a hold (s).
    moving_since: Option<f64>,
    /// The angle while the strap was last still outside a hold (deg).
    rest_deg: Option<f64>,
    ramp: Option<Ramp>,
    in_since: Option<f64>,
    hold: Option<Building>,
    /// The smoothed angles (and their times) of the last [`RECENT_S`].
    recent: AngleTrail,
    /// When an angle last came without a gyro (s).
    unfused_at: f64,
    reps: u32,
    attempts: u32,
    set_done: bool,
    progress: Progress,
}

impl PoseCounter {
    /// A counter; without the upright pose it waits for [`Self::set_reference`].
    pub fn new(target: Target, side: Option<Side>, upright: Option<Vec3>) -> Self {
        Self {
            target,
            side,
            upright: upright.and_then(unit),
            angle: Ema::new(TAU_ANGLE_S),
            window: CentredSpeed::new(SPEED_WINDOW_S),
            moving_since: None,
            rest_deg: None,
            ramp: None,
            in_since: None,
            hold: None,
            recent: AngleTrail::new(RECENT_S),
            unfused_at: f64::NEG_INFINITY,
            reps: 0,
            attempts: 0,
            set_done: false,
            progress: Progress::default(),
        }
    }

    /// Sets (or replaces) the upright pose.
    pub fn set_reference(&mut self, up: Vec3) {
        self.upright = unit(up);
    }

    /// Whether the upright pose is known.
    pub fn has_reference(&self) -> bool {
        self.upright.is_some()
    }

    /// Holds counted.
    pub fn reps(&self) -> u32 {
        self.reps
    }

    /// The live snapshot.
    pub fn progress(&self) -> Progress {
        self.progress
    }

    fn in_band(&self, angle: f64) -> bool {
        let tol = self.target.tolerance_deg;
        self.target
            .angle_deg
            .is_some_and(|[lo, hi]| angle >= lo - tol && angle <= hi + tol)
    }

    /// Feeds the up direction at `t`, `dt` after the previous one; `fused`
    /// says whether a gyro keeps it, not the accelerometer alone.
    pub fn update(&mut self, t: f64, dt: f64, up: Vec3, fused: bool, out: &mut Vec<RepEvent>) {
        let Some(upright) = self.upright else { return };
        let angle = self.angle.update(unit_angle_deg(up, upright), dt);
        if !fused {
            self.unfused_at = t;
        }
        self.recent.push(t, angle);
        // Judged at the middle of the speed window, so that a hold's start and
        // end are found with the same delay and its length is not biased.
        let (now_t, now_mid, now_speed) = self.window.push(t, angle);
        let (still_below, window_s) = match (&self.hold, &self.ramp) {
            (Some(h), _) => (h.still_dps, h.window_s),
            (None, Some(r)) => (
                still_dps(r.dps, r.size_deg),
                hold_window_s(SPEED_WINDOW_S, r.dps, r.size_deg),
            ),
            (None, None) => (STILL_DPS, SPEED_WINDOW_S),
        };
        let (t, mid_angle, speed) = self.window.over(window_s);
        let inside = self.in_band(mid_angle) && speed < still_below;
        if self.hold.is_none() {
            let in_band = self.in_band(now_mid);
            self.follow_ramp(now_t, now_mid, angle, now_speed, in_band);
        }
        match &mut self.hold {
            None if inside => {
                let since = *self.in_since.get_or_insert(t);
                if t - since >= ENTER_S {
                    self.begin(since, out);
                }
            }
            None => self.in_since = None,
            Some(h) if inside => {
                if h.braked_start_s.is_none() && t >= h.start_s + RAMP_TAIL_S {
                    h.braked_start_s = Some(braked_start(&self.recent, h.start_s));
                }
                h.last_in_s = t;
                h.out_since = None;
                h.out_dps = 0.0;
                h.angle_sum += mid_angle;
                h.samples += 1;
            }
            Some(h) => {
                if now_t > h.last_in_s {
                    h.out_dps = h.out_dps.max(now_speed);
                }
                let since = *h.out_since.get_or_insert(t);
                if t - since > BRIDGE_S {
                    self.finish(t, out);
                }
            }
        }
        self.progress.angle_deg = angle;
        self.progress.referenced = true;
        self.progress.holding = inside && self.hold.is_some();
        self.progress.held_s = self
            .hold
            .map_or(0.0, |h| (h.last_in_s - h.start_s).max(0.0));
    }

    /// Follows the movement toward a pose outside a hold: when it began, from
    /// where, how far and how fast it went (`mid_angle` and `speed` at the speed
    /// window's middle `t`, `angle` the latest). A movement ends when the strap
    /// is still outside the band.
    fn follow_ramp(&mut self, t: f64, mid_angle: f64, angle: f64, speed: f64, in_band: bool) {
        if speed >= STILL_DPS {
            self.moving_since.get_or_insert(t);
            let from_deg = self.rest_deg.unwrap_or(mid_angle);
            let r = self.ramp.get_or_insert(Ramp {
                from_deg,
                size_deg: 0.0,
                dps: 0.0,
            });
            r.dps = r.dps.max(speed);
            r.size_deg = r.size_deg.max((angle - r.from_deg).abs());
        } else if !in_band {
            self.moving_since = None;
            self.ramp = None;
            self.rest_deg = Some(mid_angle);
        }
    }

    fn begin(&mut self, start_s: f64, out: &mut Vec<RepEvent>) {
        let rep_start_s = self.moving_since.take().unwrap_or(start_s).min(start_s);
        let (still_dps, window_s, lead_s, size_deg) =
            self.ramp
                .take()
                .map_or((STILL_DPS, SPEED_WINDOW_S, 0.0, 0.0), |r| {
                    let still = still_dps(r.dps, r.size_deg);
                    let window_s = hold_window_s(SPEED_WINDOW_S, r.dps, r.size_deg);
                    let lead_s = floor_lead_s(r.dps, r.size_deg);
                    (still, window_s, lead_s, r.size_deg)
                });
        let start_s = start_s + lead_s;
        self.hold = Some(Building {
            rep_start_s,
            start_s,
            last_in_s: start_s,
            out_since: None,
            angle_sum: 0.0,
            samples: 0,
            still_dps,
            window_s,
            lead_s,
            size_deg,
            out_dps: 0.0,
            braked_start_s: None,
        });
        let n = self.reps + 1;
        out.push(RepEvent::RepStarted { n, t: rep_start_s });
        out.push(RepEvent::HoldStarted { n, t: start_s });
        self.progress.in_rep = true;
    }

    /// Ends the hold; `end_s` is when it was found over (the pose left for
    /// [`BRIDGE_S`]), the rep's end.
    fn finish(&mut self, end_s: f64, out: &mut Vec<RepEvent>) {
        self.in_since = None;
        self.rest_deg = None;
        self.progress.in_rep = false;
        let Some(b) = self.hold.take() else { return };
        // The way out is judged as the way in was, from its own ramp: a slow
        // one leaves the still floor later than it began, a quick one not.
        let lead_out = if b.out_dps > 0.0 {
            floor_lead_s(b.out_dps, b.size_deg)
        } else {
            b.lead_s
        };
        let left_s = (b.last_in_s - lead_out).max(b.start_s);
        // With a gyro, both ends are timed again from the ramps' braking
        // (as a tilt hold's are, see `TiltCounter::retime_by_braking`).
        let (start_s, left_s) = if self.unfused_at < b.rep_start_s - RAMP_TAIL_S {
            let start = b.braked_start_s.flatten().unwrap_or(b.start_s);
            let end = braked_end(&self.recent, left_s).unwrap_or(left_s);
            if end > start {
                (start, end)
            } else {
                (b.start_s, left_s)
            }
        } else {
            (b.start_s, left_s)
        };
        let hold = Hold {
            start_s,
            end_s: left_s,
            held_s: left_s - start_s,
            breaks: 0,
        };
        out.push(RepEvent::HoldEnded {
            n: self.reps + 1,
            t: hold.end_s,
            held_s: hold.held_s,
        });
        let angle = b.angle_sum / f64::from(b.samples.max(1));
        let (score, flags) = score(&self.target, angle, Some(&hold), 0.0);
        let min_hold = self.target.hold_s.map_or(MIN_HOLD_S, |[min, _]| {
            (min * MIN_HOLD_FRACTION).max(MIN_HOLD_S)
        });
        let rep = |n| Rep {
            n,
            start_s: b.rep_start_s,
            end_s,
            hold: Some(hold),
            peak_deg: angle,
            side: self.side,
            score,
            flags,
        };
        if hold.held_s < min_hold {
            self.attempts += 1;
            out.push(RepEvent::Attempt(rep(self.attempts)));
            return;
        }
        self.reps += 1;
        self.progress.reps = self.reps;
        out.push(RepEvent::RepDone(rep(self.reps)));
        if !self.set_done && self.reps >= self.target.reps {
            self.set_done = true;
            out.push(RepEvent::SetDone {
                t: end_s,
                reps: self.reps,
            });
        }
    }
}

/// Where the ramp into a hold found starting at `live_s` stopped, by its
/// braking ([`braking_from_peak`]), from the `recent` angles; `None` where it
/// is not found near `live_s`.
fn braked_start(recent: &AngleTrail, live_s: f64) -> Option<f64> {
    let until = live_s + BRAKING_SEARCH_S;
    let ramp: Vec<(f64, f64)> = recent
        .iter()
        .copied()
        .take_while(|&(t, _)| t <= until + BRAKING_WINDOW_S)
        .collect();
    braking_from_peak(&ramp, until).filter(|t| (t - live_s).abs() < BRAKING_MAX_SHIFT_S)
}

/// Where the ramp out of a hold found ending at `live_s` set off, by its
/// braking backwards in time, from the `recent` angles.
fn braked_end(recent: &AngleTrail, live_s: f64) -> Option<f64> {
    let from = live_s - BRAKING_SEARCH_S - BRAKING_WINDOW_S;
    let ramp: Vec<(f64, f64)> = recent
        .iter()
        .rev()
        .take_while(|&&(t, _)| t >= from)
        .map(|&(t, a)| (-t, a))
        .collect();
    braking_from_peak(&ramp, -(live_s - BRAKING_SEARCH_S))
        .map(|t| -t)
        .filter(|t| (t - live_s).abs() < BRAKING_MAX_SHIFT_S)
}
