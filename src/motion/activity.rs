//! Whole-body movement (walking, fidgeting) from how much the acceleration's
//! magnitude varies: orientation-free, so the strap's mounting does not matter.

use super::filter::Ema;

/// Standard deviation of |a| above which the wearer counts as moving (g).
const MOVING_ENTER_G: f64 = 0.07;
/// ... and below which they count as still again (g): hysteresis against flapping.
const MOVING_EXIT_G: f64 = 0.04;
/// How long the variation must stay low before "moving" ends (s).
const MOVING_EXIT_HOLD_S: f64 = 1.5;
/// Averaging time of the variation (s); about two walking steps.
const WINDOW_S: f64 = 1.0;
/// Averaging time of the variation that ends "moving" (s): short, so the end of
/// a walk is seen when it ends, not when a long average has forgotten it.
const EXIT_WINDOW_S: f64 = 0.3;

/// Tracks whether the wearer is moving about.
#[derive(Debug, Clone)]
pub struct Activity {
    mean: Ema,
    var: Ema,
    var_exit: Ema,
    moving: bool,
    quiet_for: f64,
}

impl Default for Activity {
    fn default() -> Self {
        Self::new()
    }
}

impl Activity {
    /// A tracker that starts in "not moving".
    pub fn new() -> Self {
        Self {
            mean: Ema::new(WINDOW_S),
            var: Ema::new(WINDOW_S),
            var_exit: Ema::new(EXIT_WINDOW_S),
            moving: false,
            quiet_for: 0.0,
        }
    }

    /// Feeds the magnitude of one acceleration sample after `dt` seconds and returns
    /// whether the wearer is moving.
    #[inline]
    pub fn update(&mut self, magnitude_g: f64, dt: f64) -> bool {
        let m = self.mean.update(magnitude_g, dt);
        let d = magnitude_g - m;
        let var = self.var.update(d * d, dt);
        let recent = self.var_exit.update(d * d, dt);
        if var > MOVING_ENTER_G * MOVING_ENTER_G && recent > MOVING_EXIT_G * MOVING_EXIT_G {
            self.moving = true;
            self.quiet_for = 0.0;
        } else if self.moving && recent < MOVING_EXIT_G * MOVING_EXIT_G {
            self.quiet_for += dt;
            if self.quiet_for >= MOVING_EXIT_HOLD_S {
                self.moving = false;
            }
        } else {
            self.quiet_for = 0.0;
        }
        self.moving
    }

    /// Whether the wearer is moving.
    pub fn moving(&self) -> bool {
        self.moving
    }

    /// The current standard deviation of |a| (g).
    pub fn level_g(&self) -> f64 {
        self.var.value().sqrt()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(f: impl Fn(f64) -> f64, from: f64, to: f64, a: &mut Activity) -> bool {
        let mut t = from;
        while t < to {
            a.update(f(t), 0.01);
            t += 0.01;
        }
        a.moving()
    }

    #[test]
    fn walking_is_moving_and_sitting_is_not() {
        let mut a = Activity::new();
        assert!(!run(|_| 1.0, 0.0, 5.0, &mut a));
        let walk = |t: f64| 1.0 + 0.25 * (std::f64::consts::TAU * 1.9 * t).sin();
        assert!(run(walk, 5.0, 10.0, &mut a));
        // A moment of standing still at a crossing does not end the walk at once...
        assert!(run(|_| 1.0, 10.0, 10.5, &mut a));
        // ...but a longer rest does, soon after the walk ends: a wearer who walks
        // to the mat and stands still for a moment is still by then.
        assert!(!run(|_| 1.0, 10.5, 12.8, &mut a));
    }
}
