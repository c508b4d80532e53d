//! First-order filters whose behaviour depends on elapsed time, not sample count,
//! so they act about the same at 10 Hz and at 400 Hz and across irregular
//! spacing: where the samples come far apart against a filter's time constant,
//! its step ([`alpha`]) makes it slower than it says.

use super::vec3::{Vec3, lerp};

/// The blend factor of a first-order low-pass with time constant `tau` over `dt`.
/// This step lengthens the time constant by about `dt / 2` (a 2 Hz low-pass at
/// 12.5 Hz cuts at 1.4 Hz; the barbell specs in `examples/barbell/` were tuned
/// so). The exact step of the continuous filter, `1 - exp(-dt / tau)`, was
/// measured and not taken: holds at 10 Hz without a gyro came out closer
/// (`sim_holds 10 --rate 10 --accel-only`, p90 0.41 -> 0.35 s), but counts of
/// the real sets as other straps would record them moved both ways.
#[inline]
pub fn alpha(dt: f64, tau: f64) -> f64 {
    if tau <= 0.0 { 1.0 } else { dt / (tau + dt) }
}

/// Time constant of a first-order low-pass with cut-off `hz`.
#[inline]
pub fn tau_for_cutoff(hz: f64) -> f64 {
    1.0 / (std::f64::consts::TAU * hz)
}

/// [`alpha`] for the last time step, remembered: samples mostly come evenly
/// spaced, and this saves a division per filter per sample.
#[derive(Debug, Clone, Copy)]
struct Alpha {
    tau: f64,
    dt: f64,
    alpha: f64,
}

impl Alpha {
    fn new(tau: f64) -> Self {
        Self {
            tau,
            dt: 0.0,
            alpha: alpha(0.0, tau),
        }
    }

    #[inline]
    fn get(&mut self, dt: f64) -> f64 {
        if (dt - self.dt).abs() > 1e-12 {
            self.dt = dt;
            self.alpha = alpha(dt, self.tau);
        }
        self.alpha
    }
}

/// Exponential moving average of a scalar.
#[derive(Debug, Clone, Copy)]
pub struct Ema {
    alpha: Alpha,
    value: Option<f64>,
}

impl Ema {
    /// A filter with time constant `tau` seconds.
    pub fn new(tau: f64) -> Self {
        Self {
            alpha: Alpha::new(tau),
            value: None,
        }
    }

    /// Feeds `x` after `dt` seconds and returns the new value.
    #[inline]
    pub fn update(&mut self, x: f64, dt: f64) -> f64 {
        let v = match self.value {
            None => x,
            Some(v) => v + self.alpha.get(dt) * (x - v),
        };
        self.value = Some(v);
        v
    }

    /// The current value (0 before the first sample).
    pub fn value(&self) -> f64 {
        self.value.unwrap_or(0.0)
    }
}

/// Exponential moving average of a vector.
#[derive(Debug, Clone, Copy)]
pub struct Ema3 {
    alpha: Alpha,
    value: Option<Vec3>,
}

impl Ema3 {
    /// A filter with time constant `tau` seconds.
    pub fn new(tau: f64) -> Self {
        Self {
            alpha: Alpha::new(tau),
            value: None,
        }
    }

    /// Feeds `x` after `dt` seconds and returns the new value.
    #[inline]
    pub fn update(&mut self, x: Vec3, dt: f64) -> Vec3 {
        let v = match self.value {
            None => x,
            Some(v) => lerp(v, x, self.alpha.get(dt)),
        };
        self.value = Some(v);
        v
    }
}
