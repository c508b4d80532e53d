//! Repeated movement of any kind, whatever way the strap is mounted: the smoothed
//! acceleration is projected on its dominant direction of variation (an online
//! principal component), and each swing up and back down is one cycle. For lifts
//! that move a weight up and down, the signal can instead be the vertical speed
//! (acceleration along gravity, integrated with a leak).

use super::MAX_GAP_S;
use super::filter::{Ema, Ema3, alpha, tau_for_cutoff};
use super::rep::{Progress, Rep, RepEvent, score};
use super::vec3::{Vec3, angle_deg, dot, norm, sub, unit};
use crate::exercises::{CycleAxis, Target};

/// Time constant of the slow mean removed from the signal (s).
const MEAN_TAU_S: f64 = 4.0;
/// Time constant of the covariance that finds the dominant direction (s).
const COVARIANCE_TAU_S: f64 = 8.0;
/// Time constant of the signal's variance that scales the hysteresis (s).
const VARIANCE_TAU_S: f64 = 4.0;

/// A peak closer to the previous one than this fraction of the recent rep period
/// is a second bump of the same rep, not a new one.
const PERIOD_FRACTION: f64 = 0.6;
/// A peak that rises from the trough before it at least this fraction of the
/// typical rep's rise, sooner after the last rep than the period allows, is a
/// rep where the next one comes as soon (within this fraction of the time).
const FULL_RISE: f64 = 0.75;
const QUICK_LIKE: f64 = 0.25;
/// How much each new interval moves the period estimate.
const PERIOD_WEIGHT: f64 = 0.3;
/// Intervals longer than this are pauses between sets, not periods (s).
const MAX_PERIOD_S: f64 = 8.0;
/// A set whose signal stays at the level it started at this long before it
/// first falls away began still (s): whether that level was the top of a first
/// rep shows only when the signal comes back up ([`FULL_SWING`]). A recording
/// that starts mid-movement falls away at once, and its start level is counted
/// as a rep's top, as it turns (the rep is timed at the turning point that
/// follows within the refractory window).
const STILL_START_S: f64 = 1.0;
/// A fall from a still start at least this fraction of the rise after it is a
/// rep's lowering from the top; a smaller one (about half, where the rest lies
/// mid-way between the movement's ends) is the half swing into the set.
const FULL_SWING: f64 = 0.75;
/// Leak of the integrator that turns vertical acceleration into speed (s): long
/// enough to span one press or pull, short enough that the error of the gravity
/// estimate does not build up into drift.
const SPEED_LEAK_S: f64 = 1.5;

/// Parameters from a spec's `cycles` measure.
#[derive(Debug, Clone)]
pub struct CycleParams {
    pub target: Target,
    pub cutoff_hz: f64,
    pub min_amplitude_g: f64,
    pub hysteresis: f64,
    pub axis: CycleAxis,
}

/// A confirmed peak and the rep it ends.
#[derive(Debug, Clone, Copy)]
struct PeakRep {
    peak: Extreme,
    /// When the rep started (its trough) and when the peak was confirmed (s).
    start: f64,
    now: f64,
    /// The strap's turn from the trough to the peak (deg).
    rom: f64,
    /// How far the signal rose from the trough to the peak.
    rise: Option<f64>,
    /// How long after the last counted peak it came (s).
    interval: f64,
}

#[derive(Debug, Clone, Copy)]
struct Extreme {
    value: f64,
    t: f64,
    up: Vec3,
}

/// Counts cycles of the dominant movement.
#[derive(Debug, Clone)]
pub struct CycleCounter {
    p: CycleParams,
    lp1: Ema3,
    lp2: Ema3,
    mean: Ema3,
    cov: [[f64; 3]; 3],
    axis: Option<Vec3>,
    var: Ema,
    vertical: Ema,
    speed: f64,
    speed_mean: Ema,
    rising: bool,
    extreme: Option<Extreme>,
    last_trough: Option<Extreme>,
    last_peak_t: f64,
    last_peak_value: f64,
    last_peak_is_start: bool,
    /// The level a set that began still started at, and when the signal had
    /// fallen away from it, until the rise after the fall is known.
    still_start: Option<(Extreme, f64)>,
    /// The signal's first value, and when.
    first: Option<(f64, f64)>,
    /// 1, or -1 once a set that began still showed it rests at the top of its
    /// reps: the signal is then counted turned over, so that each rep is
    /// counted at its far end and the rest pose is a trough again.
    sign: f64,
    period: Option<f64>,
    /// The typical rise of the reps counted, trough to peak.
    rise: Option<f64>,
    /// A peak that rose as a rep does but came sooner after the last counted
    /// one than the period allows: a rep if the next comes about as soon.
    quick: Option<PeakRep>,
    reps: u32,
    set_done: bool,
    progress: Progress,
    /// The signal counted at the latest sample, once known.
    signal: Option<f64>,
}

impl CycleCounter {
    /// A counter with the given parameters.
    pub fn new(p: CycleParams) -> Self {
        let tau = tau_for_cutoff(p.cutoff_hz);
        Self {
            p,
            lp1: Ema3::new(tau),
            lp2: Ema3::new(tau),
            mean: Ema3::new(MEAN_TAU_S),
            cov: [[0.0; 3]; 3],
            axis: None,
            var: Ema::new(VARIANCE_TAU_S),
            vertical: Ema::new(tau),
            speed: 0.0,
            speed_mean: Ema::new(MEAN_TAU_S),
            rising: true,
            extreme: None,
            last_trough: None,
            last_peak_t: f64::NEG_INFINITY,
            last_peak_value: 0.0,
            last_peak_is_start: false,
            still_start: None,
            first: None,
            sign: 1.0,
            period: None,
            rise: None,
            quick: None,
            reps: 0,
            set_done: false,
            progress: Progress::default(),
            signal: None,
        }
    }

    /// Reps counted.
    pub fn reps(&self) -> u32 {
        self.reps
    }

    /// The live snapshot.
    pub fn progress(&self) -> Progress {
        self.progress
    }

    /// The signal counted (g along the dominant direction, less its slow mean;
    /// g s for the vertical speed) at the latest sample; `None` until the
    /// direction is known.
    pub fn signal(&self) -> Option<f64> {
        self.signal
    }

    /// Feeds one acceleration (g) at `t`, `dt` after the previous one, with the
    /// current up direction.
    pub fn update(&mut self, t: f64, dt: f64, accel: Vec3, up: Vec3, out: &mut Vec<RepEvent>) {
        let s = self.sign
            * match self.p.axis {
                CycleAxis::Principal => {
                    let x = self.lp2.update(self.lp1.update(accel, dt), dt);
                    let d = sub(x, self.mean.update(x, dt));
                    let Some(s) = self.project(d, dt) else { return };
                    s
                }
                CycleAxis::Vertical => self.vertical_speed(dt, accel, up),
            };
        let sd = self.var.update(s * s, dt).sqrt();
        let h = self.p.hysteresis * sd + self.p.min_amplitude_g;
        self.signal = Some(s);
        let (first_t, first_value) = *self.first.get_or_insert((t, s));
        let here = Extreme { value: s, t, up };
        let ext = self.extreme.get_or_insert(here);
        if self.rising {
            if s > ext.value {
                *ext = here;
            } else if s < ext.value - h {
                let peak = *ext;
                self.extreme = Some(here);
                self.rising = false;
                // No higher than where the signal started: the level it was at
                // when the recording began, not a turning point.
                let at_start = self.last_trough.is_none() && peak.value - first_value < h;
                if at_start && t - first_t >= STILL_START_S {
                    self.still_start = Some((peak, t));
                } else {
                    self.on_peak(peak, at_start, t, out);
                }
            }
        } else if s < ext.value {
            *ext = here;
        } else if s > ext.value + h {
            self.last_trough = Some(*ext);
            self.extreme = Some(here);
            self.rising = true;
        }
        self.progress.in_rep = self.rising && self.last_trough.is_some();
    }

    /// The vertical speed (g s) less its slow mean: the acceleration along `up` less
    /// gravity, low-passed and integrated with a leak. A gap in the samples starts
    /// the integral afresh rather than integrating across it.
    fn vertical_speed(&mut self, dt: f64, accel: Vec3, up: Vec3) -> f64 {
        let a = self.vertical.update(dot(accel, up) - 1.0, dt);
        self.speed = if dt > MAX_GAP_S {
            0.0
        } else {
            self.speed * (1.0 - alpha(dt, SPEED_LEAK_S)) + a * dt
        };
        self.speed - self.speed_mean.update(self.speed, dt)
    }

    /// Projects the deviation on the dominant direction, found by one step of power
    /// iteration per sample on an exponentially weighted covariance. Starting from
    /// the first clear deviation keeps this independent of the mounting.
    fn project(&mut self, d: Vec3, dt: f64) -> Option<f64> {
        let k = alpha(dt, COVARIANCE_TAU_S);
        for (i, row) in self.cov.iter_mut().enumerate() {
            for (j, c) in row.iter_mut().enumerate() {
                *c += k * (d[i] * d[j] - *c);
            }
        }
        let axis = match self.axis {
            Some(a) => a,
            None if norm(d) > 1e-3 => unit(d)?,
            None => return None,
        };
        let w = [
            dot(self.cov[0], axis),
            dot(self.cov[1], axis),
            dot(self.cov[2], axis),
        ];
        let axis = unit(w).unwrap_or(axis);
        self.axis = Some(axis);
        Some(dot(d, axis))
    }

    /// A peak confirmed at `now` (the signal has fallen far enough below it);
    /// `at_start`: it is no higher than the level the signal started at.
    ///
    /// Where the set began still, the first fall away from that level is
    /// judged once the signal has come back up to its first peak: the level
    /// was the top of a first rep if the fall was about as big as the rise
    /// ([`FULL_SWING`]), and the half swing into the set (from a rest mid-way
    /// between the movement's ends, as the bar's speed and a wrist's
    /// acceleration rest) if smaller.
    ///
    /// A set that rests at the top of its reps is then counted turned over
    /// ([`Self::sign`]): its peaks are where the wearer rests, between reps and
    /// after the last one, and a peak counted there would count each rep as
    /// the next one starts, and count once more when the strap, lying still
    /// after the set, let the slow mean catch up and the signal fall.
    fn on_peak(&mut self, peak: Extreme, at_start: bool, now: f64, out: &mut Vec<RepEvent>) {
        if let (Some((start, fell_t)), Some(trough)) = (self.still_start.take(), self.last_trough) {
            let (fell, rose) = (start.value - trough.value, peak.value - trough.value);
            if fell >= FULL_SWING * rose {
                let rom = angle_deg(start.up, trough.up);
                self.count(fell_t, trough.t, rom, f64::INFINITY, out);
                self.turn_over(peak, trough);
                return;
            }
        }
        let mut rep = PeakRep {
            peak,
            start: self.last_trough.map_or(peak.t, |tr| tr.t),
            now,
            rom: self.last_trough.map_or(0.0, |tr| angle_deg(tr.up, peak.up)),
            rise: self.last_trough.map(|tr| peak.value - tr.value),
            interval: peak.t - self.last_peak_t,
        };
        let full = rep
            .rise
            .zip(self.rise)
            .is_some_and(|(r, typical)| r >= FULL_RISE * typical);
        // A quick rep held back is one where this peak comes about as soon
        // after it, rising as far: the wearer has sped up.
        if let Some(quick) = self.quick.take() {
            let since = peak.t - quick.peak.t;
            if full
                && since >= self.p.target.min_rep_s
                && (since / quick.interval - 1.0).abs() <= QUICK_LIKE
            {
                self.count_peak(quick, false, out);
                rep.interval = since;
                self.count_peak(rep, at_start, out);
                return;
            }
        }
        let refractory = self
            .period
            .map_or(0.0, |p| p * PERIOD_FRACTION)
            .max(self.p.target.min_rep_s);
        if rep.interval < refractory {
            if full && rep.interval >= self.p.target.min_rep_s {
                self.quick = Some(rep);
                return;
            }
            // The first sample is where the recording starts, not a turning point:
            // a rep counted there is timed at the real turning point that follows
            // within the refractory window, so that it sets the period.
            if self.last_peak_is_start && peak.value > self.last_peak_value {
                self.last_peak_t = peak.t;
                self.last_peak_value = peak.value;
                self.last_peak_is_start = false;
            }
            return;
        }
        self.count_peak(rep, at_start, out);
    }

    /// Counts `rep`; `at_start`: its peak is no higher than the level the
    /// signal started at.
    fn count_peak(&mut self, rep: PeakRep, at_start: bool, out: &mut Vec<RepEvent>) {
        // Time from the level the recording began at (however long the strap lay
        // still there) is no period.
        if rep.interval < MAX_PERIOD_S && !self.last_peak_is_start {
            self.period = Some(
                self.period
                    .map_or(rep.interval, |p| p + PERIOD_WEIGHT * (rep.interval - p)),
            );
        }
        if let Some(r) = rep.rise {
            self.rise = Some(self.rise.map_or(r, |t| t + PERIOD_WEIGHT * (r - t)));
        }
        self.last_peak_t = rep.peak.t;
        self.last_peak_value = rep.peak.value;
        self.last_peak_is_start = at_start;
        self.count(rep.start, rep.now, rep.rom, rep.interval, out);
    }

    /// Counts the signal turned over from here on, `peak` and `trough` the
    /// first rep's end and far end: the signal now rises from the trough that
    /// `peak` becomes, and the first rep's far end is its last counted peak.
    fn turn_over(&mut self, peak: Extreme, trough: Extreme) {
        let flip = |e: Extreme| Extreme {
            value: -e.value,
            ..e
        };
        self.sign = -self.sign;
        self.signal = self.signal.map(|s| -s);
        self.extreme = self.extreme.map(flip);
        self.rising = true;
        self.last_trough = Some(flip(peak));
        self.last_peak_t = trough.t;
        self.last_peak_value = -trough.value;
        self.last_peak_is_start = false;
    }

    /// Counts a rep from `start_s` to `end_s` over `rom_deg`, `period_s` after
    /// the one before.
    fn count(
        &mut self,
        start_s: f64,
        end_s: f64,
        rom_deg: f64,
        period_s: f64,
        out: &mut Vec<RepEvent>,
    ) {
        let (score, flags) = score(&self.p.target, rom_deg, None, period_s);
        self.reps += 1;
        self.progress.reps = self.reps;
        self.progress.angle_deg = rom_deg;
        out.push(RepEvent::RepDone(Rep {
            n: self.reps,
            start_s,
            end_s,
            hold: None,
            peak_deg: rom_deg,
            side: None,
            score,
            flags,
        }));
        if !self.set_done && self.reps >= self.p.target.reps {
            self.set_done = true;
            out.push(RepEvent::SetDone {
                t: end_s,
                reps: self.reps,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exercises::builtin;

    /// Ten presses of 0.5 m every 2.5 s whose acceleration has a second bump per
    /// rep, sensed at 12.5 Hz by a strap mounted at an odd angle.
    fn presses(reps: u32) -> Vec<(f64, Vec3, Vec3)> {
        let (period, rise_m) = (2.5, 0.5);
        let w = std::f64::consts::TAU / period;
        // Sensor axes: world up seen in the sensor frame, tilted off every axis.
        let up = unit([0.3, 0.8, -0.5]).unwrap();
        let n = (f64::from(reps) * period * 12.5) as usize + 25;
        (0..n)
            .map(|i| {
                let t = i as f64 / 12.5;
                let moving = t > 1.0 && t < 1.0 + f64::from(reps) * period;
                let tt = t - 1.0;
                // z = rise/2 (1 - cos wt) + rise/20 (1 - cos 2wt), at rest between
                // sets; a = z'' has a second bump per rep, 40% of the first.
                let a = if moving {
                    rise_m / 2.0 * w * w * (w * tt).cos()
                        + rise_m / 5.0 * w * w * (2.0 * w * tt).cos()
                } else {
                    0.0
                };
                let g = 1.0 + a / 9.81;
                (t, [up[0] * g, up[1] * g, up[2] * g], up)
            })
            .collect()
    }

    fn count(axis: CycleAxis, hysteresis: f64, samples: &[(f64, Vec3, Vec3)]) -> u32 {
        let spec = builtin("reps").unwrap();
        let mut c = CycleCounter::new(CycleParams {
            target: spec.target,
            cutoff_hz: 2.0,
            // 0.01 g s is 0.1 m/s: below any press; 0.01 g, any lift's swing.
            min_amplitude_g: 0.01,
            hysteresis,
            axis,
        });
        let mut out = Vec::new();
        let mut last = None;
        for &(t, accel, up) in samples {
            let dt = last.map_or(0.0, |l| t - l);
            last = Some(t);
            c.update(t, dt, accel, up, &mut out);
        }
        c.reps()
    }

    #[test]
    fn vertical_speed_counts_one_cycle_per_press() {
        assert_eq!(count(CycleAxis::Vertical, 1.2, &presses(10)), 10);
        assert_eq!(count(CycleAxis::Vertical, 1.2, &presses(5)), 5);
    }

    /// `secs` of a strap mounted at an odd angle at 12.5 Hz, accelerating
    /// `accel(t)` g along a fixed direction, with a little noise and
    /// breathing, as a strap at rest reads, as the principal direction counts
    /// them.
    fn along(secs: f64, accel: impl Fn(f64) -> f64) -> u32 {
        let hz = 12.5;
        let up = unit([0.3, 0.8, -0.5]).unwrap();
        let across = unit([0.9, -0.2, 0.2]).unwrap();
        let samples: Vec<_> = (0..(secs * hz) as usize)
            .map(|i| {
                let t = i as f64 / hz;
                let a = accel(t);
                let rest = 0.004 * (std::f64::consts::TAU * 0.25 * t).sin()
                    + 0.002 * (i as f64 * 12.9898).sin().fract();
                let accel = std::array::from_fn(|k| up[k] * (1.0 + rest) + across[k] * a);
                (t, accel, up)
            })
            .collect();
        count(CycleAxis::Principal, 0.6, &samples)
    }

    /// `reps` swings of `swing(u)` (u from 0 to 1 over each 2.5 s rep, in g)
    /// after `still_s` of a still strap, and `after_s` of it after ([`along`]).
    fn swings(still_s: f64, reps: u32, after_s: f64, swing: impl Fn(f64) -> f64) -> u32 {
        let period = 2.5;
        along(still_s + f64::from(reps) * period + after_s, |t| {
            let u = (t - still_s) / period;
            if (0.0..f64::from(reps)).contains(&u) {
                swing(u.fract())
            } else {
                0.0
            }
        })
    }

    #[test]
    fn a_still_start_neither_doubles_the_period_nor_counts_the_half_swing_into_the_set() {
        let tau = std::f64::consts::TAU;
        // A lift's acceleration: at rest mid-way between its ends, one way then
        // the other, whichever way the principal direction points. Before, a
        // set starting down from a still start counted the start as a rep (11
        // of 10 here, after 2 or 6 s still), and took the time from it to the
        // first peak as the period: a real deadlift set (A-dead-medium-1) with
        // 6 s still before it counted every other rep (6 of 10).
        for still_s in [0.0, 2.0, 4.0, 6.0] {
            for sign in [1.0, -1.0] {
                let got = swings(still_s, 10, 3.0, |u| sign * 0.15 * (tau * u).sin());
                assert_eq!(got, 10, "{still_s} s still, sign {sign}");
            }
        }
    }

    #[test]
    fn a_still_start_at_the_top_of_a_rep_is_the_first_rep() {
        let tau = std::f64::consts::TAU;
        // A limb's tilt: at rest at one end of the movement, out to the other
        // and back each rep. Resting at the top, the first fall is a whole rep's.
        // However long the strap lies still after the set: the slow mean
        // catching up with the rest pose is no lowering from a last top.
        for still_s in [2.0, 6.0] {
            for after_s in [3.0, 6.0, 12.0] {
                for sign in [1.0, -1.0] {
                    let got = swings(still_s, 10, after_s, |u| {
                        sign * 0.15 * (1.0 - (tau * u).cos())
                    });
                    assert_eq!(got, 10, "{still_s} s still, {after_s} s after, sign {sign}");
                }
            }
        }
    }

    /// Swings of 0.15 g, one full sine per period in `periods` (s), after 2 s
    /// still and with 4 s still after ([`along`]).
    fn rhythm(periods: &[f64]) -> u32 {
        let total = 2.0 + periods.iter().sum::<f64>() + 4.0;
        along(total, |t| {
            let mut from = 2.0;
            for &p in periods {
                if (from..from + p).contains(&t) {
                    return 0.15 * (std::f64::consts::TAU * (t - from) / p).sin();
                }
                from += p;
            }
            0.0
        })
    }

    #[test]
    fn reps_that_speed_up_are_each_counted_live() {
        // Four slow reps, then ten at more than twice the pace (a physiotherapy
        // set's fast reps): before, the period the slow reps set held every
        // other fast one back as a second bump of the rep before it, and the
        // period never came down (9 of 14 here; 17% of physio-pt's sets exact
        // live).
        let mut periods = vec![5.0; 4];
        periods.extend([2.2; 10]);
        assert_eq!(rhythm(&periods), 14);
        // A quick swing with none as quick after it (a lead-out: putting the
        // bar down after a deadlift set, A-dead-medium-2) is still held back:
        // here the first quick one peaks a whole slow rep's remainder after the
        // last slow one and counts, and the second, too soon, does not.
        assert_eq!(rhythm(&[5.0, 5.0, 5.0, 5.0, 2.2, 2.2]), 5);
    }
}
