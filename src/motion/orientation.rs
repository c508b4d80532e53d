//! Gravity direction in the sensor frame: a complementary filter that integrates
//! the gyro when there is one and leans on the accelerometer's low-passed direction.

use super::filter::alpha;
use super::vec3::{Vec3, add, cross, norm, scale, unit};
use super::{MAX_GAP_S, Sample};

/// How quickly the estimate follows the accelerometer when a gyro carries it between
/// samples (s). Longer rides out linear acceleration better but lets gyro bias drift.
const TAU_WITH_GYRO_S: f64 = 0.6;
/// Low-pass time constant of the accelerometer direction without a gyro (s), at
/// any rate: stepped exactly, not with [`alpha`], whose step decays with about
/// `tau + dt / 2`. At 10 Hz that was a third slower than at 200 Hz, and put
/// the two ends of a hold late by different amounts (`sim_holds 10 --rate 10
/// --accel-only`: hold p90 0.40 s; 0.34 s stepped exactly). The other filters
/// keep [`alpha`]'s step: taken everywhere, the exact one moved the counts of
/// real sets both ways (see [`alpha`]); here, without a gyro, it left the
/// real sets as recorded as they were and moved two sets right and two wrong
/// over `score_real --variants`.
const TAU_ACCEL_ONLY_S: f64 = 0.15;
/// Beyond this departure of |a| from 1 g the accelerometer is trusted less.
const LINEAR_ACCEL_SOFT_G: f64 = 0.15;

/// Tracks the "up" direction (the direction gravity pushes back, as an accelerometer
/// at rest reads it) as a unit vector in the sensor frame.
#[derive(Debug, Clone, Default)]
pub struct Orientation {
    up: Option<Vec3>,
    last_t: Option<f64>,
}

impl Orientation {
    /// A fresh estimator; the first sample sets the estimate.
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds a sample and returns the time step it covered and the up direction.
    /// Returns `None` for a sample that does not move time forward or has no usable
    /// acceleration; such samples change nothing.
    pub fn update(&mut self, s: &Sample) -> Option<(f64, Vec3)> {
        self.update_sized(s).map(|(dt, up, _)| (dt, up))
    }

    /// [`Self::update`], also returning the acceleration's size (g), which
    /// the estimate needs anyway: a caller that wants it too need not take
    /// another square root on every sample.
    #[inline]
    pub fn update_sized(&mut self, s: &Sample) -> Option<(f64, Vec3, f64)> {
        let size = norm(s.accel);
        if !(size > 1e-9 && size.is_finite()) {
            return None;
        }
        let measured = scale(s.accel, 1.0 / size);
        if !s.t.is_finite() {
            return None;
        }
        let dt = match self.last_t {
            Some(last) if s.t <= last => return None,
            Some(last) => s.t - last,
            None => 0.0,
        };
        self.last_t = Some(s.t);
        let up = match self.up {
            Some(prev) if dt <= MAX_GAP_S => Self::blend(prev, measured, size, s, dt),
            _ => measured,
        };
        self.up = Some(up);
        Some((dt, up, size))
    }

    #[inline]
    fn blend(prev: Vec3, measured: Vec3, size: f64, s: &Sample, dt: f64) -> Vec3 {
        let excess = ((size - 1.0).abs() / LINEAR_ACCEL_SOFT_G).max(1.0);
        let (predicted, k) = match s.gyro {
            // A world-fixed vector seen from a frame turning at w turns by -w dt.
            // First order is plenty for one sample's turn; the blend renormalises.
            Some(w) if w.iter().all(|x| x.is_finite()) => (
                add(prev, cross(prev, scale(w, dt.to_radians_factor()))),
                alpha(dt, TAU_WITH_GYRO_S * excess),
            ),
            // The continuous filter's exact step: [`alpha`]'s would decay
            // with about `tau + dt / 2`, which at 10 Hz is a third slower.
            _ => (prev, 1.0 - (-dt / (TAU_ACCEL_ONLY_S * excess)).exp()),
        };
        unit(super::vec3::lerp(predicted, measured, k)).unwrap_or(measured)
    }

    /// The current up direction, if any sample has been seen.
    pub fn up(&self) -> Option<Vec3> {
        self.up
    }
}

/// Degrees-per-second times seconds to radians.
trait RadiansFactor {
    fn to_radians_factor(self) -> f64;
}

impl RadiansFactor for f64 {
    #[inline]
    fn to_radians_factor(self) -> f64 {
        self * std::f64::consts::PI / 180.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::motion::vec3::angle_deg;

    #[test]
    fn follows_a_tilt_without_gyro() {
        let mut o = Orientation::new();
        for i in 0..100 {
            o.update(&Sample::accel(f64::from(i) * 0.01, [0.0, 0.0, 1.0]));
        }
        let tilted = [0.5f64.sqrt(), 0.0, 0.5f64.sqrt()];
        let mut up = [0.0; 3];
        for i in 100..300 {
            up = o
                .update(&Sample::accel(f64::from(i) * 0.01, tilted))
                .unwrap()
                .1;
        }
        assert!(angle_deg(up, tilted) < 0.5, "{up:?}");
    }

    #[test]
    fn without_a_gyro_the_estimate_settles_alike_at_any_rate() {
        // What is left of a 5 deg tilt 0.8 s on (from the step that first
        // sees it, which covers the time since the sample before):
        // exp(-0.8 / 0.15) at any rate (stepped with `alpha`, 3.5 times that
        // at 10 Hz).
        let tilted = [5f64.to_radians().sin(), 0.0, 5f64.to_radians().cos()];
        let want = 5.0 * (-0.8 / TAU_ACCEL_ONLY_S).exp();
        for rate_hz in [10.0_f64, 12.5, 25.0, 50.0, 200.0] {
            let mut o = Orientation::new();
            let mut up = [0.0; 3];
            let first = (1.0 * rate_hz).round() as usize;
            for i in 0..first + (0.8 * rate_hz).round() as usize {
                let t = i as f64 / rate_hz;
                let accel = if i < first { [0.0, 0.0, 1.0] } else { tilted };
                up = o.update(&Sample::accel(t, accel)).unwrap().1;
            }
            let left = angle_deg(up, tilted);
            assert!(
                (left / want - 1.0).abs() < 0.1,
                "{rate_hz} Hz: {left:.4} deg left, {want:.4} deg for a time constant of {TAU_ACCEL_ONLY_S} s"
            );
        }
    }

    #[test]
    fn gyro_carries_the_estimate_through_linear_acceleration() {
        // Turning 45 deg about x in 1 s while the accelerometer is shaken by 0.4 g pushes.
        let mut o = Orientation::new();
        o.update(&Sample::accel(0.0, [0.0, 0.0, 1.0]));
        let mut up = [0.0; 3];
        for i in 1..=100 {
            let t = f64::from(i) * 0.01;
            let th = (45.0 * t).to_radians();
            let truth = [0.0, th.sin(), th.cos()];
            let push = 0.4 * (std::f64::consts::TAU * 2.0 * t).sin();
            let accel = [push, truth[1], truth[2]];
            let s = Sample {
                t,
                accel,
                gyro: Some([45.0, 0.0, 0.0]),
            };
            up = o.update(&s).unwrap().1;
        }
        let truth = [0.0, 45f64.to_radians().sin(), 45f64.to_radians().cos()];
        assert!(angle_deg(up, truth) < 5.0, "{:.1}", angle_deg(up, truth));
    }

    #[test]
    fn ignores_samples_that_do_not_move_forward() {
        let mut o = Orientation::new();
        assert!(o.update(&Sample::accel(1.0, [0.0, 0.0, 1.0])).is_some());
        assert!(o.update(&Sample::accel(1.0, [1.0, 0.0, 0.0])).is_none());
        assert!(o.update(&Sample::accel(0.5, [1.0, 0.0, 0.0])).is_none());
        assert!(o.update(&Sample::accel(2.0, [0.0; 3])).is_none());
    }
}
