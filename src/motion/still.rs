//! Finds a reference pose: the first stretch of time during which the strap's
//! direction stays within a small band, averaged into one gravity direction. When
//! none comes within [`FALLBACK_S`], the steadiest stretch so far is taken, and
//! the finder says it guessed.

use super::vec3::{Vec3, add, angle_deg, unit};

/// How far the direction may wander during a still stretch (deg).
const STILL_WANDER_DEG: f64 = 3.0;
/// With no still stretch this long after the first sample, the steadiest one so
/// far becomes the reference (s).
pub const FALLBACK_S: f64 = 4.0;
/// ... if that stretch lasted at least this long (s); a shorter one is not a pose,
/// and the finder waits on for one that is.
const MIN_GUESS_S: f64 = 0.4;

/// A stretch of steadiness: when it started and ended, and its summed direction.
#[derive(Debug, Clone, Copy)]
struct Stretch {
    start: f64,
    end: f64,
    sum: Vec3,
}

/// Looks for the first `duration_s` seconds of stillness.
#[derive(Debug, Clone)]
pub struct StillFinder {
    duration_s: f64,
    anchor: Option<(f64, Vec3)>,
    sum: Vec3,
    found: Option<Vec3>,
    first_t: Option<f64>,
    last_t: f64,
    best: Option<Stretch>,
    guessed: Option<(f64, f64)>,
    fallback: bool,
}

impl StillFinder {
    /// A finder that wants `duration_s` seconds of stillness.
    pub fn new(duration_s: f64) -> Self {
        Self {
            duration_s,
            anchor: None,
            sum: [0.0; 3],
            found: None,
            first_t: None,
            last_t: 0.0,
            best: None,
            guessed: None,
            fallback: false,
        }
    }

    /// A finder that, when nothing is still within [`FALLBACK_S`], takes the
    /// steadiest stretch so far rather than waiting on (a rep counter must count).
    pub fn with_fallback(duration_s: f64) -> Self {
        Self {
            fallback: true,
            ..Self::new(duration_s)
        }
    }

    /// When the reference had to be guessed: the steadiest stretch's start and end
    /// (s), taken because nothing was still within [`FALLBACK_S`].
    pub fn guessed(&self) -> Option<(f64, f64)> {
        self.guessed
    }

    /// Remembers the stretch that is ending if it is the steadiest (longest) yet.
    fn close_stretch(&mut self) {
        if let Some((start, _)) = self.anchor {
            let s = Stretch {
                start,
                end: self.last_t,
                sum: self.sum,
            };
            if self.best.is_none_or(|b| s.end - s.start > b.end - b.start) {
                self.best = Some(s);
            }
        }
    }

    /// Feeds the filtered up direction at time `t` and whether the wearer is moving;
    /// returns the reference once found (and on every later call).
    pub fn update(&mut self, t: f64, up: Vec3, moving: bool) -> Option<Vec3> {
        if self.found.is_some() {
            return self.found;
        }
        let first = *self.first_t.get_or_insert(t);
        match self.anchor {
            Some((_, a)) if !moving && angle_deg(a, up) <= STILL_WANDER_DEG => {
                self.sum = add(self.sum, up);
            }
            _ => {
                self.close_stretch();
                self.anchor = (!moving).then_some((t, up));
                self.sum = up;
            }
        }
        self.last_t = t;
        if let Some((start, _)) = self.anchor
            && t - start >= self.duration_s
        {
            self.found = unit(self.sum);
        } else if self.fallback && t - first >= FALLBACK_S {
            let current = self.anchor.map(|(start, _)| Stretch {
                start,
                end: t,
                sum: self.sum,
            });
            let best = [self.best, current]
                .into_iter()
                .flatten()
                .filter(|s| s.end - s.start >= MIN_GUESS_S)
                .max_by(|a, b| (a.end - a.start).total_cmp(&(b.end - b.start)));
            if let Some(best) = best {
                self.found = unit(best.sum);
                self.guessed = Some((best.start, best.end));
            }
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
    fn with_a_fallback_the_steadiest_stretch_is_taken_and_reported() {
        let mut f = StillFinder::with_fallback(1.5);
        let mut t: f64 = 0.0;
        let mut found = None;
        // Sways 6 deg either way every second: never still for 1.5 s.
        while t < FALLBACK_S + 0.1 {
            let a = (t * std::f64::consts::TAU).sin() * 0.1;
            found = f.update(t, [a, 0.0, 1.0], false);
            if t < FALLBACK_S - 0.05 {
                assert_eq!(found, None);
            }
            t += 0.01;
        }
        assert!(angle_deg(found.unwrap(), [0.0, 0.0, 1.0]) < 7.0);
        let (a, b) = f.guessed().unwrap();
        assert!(b > a && b <= FALLBACK_S + 0.1, "{a} {b}");
    }

    #[test]
    fn moving_prevents_a_reference() {
        let mut f = StillFinder::new(1.0);
        for i in 0..500 {
            assert_eq!(f.update(f64::from(i) * 0.01, [0.0, 0.0, 1.0], true), None);
        }
    }
}
