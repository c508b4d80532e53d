//! Time profiles of one rep: how far (0..1, or -1..1 for cat-cow) toward the
//! target the moved joints are at a given time.

use super::exercise::Shape;
use crate::math::smoothstep;
use crate::scenario::Ease;

/// The part of a set's first (last) shoulder roll over which it eases in (out).
pub const ROLL_EASE: f64 = 0.25;

/// One planned rep, with its jitter already drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct RepPlan {
    /// Start of the raise ramp, scenario seconds.
    pub start: f64,
    /// Raise ramp length.
    pub up_s: f64,
    /// Plateau length.
    pub hold_s: f64,
    /// Lower ramp length.
    pub down_s: f64,
    /// Measured angle at the plateau, degrees.
    pub amplitude_deg: f64,
    /// Side index (0 left, 1 right) for sided exercises.
    pub side: Option<usize>,
    /// A partial rep (not in the truth's reps).
    pub partial: bool,
    /// Makes the ramps uneven: `u^w` (slow start) for `w >= 1`, `1 - (1-u)^-w`
    /// (slow end) for `w <= -1`; both keep the motion's second derivative finite.
    pub warp: f64,
    /// Phase of the plateau sway.
    pub sway_phase: f64,
    /// +1 forward / -1 backward (shoulder rolls).
    pub direction: f64,
    /// Whether this roll fades in / fades out (first and last of a set).
    pub edges: [bool; 2],
    /// How the ramps ease in and out.
    pub ease: Ease,
}

impl RepPlan {
    /// End of the lowering ramp.
    pub fn end(&self, shape: Shape) -> f64 {
        match shape {
            Shape::Hold => self.start + self.up_s + self.hold_s + self.down_s,
            Shape::CatCow => self.start + 2.0 * (self.up_s + self.hold_s + self.down_s),
            Shape::Roll => self.start + self.up_s,
        }
    }

    /// Progress toward the target at `t` and the weight of the plateau sway.
    pub fn value(&self, shape: Shape, t: f64) -> (f64, f64) {
        let dt = t - self.start;
        if dt <= 0.0 || t >= self.end(shape) {
            return (0.0, 0.0);
        }
        let ramp = |u: f64| {
            let u = u.clamp(0.0, 1.0);
            let g = if self.warp >= 0.0 {
                u.powf(self.warp)
            } else {
                1.0 - (1.0 - u).powf(-self.warp)
            };
            match self.ease {
                Ease::Eased => smoothstep(g),
                Ease::MinimumJerk => g * g * g * (10.0 - 15.0 * g + 6.0 * g * g),
            }
        };
        match shape {
            Shape::Hold => {
                let v = if dt < self.up_s {
                    ramp(dt / self.up_s)
                } else if dt < self.up_s + self.hold_s {
                    1.0
                } else {
                    1.0 - ramp((dt - self.up_s - self.hold_s) / self.down_s)
                };
                (v, v)
            }
            Shape::CatCow => {
                let leg = self.up_s + self.hold_s + self.down_s;
                let (v, sign) = if dt < leg {
                    (dt, 1.0)
                } else {
                    (dt - leg, -1.0)
                };
                let h = Self {
                    start: 0.0,
                    ..self.clone()
                }
                .value(Shape::Hold, v)
                .0;
                (sign * h, h)
            }
            Shape::Roll => (self.roll(t).0, 0.0),
        }
    }

    /// A shoulder roll at `t`: (forward pitch in -1..1, shoulder lift in 0..1).
    /// Pitch leads the lift going forward and lags it going backward. The first
    /// and last roll of a set ease in and out over their first and last quarter
    /// ([`ROLL_EASE`]), so nothing starts with a jerk, and are otherwise full
    /// rolls: a person's first roll is about as big as the next.
    pub fn roll(&self, t: f64) -> (f64, f64) {
        let u = (t - self.start) / self.up_s;
        if !(0.0..1.0).contains(&u) {
            return (0.0, 0.0);
        }
        let phase = std::f64::consts::TAU * u;
        let mut envelope = 1.0;
        if self.edges[0] {
            envelope *= smoothstep(u / ROLL_EASE);
        }
        if self.edges[1] {
            envelope *= smoothstep((1.0 - u) / ROLL_EASE);
        }
        (
            self.direction * phase.sin() * envelope,
            (1.0 - phase.cos()) / 2.0,
        )
    }

    /// Extra angle of the plateau sway, degrees (±1.7 at most).
    pub fn sway(&self, t: f64) -> f64 {
        let tau = std::f64::consts::TAU;
        1.2 * (tau * 0.23 * t + self.sway_phase).sin()
            + 0.5 * (tau * 0.61 * t + 2.0 * self.sway_phase).sin()
    }
}

#[cfg(test)]
#[allow(clippy::float_cmp)] // exact 0 and 1 are what the profile returns off-ramp
mod tests {
    use super::*;

    fn rep() -> RepPlan {
        RepPlan {
            start: 10.0,
            up_s: 2.0,
            hold_s: 5.0,
            down_s: 2.0,
            amplitude_deg: 20.0,
            side: None,
            partial: false,
            warp: 1.1,
            sway_phase: 0.0,
            direction: 1.0,
            edges: [false; 2],
            ease: Ease::Eased,
        }
    }

    #[test]
    fn a_minimum_jerk_ramp_eases_out_more_gently() {
        let eased = rep();
        let reach = RepPlan {
            ease: Ease::MinimumJerk,
            warp: 1.0,
            ..rep()
        };
        let eased = RepPlan { warp: 1.0, ..eased };
        // Both halfway at the middle; 90% of the way through the ramp the
        // reach has 0.9% left, the smoothstep 2.8%.
        assert!((reach.value(Shape::Hold, 11.0).0 - 0.5).abs() < 1e-9);
        assert!((1.0 - reach.value(Shape::Hold, 11.8).0 - 0.00856).abs() < 1e-4);
        assert!((1.0 - eased.value(Shape::Hold, 11.8).0 - 0.028).abs() < 1e-4);
    }

    #[test]
    fn hold_profile_has_ramp_plateau_ramp() {
        let r = rep();
        assert_eq!(r.value(Shape::Hold, 9.0).0, 0.0);
        assert!(r.value(Shape::Hold, 11.0).0 > 0.0 && r.value(Shape::Hold, 11.0).0 < 1.0);
        assert_eq!(r.value(Shape::Hold, 14.0).0, 1.0);
        assert!(r.value(Shape::Hold, 18.0).0 < 1.0);
        assert_eq!(r.value(Shape::Hold, 19.5).0, 0.0);
        assert!((r.end(Shape::Hold) - 19.0).abs() < 1e-12);
    }

    #[test]
    fn cat_cow_goes_both_ways() {
        let r = rep();
        assert_eq!(r.value(Shape::CatCow, 14.0).0, 1.0);
        assert_eq!(r.value(Shape::CatCow, 23.0).0, -1.0);
        assert!((r.end(Shape::CatCow) - 28.0).abs() < 1e-12);
    }

    #[test]
    fn a_sets_first_and_last_rolls_are_nearly_full_and_start_and_end_at_rest() {
        let mut r = rep();
        r.edges = [true, true];
        let peak = |r: &RepPlan, lo: f64, hi: f64| {
            (0..=200)
                .map(|k| {
                    r.roll(10.0 + 2.0 * (lo + (hi - lo) * f64::from(k) / 200.0))
                        .0
                        .abs()
                })
                .fold(0.0f64, f64::max)
        };
        // Both lobes of the pitch reach nearly full size (eased over a quarter
        // roll, not faded over the whole one: that left the first lobe at 0.23).
        assert!(peak(&r, 0.0, 0.5) > 0.9, "{}", peak(&r, 0.0, 0.5));
        assert!(peak(&r, 0.5, 1.0) > 0.9, "{}", peak(&r, 0.5, 1.0));
        // ... from rest and back to it, without a jerk.
        assert!(r.roll(10.0 + 2.0 * 0.01).0.abs() < 1e-3);
        assert!(r.roll(10.0 + 2.0 * 0.99).0.abs() < 1e-3);
    }

    #[test]
    fn roll_direction_flips_sign() {
        let mut r = rep();
        let f = r.value(Shape::Roll, 10.5).0;
        r.direction = -1.0;
        assert!(f > 0.5 && (r.value(Shape::Roll, 10.5).0 + f).abs() < 1e-12);
    }
}
