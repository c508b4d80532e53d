//! Where a ramp into a held pose ends and where the hold ends, shared by the
//! tilt ([`super::tilt`]) and pose ([`super::pose`]) counts: the angle's speed
//! over a window centred on the moment judged, and the speed under which the
//! strap counts as holding still after a ramp of a given speed and size.

use std::collections::VecDeque;

/// Angular speed below which the strap counts as holding still (deg/s): sway of
/// a held leg or trunk of a few deg/s is not movement. At least this, and more
/// for quick ramps ([`STILL_PER_DECEL`]).
pub const STILL_DPS: f64 = 3.0;
/// The still threshold for a quick ramp, as a fraction of (fastest speed on the
/// way in)^2 / the ramp's size, which is how hard the ramp brakes into the pose.
/// The speed is the mean over a window, and a window centred on the moment an
/// eased ramp (smoothstep) of peak speed v into angle A ends still holds its last
/// braking: it reads v^2 / (6 A) (1/5 with the window's own peak speed, which
/// reads a one-second ramp about 10% low). So the hold starts when the pose is
/// reached (and ends when it is left) whatever the ramp's size and speed: the
/// slow end of a gentle ramp into a big stretch is still moving, and a quick
/// ramp has arrived before the window is clear of it. A fixed fraction of the
/// peak angle or of the ramp's speed is right for one ramp time only.
const STILL_PER_DECEL: f64 = 0.2;
/// The window a ramp's speed is measured over (s): long enough that a noisy
/// accelerometer's angle does not look like turning.
pub const SPEED_WINDOW_S: f64 = 0.5;
/// Ramps smaller than this are judged as this big (deg).
const MIN_RAMP_DEG: f64 = 1.0;

/// The speed under which the strap holds still after a ramp whose fastest speed
/// was `ramp_dps` (deg/s) over `ramp_deg` (deg): see [`STILL_PER_DECEL`].
pub fn still_dps(ramp_dps: f64, ramp_deg: f64) -> f64 {
    STILL_DPS.max(STILL_PER_DECEL * ramp_dps * ramp_dps / ramp_deg.max(MIN_RAMP_DEG))
}

/// Longest window a hold is judged over (s).
pub const MAX_WINDOW_S: f64 = 1.0;

/// The window a hold after a ramp is judged over: long enough that the ramp's
/// braking at its end reads above [`STILL_DPS`] (about v^2 W / (3 A) for an eased
/// ramp of peak speed v into angle A over a window W), so that a gentle ramp's
/// slow end is not taken for the hold, nor is sway on the plateau taken for
/// movement (a longer window averages it away). At least `span_s`.
pub fn hold_window_s(span_s: f64, ramp_dps: f64, ramp_deg: f64) -> f64 {
    let braking = ramp_dps * ramp_dps / (3.0 * ramp_deg.max(MIN_RAMP_DEG));
    (STILL_DPS / braking.max(1e-9)).clamp(span_s, MAX_WINDOW_S)
}

/// How much earlier than a slow ramp arrives a hold after it is found, and how
/// much later than the pose is left it is found over (s): what the hold must
/// add to its start and take from its end, after a ramp whose fastest speed
/// over [`SPEED_WINDOW_S`] was `ramp_dps` (deg/s) over `ramp_deg` (deg).
///
/// A quick ramp's braking sets the still threshold ([`still_dps`]), which finds
/// the pose where the ramp arrives: this is 0. A slow ramp is held to the
/// [`STILL_DPS`] floor instead, and the speed over the window falls under the
/// floor before the ramp arrives: a 12 deg plank ramp over 2 s is found 0.15 s
/// early, and left 0.15 s late, so its hold read 0.3 s long. The lead is where
/// that crossing falls on an eased ramp (smoothstep, close to a person's
/// minimum-jerk reach) of the speed and size seen.
///
/// Only the pose count ([`super::pose`]) uses it. In the tilt count, a strap
/// at 10 Hz reads a leg raise's ramp slower than it is, the floor then seems to
/// bind, and the lead shortened holds that were already short (a 10 s hold
/// read 9.66 s).
pub fn floor_lead_s(ramp_dps: f64, ramp_deg: f64) -> f64 {
    let a = ramp_deg.max(MIN_RAMP_DEG);
    if ramp_dps <= 0.0 || STILL_PER_DECEL * ramp_dps * ramp_dps / a >= STILL_DPS {
        return 0.0;
    }
    crossing_lead_s(
        ramp_dps,
        a,
        STILL_DPS,
        hold_window_s(SPEED_WINDOW_S, ramp_dps, a),
    )
}

/// How much earlier than an eased ramp into `ramp_deg`, as fast as `ramp_dps`
/// over [`SPEED_WINDOW_S`], ends the speed over a centred window `window_s`
/// long falls under `still_dps` (s). Negative where it comes after the end; 0
/// where the ramp never turns faster than `still_dps`.
fn crossing_lead_s(ramp_dps: f64, ramp_deg: f64, still_dps: f64, window_s: f64) -> f64 {
    let eased = |u: f64| {
        let u = u.clamp(0.0, 1.0);
        u * u * (3.0 - 2.0 * u)
    };
    // The mean speed over `w` centred at `t` of the ramp over `ramp_s`.
    let speed = |t: f64, w: f64, ramp_s: f64| {
        ramp_deg * (eased((t + w / 2.0) / ramp_s) - eased((t - w / 2.0) / ramp_s)) / w
    };
    // The ramp's length, from its fastest windowed speed (slower, the longer).
    let ramp_s = bisect(1e-3, 1e3, |s| speed(s / 2.0, SPEED_WINDOW_S, s) > ramp_dps);
    if speed(ramp_s / 2.0, window_s, ramp_s) <= still_dps {
        return 0.0;
    }
    // Past the middle, the windowed speed falls: where it crosses the limit.
    let cross = bisect(ramp_s / 2.0, ramp_s + window_s / 2.0, |t| {
        speed(t, window_s, ramp_s) > still_dps
    });
    ramp_s - cross
}

/// The last `span_s` of an angle and its times, at most one angle in
/// [`TRAIL_STEP_S`]: what a hold's ends are timed again from once the ramps
/// beside it are known.
#[derive(Debug, Clone)]
pub struct AngleTrail {
    span_s: f64,
    /// When the next angle is due (s).
    due: f64,
    angles: VecDeque<(f64, f64)>,
}

/// At most one angle in this long is kept in an [`AngleTrail`] (s): 100 Hz is
/// plenty to time a hold's ends, and keeping fewer keeps a 200 Hz strap's
/// count fast.
const TRAIL_STEP_S: f64 = 0.0099;

impl AngleTrail {
    /// An empty trail of the last `span_s` seconds.
    pub fn new(span_s: f64) -> Self {
        Self {
            span_s,
            due: f64::NEG_INFINITY,
            angles: VecDeque::new(),
        }
    }

    /// Keeps the angle at `t`, if one is due.
    #[inline]
    pub fn push(&mut self, t: f64, angle: f64) {
        if t < self.due {
            return;
        }
        self.due = t + TRAIL_STEP_S;
        self.angles.push_back((t, angle));
        while self
            .angles
            .front()
            .is_some_and(|&(t0, _)| t0 < t - self.span_s)
        {
            self.angles.pop_front();
        }
    }

    /// Forgets the angles kept.
    pub fn clear(&mut self) {
        self.angles.clear();
        self.due = f64::NEG_INFINITY;
    }

    /// The angles kept, oldest first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &(f64, f64)> {
        self.angles.iter()
    }
}

/// The window a ramp's braking is read over (s): short against a ramp, so
/// that the speed's fall is the ramp's and not the window's.
pub const BRAKING_WINDOW_S: f64 = 0.3;
/// The lag over which the speed's fall is measured (s).
const BRAKING_LAG_S: f64 = 0.1;

/// Where a ramp whose angles are `trace` (times increasing) stops, from its
/// braking ([`braking_stop`]) after its fastest before `until`, whichever way
/// it turns. Give a ramp that sets off backwards in time (times negated) to
/// find where it set off.
pub fn braking_from_peak(trace: &[(f64, f64)], until: f64) -> Option<f64> {
    let speeds = centred_speeds(trace, BRAKING_WINDOW_S);
    let end = speeds.partition_point(|&(t, _)| t <= until);
    let (peak, &(_, fastest)) = speeds[..end]
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.1.abs().total_cmp(&b.1.1.abs()))?;
    let way = fastest.signum();
    let braking: Vec<(f64, f64)> = speeds[peak..end]
        .iter()
        .map(|&(t, v)| (t, way * v))
        .collect();
    braking_stop(&braking, BRAKING_LAG_S)
}

/// Signed mean speeds (deg/s) over a window `w` centred on each angle of
/// `trace` (times increasing).
fn centred_speeds(trace: &[(f64, f64)], w: f64) -> Vec<(f64, f64)> {
    let (mut lo, mut hi) = (0, 0);
    let mut out = Vec::with_capacity(trace.len());
    for &(t, _) in trace {
        while trace[lo].0 < t - w / 2.0 {
            lo += 1;
        }
        while hi + 1 < trace.len() && trace[hi + 1].0 <= t + w / 2.0 {
            hi += 1;
        }
        let span = trace[hi].0 - trace[lo].0;
        let v = if span > 0.0 {
            (trace[hi].1 - trace[lo].1) / span
        } else {
            0.0
        };
        out.push((t, v));
    }
    out
}

/// Where a braking movement stops: `speeds` are (time, speed) with time
/// running the way the movement brakes (backwards for a movement's start,
/// with times negated), from its fastest on. The speed's fall over `lag_s` is
/// found where it is steepest, and followed along that slope to zero.
fn braking_stop(speeds: &[(f64, f64)], lag_s: f64) -> Option<f64> {
    let mut best: Option<(f64, f64, f64)> = None;
    let mut j = 0;
    for i in 0..speeds.len() {
        let (t0, v0) = speeds[i];
        while j < speeds.len() && speeds[j].0 < t0 + lag_s {
            j += 1;
        }
        let Some(&(t1, v1)) = speeds.get(j) else {
            break;
        };
        let slope = (v1 - v0) / (t1 - t0);
        if slope < 0.0 && best.is_none_or(|(s, _, _)| slope < s) {
            best = Some((slope, (t0 + t1) / 2.0, (v0 + v1) / 2.0));
        }
    }
    best.map(|(slope, t, v)| t + v.max(0.0) / -slope)
}

/// The point in `lo..hi` where `above` turns from true to false.
fn bisect(mut lo: f64, mut hi: f64, above: impl Fn(f64) -> bool) -> f64 {
    for _ in 0..60 {
        let mid = (lo + hi) / 2.0;
        if above(mid) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    (lo + hi) / 2.0
}

/// The angle's mean speed over a trailing window, judged at the window's
/// middle, so that a hold's start and end are found with the same delay and its
/// length is not biased. Keeps the last [`MAX_WINDOW_S`] of angles, so that the
/// speed can be read over any window up to that.
///
/// The angles live in a plain `Vec` whose front is dropped by moving `head`
/// on, and cut off only now and then ([`COMPACT_AFTER`]): every sample reads
/// the window at three or four places, and a `VecDeque`'s wrapped indexing
/// there was a fifth of the cost of counting a tilt rep and watching the
/// posture (`cargo bench --bench motion`).
#[derive(Debug, Clone)]
pub struct CentredSpeed {
    span_s: f64,
    /// The angles and their times; the window is `angles[head..]`.
    angles: Vec<(f64, f64)>,
    head: usize,
    /// Where the default window starts in `angles`.
    first: usize,
    /// The last other window read ([`Self::over`]): its span and where it starts
    /// in `angles`, kept up to date as angles come, so that a hold judged over
    /// one window does not search for its start at every sample.
    other: Option<(f64, usize)>,
}

/// Angles dropped from the window's front before they are cut from its `Vec`
/// (and half of it at least): the cut moves only the window's own angles.
const COMPACT_AFTER: usize = 1024;

impl CentredSpeed {
    /// Reads over `span_s` seconds by default.
    pub fn new(span_s: f64) -> Self {
        Self {
            span_s,
            angles: Vec::new(),
            head: 0,
            first: 0,
            other: None,
        }
    }

    /// Forgets the angles seen.
    pub fn clear(&mut self) {
        self.angles.clear();
        self.head = 0;
        self.first = 0;
        self.other = None;
    }

    /// Pushes the angle at `t`; returns [`Self::over`] the default window.
    #[inline]
    pub fn push(&mut self, t: f64, angle: f64) -> (f64, f64, f64) {
        if self.head >= COMPACT_AFTER && 2 * self.head >= self.angles.len() {
            self.compact();
        }
        self.angles.push((t, angle));
        let keep = self.span_s.max(MAX_WINDOW_S);
        while self.angles.len() - self.head > 2 && self.angles[self.head + 1].0 <= t - keep {
            self.head += 1;
        }
        self.first = self.advance(self.first.max(self.head), self.span_s);
        if let Some((span, first)) = self.other {
            self.other = Some((span, self.advance(first.max(self.head), span)));
        }
        self.reading(self.first)
    }

    /// Cuts the angles before `head` from the `Vec`.
    #[cold]
    fn compact(&mut self) {
        let head = self.head;
        self.angles.drain(..head);
        self.head = 0;
        self.first = self.first.saturating_sub(head);
        if let Some((_, first)) = self.other.as_mut() {
            *first = first.saturating_sub(head);
        }
    }

    /// `first` moved on to the start of the latest `span_s` seconds.
    #[inline]
    fn advance(&self, mut first: usize, span_s: f64) -> usize {
        let Some(&(t, _)) = self.angles.last() else {
            return 0;
        };
        while first + 2 < self.angles.len() && self.angles[first + 1].0 <= t - span_s {
            first += 1;
        }
        first
    }

    /// The middle time and angle of the last `span_s` seconds and the mean speed
    /// across them (deg/s).
    pub fn over(&mut self, span_s: f64) -> (f64, f64, f64) {
        let Some(&(t, _)) = self.angles.last() else {
            return (0.0, 0.0, 0.0);
        };
        if span_s == self.span_s {
            return self.reading(self.first);
        }
        let first = match self.other {
            Some((span, first)) if span == span_s => first,
            _ => {
                let first = self.head
                    + self.angles[self.head..]
                        .partition_point(|e| e.0 <= t - span_s)
                        .saturating_sub(1);
                self.other = Some((span_s, first));
                first
            }
        };
        self.reading(first)
    }

    /// The reading over the window from `first` to the latest angle.
    #[inline]
    fn reading(&self, first: usize) -> (f64, f64, f64) {
        let Some(&(t, angle)) = self.angles.last() else {
            return (0.0, 0.0, 0.0);
        };
        let (t0, a0) = self.angles[first];
        let (tm, am) = self.angles[first + (self.angles.len() - first) / 2];
        let span = t - t0;
        let speed = if span > 0.0 {
            (angle - a0).abs() / span
        } else {
            0.0
        };
        (tm, am, speed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quick_ramp_brakes_harder_than_the_floor() {
        // 60 deg/s into 30 deg: still under 0.2 * 3600 / 30 = 24 deg/s.
        assert!((still_dps(60.0, 30.0) - 24.0).abs() < 1e-9);
        assert!((still_dps(5.0, 30.0) - STILL_DPS).abs() < 1e-9);
    }

    /// The reading over the last `span_s` of `angles`, the slow way.
    fn read_back(angles: &[(f64, f64)], span_s: f64) -> (f64, f64, f64) {
        let &(t, angle) = angles.last().unwrap();
        let first = angles
            .partition_point(|e| e.0 <= t - span_s)
            .saturating_sub(1)
            .min(angles.len().saturating_sub(2));
        let (t0, a0) = angles[first];
        let (tm, am) = angles[first + (angles.len() - first) / 2];
        let speed = if t > t0 {
            (angle - a0).abs() / (t - t0)
        } else {
            0.0
        };
        (tm, am, speed)
    }

    #[test]
    fn readings_stay_right_long_after_the_window_was_cut_back() {
        // 40 s at 200 Hz: the window's front is cut off several times
        // (COMPACT_AFTER), while a second window is read now and then.
        let mut w = CentredSpeed::new(SPEED_WINDOW_S);
        let mut angles = Vec::new();
        for i in 0..8000 {
            let t = f64::from(i) * 0.005 + 0.001 * f64::from(i % 3);
            let angle = 30.0 * (0.7 * t).sin() + 5.0 * (3.1 * t).cos();
            angles.push((t, angle));
            assert_eq!(w.push(t, angle), read_back(&angles, SPEED_WINDOW_S), "{t}");
            if i % 7 == 0 {
                assert_eq!(w.over(0.8), read_back(&angles, 0.8), "{t}");
            }
        }
        assert!(
            w.angles.len() <= 2 * COMPACT_AFTER + 200,
            "{}",
            w.angles.len()
        );
    }

    #[test]
    fn the_speed_of_a_steady_turn_is_its_rate_judged_at_the_middle() {
        let mut w = CentredSpeed::new(0.5);
        let mut last = (0.0, 0.0, 0.0);
        for i in 0..=100 {
            let t = f64::from(i) * 0.02;
            last = w.push(t, 10.0 * t);
        }
        let (tm, am, speed) = last;
        assert!((tm - 1.76).abs() < 0.03, "{tm}");
        assert!((am - 10.0 * tm).abs() < 1e-9);
        assert!((speed - 10.0).abs() < 1e-9);
    }

    /// Where the hold after an eased ramp in and before the same ramp out is
    /// found, as the counters judge it, with the lead added back: how far
    /// from the ramps' ends (s).
    fn judged_hold(size_deg: f64, ramp_s: f64) -> (f64, f64) {
        let (hold_s, rate) = (6.0, 100.0);
        let eased = |u: f64| {
            let u = u.clamp(0.0, 1.0);
            u * u * (3.0 - 2.0 * u)
        };
        let angle = |t: f64| size_deg * (eased(t / ramp_s) - eased((t - ramp_s - hold_s) / ramp_s));
        let mut fast = CentredSpeed::new(SPEED_WINDOW_S);
        let mut ramp_dps = 0.0_f64;
        let n = ((2.0 * ramp_s + hold_s + 2.0) * rate) as usize;
        for i in 0..n {
            let t = i as f64 / rate;
            let (tm, _, v) = fast.push(t, angle(t));
            if tm < ramp_s {
                ramp_dps = ramp_dps.max(v);
            }
        }
        let limit = still_dps(ramp_dps, size_deg);
        let window_s = hold_window_s(SPEED_WINDOW_S, ramp_dps, size_deg);
        let mut judged = CentredSpeed::new(window_s);
        let (mut start, mut end) = (None, None);
        for i in 0..n {
            let t = i as f64 / rate;
            let (tm, _, v) = judged.push(t, angle(t));
            if tm > ramp_s / 2.0 && tm < ramp_s + hold_s + ramp_s / 2.0 && v < limit {
                start.get_or_insert(tm);
                end = Some(tm);
            }
        }
        let lead = floor_lead_s(ramp_dps, size_deg);
        (
            start.unwrap() + lead - ramp_s,
            end.unwrap() - lead - ramp_s - hold_s,
        )
    }

    #[test]
    fn a_hold_after_a_slow_ramp_starts_and_ends_where_the_ramps_do() {
        // Held to the floor: a plank (12 deg over 2 s), slow stretches.
        for (size_deg, ramp_s) in [(12.0, 2.0), (15.0, 2.5), (20.0, 2.0), (45.0, 3.0)] {
            let (start_err, end_err) = judged_hold(size_deg, ramp_s);
            assert!(
                start_err.abs() < 0.03 && end_err.abs() < 0.03,
                "{size_deg} deg over {ramp_s} s: start {start_err:+.3} s, end {end_err:+.3} s"
            );
        }
        // Without the lead, the plank's hold reads 0.3 s long.
        assert!(
            floor_lead_s(8.8, 12.0) > 0.13,
            "{}",
            floor_lead_s(8.8, 12.0)
        );
        // A quick ramp sets its own threshold: nothing to add back.
        assert!(floor_lead_s(40.0, 30.0) == 0.0 && floor_lead_s(15.0, 8.0) == 0.0);
    }

    /// A ramp of `size_deg` over `ramp_s` from t = 1 s (`shape` maps 0..1 to
    /// 0..1), then held, with a plateau sway of phase `phase` on top, at 100 Hz.
    fn swayed_ramp(
        size_deg: f64,
        ramp_s: f64,
        shape: fn(f64) -> f64,
        phase: f64,
    ) -> Vec<(f64, f64)> {
        let tau = std::f64::consts::TAU;
        (0..600)
            .map(|i| {
                let t = f64::from(i) * 0.01;
                let u = ((t - 1.0) / ramp_s).clamp(0.0, 1.0);
                let sway = 1.2 * (tau * 0.23 * t + phase).sin()
                    + 0.5 * (tau * 0.61 * t + 2.0 * phase).sin();
                (t, size_deg * shape(u) + sway * shape(u))
            })
            .collect()
    }

    #[test]
    fn a_ramps_end_is_found_from_its_braking_under_a_sway() {
        let eased = |u: f64| u * u * (3.0 - 2.0 * u);
        let minimum_jerk = |u: f64| u * u * u * (10.0 - 15.0 * u + 6.0 * u * u);
        for (size_deg, ramp_s) in [(15.0, 2.0), (10.0, 1.2), (30.0, 2.5)] {
            let end = 1.0 + ramp_s;
            for k in 0..8 {
                let phase = f64::from(k) * 0.785;
                let found =
                    braking_from_peak(&swayed_ramp(size_deg, ramp_s, eased, phase), end + 0.5)
                        .unwrap();
                assert!(
                    (found - end).abs() < 0.25,
                    "eased {size_deg} deg over {ramp_s} s, phase {phase:.2}: {found:.3} s, not {end} s"
                );
                // A person's reach (minimum jerk) brakes gently at its very
                // end: without a sway, found early by 7% of the ramp.
                let found = braking_from_peak(
                    &swayed_ramp(size_deg, ramp_s, minimum_jerk, phase),
                    end + 0.5,
                )
                .unwrap();
                assert!(
                    (found - end).abs() < 0.35,
                    "minimum jerk {size_deg} deg over {ramp_s} s, phase {phase:.2}: {found:.3} s, not {end} s"
                );
            }
        }
        // The ramp out of a hold, lowering from t = 1 s as the ramp above
        // rose (its angle at 4 - t), given backwards in time (times negated):
        // where it set off.
        let out: Vec<(f64, f64)> = swayed_ramp(15.0, 2.0, eased, 0.0)
            .into_iter()
            .map(|(t, a)| (-(4.0 - t), a))
            .collect();
        let found = braking_from_peak(&out, -(1.0 - 0.5)).map(|t| -t);
        assert!(found.is_some_and(|t| (t - 1.0).abs() < 0.25), "{found:?}");
    }
}
