//! The built-in exercises (exercises.md): rest posture, which joints move by how
//! much per degree of the measured angle, and the usual dose.

use super::Base;
use crate::scenario::Sides;

/// Which limb a move applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limb {
    /// The rep's side (the other side shifts by a couple of degrees).
    Active,
    /// Both sides together.
    Both,
}

/// A degree of freedom, relative to the rep's side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    /// Trunk pitch.
    Trunk,
    /// Thigh pitch.
    Thigh(Limb),
    /// Shank pitch.
    Shank(Limb),
    /// Upper-arm pitch.
    UpperArm(Limb),
    /// Pelvis height, metres per degree of amplitude.
    PelvisZ,
}

/// How one rep moves over time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Ramp to the target, hold, ramp back.
    Hold,
    /// Ramp to +target (cat), hold, through rest to -target (cow), hold, back.
    CatCow,
    /// One full circle (shoulder roll), forward or backward.
    Roll,
}

/// A built-in exercise.
#[derive(Debug, Clone, Copy)]
pub struct Exercise {
    /// Id from exercises.md.
    pub id: &'static str,
    /// Rest posture between reps (`SideLying` follows the rep's side).
    pub rest: Base,
    /// Joints moved, with gain per degree of amplitude.
    pub moves: &'static [(Move, f64)],
    /// Default measured angle, degrees.
    pub amplitude_deg: f64,
    /// Default hold, seconds.
    pub hold_s: f64,
    /// Default reps (per side when sided).
    pub reps: u32,
    /// Default sides.
    pub sides: Sides,
    /// Default ramp, seconds.
    pub ramp_s: f64,
    /// Default rest between reps, seconds.
    pub rest_s: f64,
    /// Rep shape.
    pub shape: Shape,
}

use Limb::{Active, Both};
use Move::*;

const fn ex(
    id: &'static str,
    rest: Base,
    moves: &'static [(Move, f64)],
    amp: f64,
    hold: f64,
    reps: u32,
) -> Exercise {
    Exercise {
        id,
        rest,
        moves,
        amplitude_deg: amp,
        hold_s: hold,
        reps,
        sides: Sides::Both,
        ramp_s: 1.5,
        rest_s: 3.0,
        shape: Shape::Hold,
    }
}

const fn sided(mut e: Exercise, sides: Sides) -> Exercise {
    e.sides = sides;
    e
}

const fn tempo(mut e: Exercise, ramp_s: f64, rest_s: f64) -> Exercise {
    e.ramp_s = ramp_s;
    e.rest_s = rest_s;
    e
}

const fn shaped(mut e: Exercise, shape: Shape) -> Exercise {
    e.shape = shape;
    e
}

/// Every built-in exercise.
#[rustfmt::skip]
pub const ALL: &[Exercise] = &[
    sided(ex("prone-leg-raise", Base::Prone, &[(Thigh(Active), 1.0), (Shank(Active), 1.0)], 18.0, 10.0, 5), Sides::Alternate),
    sided(ex("supine-leg-raise", Base::Supine, &[(Thigh(Active), -1.0), (Shank(Active), -1.0)], 35.0, 11.0, 5), Sides::Alternate),
    ex("upright-back-stretch", Base::Stand, &[(Trunk, -1.0)], 22.0, 5.0, 6),
    ex("wall-slide", Base::Stand, &[(Thigh(Both), -1.0), (Shank(Both), 0.5), (PelvisZ, -0.003)], 45.0, 5.0, 8),
    ex("back-extension", Base::Prone, &[(Trunk, -1.0)], 35.0, 4.0, 8),
    tempo(ex("pectoral-stretch", Base::Stand, &[(Trunk, 1.0)], 20.0, 17.0, 4), 2.0, 4.0),
    tempo(ex("prone-scapular-squeeze", Base::Prone, &[(UpperArm(Both), -1.0), (Trunk, -0.25)], 20.0, 2.0, 10), 1.0, 2.5),
    shaped(tempo(ex("shoulder-rolls", Base::Stand, &[(Trunk, 1.0)], 5.0, 0.0, 20), 3.0, 0.0), Shape::Roll),
    sided(tempo(ex("hamstring-stretch", Base::Stand, &[(Trunk, 1.0), (Thigh(Active), -2.6)], 30.0, 20.0, 2), 2.5, 5.0), Sides::LeftThenRight),
    ex("ball-bridge", Base::Supine, &[(Trunk, -1.0), (Thigh(Both), 0.6), (PelvisZ, 0.01)], 25.0, 3.0, 10),
    tempo(ex("plank", Base::Prone, &[(Trunk, -1.0), (Thigh(Both), -1.0), (Shank(Both), -1.0), (PelvisZ, 0.012)], 12.0, 20.0, 3), 2.0, 10.0),
    sided(tempo(ex("side-plank", Base::SideLying(0), &[(Trunk, -1.0), (Thigh(Both), -1.0), (Shank(Both), -1.0), (PelvisZ, 0.01)], 15.0, 20.0, 2), 2.0, 8.0), Sides::LeftThenRight),
    shaped(tempo(ex("cat-cow", Base::AllFours, &[(Trunk, 1.0)], 15.0, 2.0, 10), 1.2, 2.0), Shape::CatCow),
    tempo(ex("cobra", Base::Prone, &[(Trunk, -1.0)], 40.0, 20.0, 3), 2.5, 5.0),
    tempo(ex("childs-pose", Base::Kneel, &[(Trunk, 1.0), (Thigh(Both), -0.55), (PelvisZ, -0.002)], 110.0, 20.0, 3), 2.5, 5.0),
    tempo(ex("knees-to-chest", Base::Supine, &[(Thigh(Both), -1.0), (Shank(Both), -0.3)], 110.0, 20.0, 3), 2.5, 4.0),
    tempo(ex("pelvic-tilt", Base::HookLying, &[(Thigh(Both), 1.0), (Trunk, -0.5)], 8.0, 5.0, 10), 1.0, 3.0),
    tempo(ex("crunch", Base::Supine, &[(Trunk, 1.0)], 35.0, 1.0, 10), 1.0, 2.0),
    tempo(ex("squat", Base::Stand, &[(Thigh(Both), -1.0), (Shank(Both), 0.45), (Trunk, 0.4), (PelvisZ, -0.005)], 80.0, 0.5, 10), 1.3, 2.0),
];

/// Looks up an exercise by id.
pub fn find(id: &str) -> Option<&'static Exercise> {
    ALL.iter().find(|e| e.id == id)
}

/// Whether reps of this exercise carry a left/right side.
pub fn is_sided(e: &Exercise) -> bool {
    !matches!(e.sides, Sides::Both)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_exercise_of_exercises_md_is_built_in() {
        #[rustfmt::skip]
        let ids = [
            "prone-leg-raise", "supine-leg-raise", "upright-back-stretch", "wall-slide",
            "back-extension", "pectoral-stretch", "prone-scapular-squeeze", "shoulder-rolls",
            "hamstring-stretch", "ball-bridge", "plank", "side-plank", "cat-cow", "cobra",
            "childs-pose", "knees-to-chest", "pelvic-tilt", "crunch", "squat",
        ];
        for id in ids {
            assert!(find(id).is_some(), "{id} missing");
        }
        assert_eq!(ALL.len(), ids.len());
        assert!(find("jumping-jacks").is_none());
    }
}
