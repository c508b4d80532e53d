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

/// The angle's mean speed over a trailing window, judged at the window's
/// middle, so that a hold's start and end are found with the same delay and its
/// length is not biased. Keeps the last [`MAX_WINDOW_S`] of angles, so that the
/// speed can be read over any window up to that.
#[derive(Debug, Clone)]
pub struct CentredSpeed {
    span_s: f64,
    window: VecDeque<(f64, f64)>,
    /// Where the default window starts in `window`.
    first: usize,
    /// The last other window read ([`Self::over`]): its span and where it starts,
    /// kept up to date as angles come, so that a hold judged over one window
    /// does not search for its start at every sample.
    other: Option<(f64, usize)>,
}

impl CentredSpeed {
    /// Reads over `span_s` seconds by default.
    pub fn new(span_s: f64) -> Self {
        Self {
            span_s,
            window: VecDeque::new(),
            first: 0,
            other: None,
        }
    }

    /// Forgets the angles seen.
    pub fn clear(&mut self) {
        self.window.clear();
        self.first = 0;
        self.other = None;
    }

    /// Pushes the angle at `t`; returns [`Self::over`] the default window.
    pub fn push(&mut self, t: f64, angle: f64) -> (f64, f64, f64) {
        self.window.push_back((t, angle));
        let keep = self.span_s.max(MAX_WINDOW_S);
        while self.window.len() > 2 && self.window[1].0 <= t - keep {
            self.window.pop_front();
            self.first = self.first.saturating_sub(1);
            if let Some((_, first)) = self.other.as_mut() {
                *first = first.saturating_sub(1);
            }
        }
        self.first = self.advance(self.first, self.span_s);
        if let Some((span, first)) = self.other {
            self.other = Some((span, self.advance(first, span)));
        }
        self.reading(self.first)
    }

    /// `first` moved on to the start of the latest `span_s` seconds.
    fn advance(&self, mut first: usize, span_s: f64) -> usize {
        let Some(&(t, _)) = self.window.back() else {
            return 0;
        };
        while first + 2 < self.window.len() && self.window[first + 1].0 <= t - span_s {
            first += 1;
        }
        first
    }

    /// The middle time and angle of the last `span_s` seconds and the mean speed
    /// across them (deg/s).
    pub fn over(&mut self, span_s: f64) -> (f64, f64, f64) {
        let Some(&(t, _)) = self.window.back() else {
            return (0.0, 0.0, 0.0);
        };
        if span_s == self.span_s {
            return self.reading(self.first);
        }
        let first = match self.other {
            Some((span, first)) if span == span_s => first,
            _ => {
                let first = self
                    .window
                    .partition_point(|e| e.0 <= t - span_s)
                    .saturating_sub(1);
                self.other = Some((span_s, first));
                first
            }
        };
        self.reading(first)
    }

    /// The reading over the window from `first` to the latest angle.
    fn reading(&self, first: usize) -> (f64, f64, f64) {
        let Some(&(t, angle)) = self.window.back() else {
            return (0.0, 0.0, 0.0);
        };
        let (t0, a0) = self.window[first];
        let (tm, am) = self.window[first + (self.window.len() - first) / 2];
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
}
