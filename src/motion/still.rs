//! Finds a reference pose: the first stretch of time during which the strap holds
//! still, averaged into one gravity direction.

use super::vec3::{Vec3, add, angle_deg, unit};

/// How far the direction may wander during a still stretch (deg).
const STILL_WANDER_DEG: f64 = 3.0;

/// Looks for the first `duration_s` seconds of stillness.
#[derive(Debug, Clone)]
pub struct StillFinder {
    duration_s: f64,
    anchor: Option<(f64, Vec3)>,
    sum: Vec3,
    found: Option<Vec3>,
}

impl StillFinder {
    /// A finder that wants `duration_s` seconds of stillness.
    pub fn new(duration_s: f64) -> Self {
        Self {
            duration_s,
            anchor: None,
            sum: [0.0; 3],
            found: None,
        }
    }

    /// Feeds the filtered up direction at time `t` and whether the wearer is moving;
    /// returns the reference once found (and on every later call).
    pub fn update(&mut self, t: f64, up: Vec3, moving: bool) -> Option<Vec3> {
        if self.found.is_some() {
            return self.found;
        }
        match self.anchor {
            Some((_, a)) if !moving && angle_deg(a, up) <= STILL_WANDER_DEG => {
                self.sum = add(self.sum, up);
            }
            _ => {
                self.anchor = (!moving).then_some((t, up));
                self.sum = up;
            }
        }
        if let Some((start, _)) = self.anchor
            && t - start >= self.duration_s
        {
            self.found = unit(self.sum);
        }
        self.found
    }

    /// The reference, once found.
    pub fn found(&self) -> Option<Vec3> {
        self.found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_first_still_stretch_after_movement() {
        let mut f = StillFinder::new(2.0);
        let mut t: f64 = 0.0;
        // Swaying for 3 s: no reference.
        while t < 3.0 {
            let a = (t * 3.0f64).sin() * 0.3;
            assert_eq!(f.update(t, [a, 0.0, 1.0], false), None);
            t += 0.02;
        }
        let pose = unit([0.2, 0.0, 1.0]).unwrap();
        let mut found = None;
        while t < 6.0 {
            found = f.update(t, pose, false);
            t += 0.02;
        }
        assert!(angle_deg(found.unwrap(), pose) < 0.01);
    }

    #[test]
    fn moving_prevents_a_reference() {
        let mut f = StillFinder::new(1.0);
        for i in 0..500 {
            assert_eq!(f.update(f64::from(i) * 0.01, [0.0, 0.0, 1.0], true), None);
        }
    }
}
