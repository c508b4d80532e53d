//! Synthetic motions with known truth, for tests, benchmarks and examples.
//!
//! A [`Motion`] is a timeline of body-segment tilts (about one body axis) and walks;
//! [`Motion::render`] turns it into the samples a strap would give, with noise,
//! bias, tremor, a mounting rotation and uneven sample spacing as asked, and returns
//! the truth (each rep's start, end and hold; each slouch) beside them.

use crate::motion::Sample;
use crate::motion::vec3::{Vec3, add, rotate, scale};

/// A small deterministic random source (SplitMix64), so a seed fixes the output.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// Seeded.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }
    /// Uniform in [0, 1).
    pub fn uniform(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Standard normal (Box-Muller).
    pub fn normal(&mut self) -> f64 {
        let u = self.uniform().max(1e-12);
        let v = self.uniform();
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
    /// A random unit rotation vector scaled to an angle up to `max_deg`.
    pub fn rotation(&mut self, max_deg: f64) -> Vec3 {
        let axis = [self.normal(), self.normal(), self.normal()];
        let n = crate::motion::vec3::norm(axis).max(1e-9);
        scale(axis, max_deg.to_radians() * self.uniform() / n)
    }
}

#[derive(Debug, Clone, Copy)]
enum Segment {
    /// Hold an angle (deg) for a time.
    Still { secs: f64 },
    /// Move from the current angle to another with a smooth ramp.
    Ramp { to_deg: f64, secs: f64 },
    /// Walk for a time at the current angle.
    Walk { secs: f64 },
}

/// What really happened in a synthetic motion.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Truth {
    /// Each rep: (start, end, hold) in seconds.
    pub reps: Vec<(f64, f64, f64)>,
    /// Each slouch: (start, end, peak deg); start and end at the ramps' midpoints.
    pub slouches: Vec<(f64, f64, f64)>,
}

/// A timeline of tilts about the body's x axis (0 deg = the rest pose).
#[derive(Debug, Clone, Default)]
pub struct Motion {
    segments: Vec<Segment>,
    truth: Truth,
    t: f64,
    angle: f64,
}

/// How the strap senses the motion.
#[derive(Debug, Clone)]
pub struct Sensor {
    /// Sample rate (Hz).
    pub rate_hz: f64,
    /// Whether to produce gyro readings.
    pub gyro: bool,
    /// Accelerometer white noise (g, standard deviation).
    pub noise_g: f64,
    /// Gyro white noise (deg/s).
    pub gyro_noise_dps: f64,
    /// Accelerometer bias (g) and gyro bias (deg/s) per axis, at most.
    pub bias_g: f64,
    /// Gyro bias at most (deg/s).
    pub gyro_bias_dps: f64,
    /// Tremor amplitude (deg) at 8-10 Hz.
    pub tremor_deg: f64,
    /// Mounting rotation as a rotation vector (radians).
    pub mounting: Vec3,
    /// Random jitter of sample spacing, as a fraction of the period.
    pub jitter: f64,
    /// Seed of every random choice.
    pub seed: u64,
}

impl Default for Sensor {
    fn default() -> Self {
        Self {
            rate_hz: 50.0,
            gyro: false,
            noise_g: 0.01,
            gyro_noise_dps: 0.5,
            bias_g: 0.02,
            gyro_bias_dps: 1.0,
            tremor_deg: 0.3,
            mounting: [0.0; 3],
            jitter: 0.0,
            seed: 1,
        }
    }
}

fn smoothstep(x: f64) -> f64 {
    let x = x.clamp(0.0, 1.0);
    x * x * (3.0 - 2.0 * x)
}

impl Motion {
    /// An empty timeline starting at rest.
    pub fn new() -> Self {
        Self::default()
    }

    /// Stays still for `secs`.
    pub fn rest(mut self, secs: f64) -> Self {
        self.segments.push(Segment::Still { secs });
        self.t += secs;
        self
    }

    /// Moves to `to_deg` over `secs`.
    pub fn ramp(mut self, to_deg: f64, secs: f64) -> Self {
        self.segments.push(Segment::Ramp { to_deg, secs });
        self.t += secs;
        self.angle = to_deg;
        self
    }

    /// Walks for `secs`.
    pub fn walk(mut self, secs: f64) -> Self {
        self.segments.push(Segment::Walk { secs });
        self.t += secs;
        self
    }

    /// A rep: up to `angle` in `rise_s`, held `hold_s`, back down in `lower_s`,
    /// recorded in the truth.
    pub fn rep(self, angle: f64, rise_s: f64, hold_s: f64, lower_s: f64) -> Self {
        let (start, base) = (self.t, self.angle);
        let mut m = self.ramp(angle, rise_s).rest(hold_s).ramp(base, lower_s);
        m.truth.reps.push((start, m.t, hold_s));
        m
    }

    /// A slouch: lean `angle` further over `ramp_s`, stay `secs`, come back.
    pub fn slouch(self, angle: f64, ramp_s: f64, secs: f64) -> Self {
        let (start, base) = (self.t + ramp_s / 2.0, self.angle);
        let mut m = self
            .ramp(base + angle, ramp_s)
            .rest(secs)
            .ramp(base, ramp_s);
        let end = m.t - ramp_s / 2.0;
        m.truth.slouches.push((start, end, angle));
        m
    }

    /// Length of the timeline (s).
    pub fn duration(&self) -> f64 {
        self.t
    }

    /// The truth.
    pub fn truth(&self) -> &Truth {
        &self.truth
    }

    /// (angle deg, angular rate deg/s, walking) at time `t`.
    fn at(&self, t: f64) -> (f64, f64, bool) {
        let (mut t0, mut angle) = (0.0, 0.0);
        for seg in &self.segments {
            let (secs, walking) = match *seg {
                Segment::Still { secs } => (secs, false),
                Segment::Walk { secs } => (secs, true),
                Segment::Ramp { to_deg, secs } => {
                    if t < t0 + secs {
                        let x = (t - t0) / secs;
                        let rate = (to_deg - angle) * 6.0 * x * (1.0 - x) / secs;
                        return (angle + (to_deg - angle) * smoothstep(x), rate, false);
                    }
                    angle = to_deg;
                    (secs, false)
                }
            };
            if t < t0 + secs {
                return (angle, 0.0, walking);
            }
            t0 += secs;
        }
        (angle, 0.0, false)
    }

    /// The samples a strap with `sensor` would give over the whole timeline.
    pub fn render(&self, sensor: &Sensor) -> Vec<Sample> {
        let mut rng = Rng::new(sensor.seed);
        let bias = [0; 3].map(|_| sensor.bias_g * (2.0 * rng.uniform() - 1.0));
        let gbias = [0; 3].map(|_| sensor.gyro_bias_dps * (2.0 * rng.uniform() - 1.0));
        let tremor_hz = 8.0 + 2.0 * rng.uniform();
        let period = 1.0 / sensor.rate_hz;
        let mut out = Vec::with_capacity((self.t * sensor.rate_hz) as usize + 1);
        let mut t = 0.0;
        while t <= self.t {
            let (base, rate, walking) = self.at(t);
            let tremor = sensor.tremor_deg * (std::f64::consts::TAU * tremor_hz * t).sin();
            let th = (base + tremor).to_radians();
            // Body frame: rest pose up = +z; tilting turns about +x.
            let mut accel = [0.0, th.sin(), th.cos()];
            if walking {
                let ph = std::f64::consts::TAU * 1.9 * t;
                accel = add(
                    accel,
                    [0.05 * (ph / 2.0).sin(), 0.08 * ph.cos(), 0.25 * ph.sin()],
                );
            }
            let noise = [0; 3].map(|_| sensor.noise_g * rng.normal());
            let accel = add(
                add(rotate(accel, scale(sensor.mounting, -1.0)), bias),
                noise,
            );
            let gyro = sensor.gyro.then(|| {
                let w = rotate([rate, 0.0, 0.0], scale(sensor.mounting, -1.0));
                add(
                    add(w, gbias),
                    [0; 3].map(|_| sensor.gyro_noise_dps * rng.normal()),
                )
            });
            out.push(Sample { t, accel, gyro });
            t += period * (1.0 + sensor.jitter * (2.0 * rng.uniform() - 1.0));
        }
        out
    }
}

/// An hour at 200 Hz with gyro: leg raises held 10 s, slouches and walks, one
/// after another. The benchmarks' workload (`benches/motion.rs`,
/// `examples/analyze_bench.rs`).
pub fn mixed_hour() -> Vec<Sample> {
    let mut m = Motion::new().rest(5.0);
    while m.duration() < 3600.0 {
        m = m
            .rep(16.0, 1.5, 10.0, 1.5)
            .rest(3.0)
            .slouch(20.0, 2.0, 40.0)
            .rest(10.0)
            .walk(20.0)
            .rest(5.0);
    }
    m.render(&Sensor {
        rate_hz: 200.0,
        gyro: true,
        ..Sensor::default()
    })
}
