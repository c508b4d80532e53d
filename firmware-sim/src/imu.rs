//! A strap's IMU: the ideal reading at its placement plus what a real sensor and
//! a real body add (mounting rotation, bias, white noise, tremor).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::body;
use crate::math::{self, Mat3, Vec3};
use crate::motion::plan::{Timeline, normal};
use crate::scenario::{Placement, Side};

/// Accelerometer white noise, g (1 sigma).
pub const ACCEL_NOISE_G: f64 = 0.01;
/// Largest accelerometer bias per axis, g.
pub const ACCEL_BIAS_G: f64 = 0.02;
/// Gyroscope white noise, deg/s (1 sigma).
pub const GYRO_NOISE_DPS: f64 = 0.5;
/// Largest gyroscope bias per axis, deg/s.
pub const GYRO_BIAS_DPS: f64 = 1.0;

/// One sample: time in scenario seconds, accel in g, gyro in deg/s.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    /// Scenario time, seconds.
    pub t: f64,
    /// Accelerometer, g.
    pub accel: Vec3,
    /// Gyroscope, deg/s.
    pub gyro: Vec3,
}

/// A simulated IMU on one strap. Samples must be taken in time order for the
/// noise to be reproducible.
#[derive(Debug, Clone)]
pub struct Imu {
    placement: Placement,
    side: Side,
    mount: Mat3,
    accel_bias: Vec3,
    gyro_bias: Vec3,
    tremor_phase: [f64; 6],
    rng: ChaCha8Rng,
}

impl Imu {
    /// A sensor for strap number `index` of a scenario run with `seed`; the
    /// mounting rotation is at most `mount_max_deg` about each axis.
    pub fn new(
        placement: Placement,
        side: Side,
        seed: u64,
        index: u64,
        mount_max_deg: f64,
    ) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(index + 1);
        let m = mount_max_deg.abs();
        let mut angle = || {
            if m > 0.0 {
                rng.random_range(-m..=m)
            } else {
                0.0
            }
        };
        let (a, b, c) = (angle(), angle(), angle());
        let mount = math::mul(
            &math::mul(&math::rot_z(a), &math::rot_y(b)),
            &math::rot_x(c),
        );
        let accel_bias = [0; 3].map(|_| rng.random_range(-ACCEL_BIAS_G..=ACCEL_BIAS_G));
        let gyro_bias = [0; 3].map(|_| rng.random_range(-GYRO_BIAS_DPS..=GYRO_BIAS_DPS));
        let tremor_phase = [0; 6].map(|_| rng.random_range(0.0..std::f64::consts::TAU));
        Self {
            placement,
            side,
            mount,
            accel_bias,
            gyro_bias,
            tremor_phase,
            rng,
        }
    }

    /// The fixed mounting rotation (sensor-to-segment).
    pub fn mount(&self) -> &Mat3 {
        &self.mount
    }

    /// The sample at scenario time `t`.
    pub fn sample(&mut self, timeline: &Timeline, t: f64) -> Sample {
        let ideal = body::ideal(timeline, self.placement, self.side, &self.mount, t);
        let tremor = |k: usize, amp: f64| {
            amp * (std::f64::consts::TAU * 9.0 * t + self.tremor_phase[k]).sin()
        };
        let mut accel = [0.0; 3];
        let mut gyro = [0.0; 3];
        for i in 0..3 {
            accel[i] = ideal.accel_g[i]
                + self.accel_bias[i]
                + tremor(i, 0.004)
                + ACCEL_NOISE_G * normal(&mut self.rng);
            gyro[i] = ideal.gyro_dps[i]
                + self.gyro_bias[i]
                + tremor(i + 3, 0.4)
                + GYRO_NOISE_DPS * normal(&mut self.rng);
        }
        Sample { t, accel, gyro }
    }
}
