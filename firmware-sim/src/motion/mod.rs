//! The wearer's motion: a body pose as a function of scenario time.
//!
//! A [`Pose`] holds segment angles in degrees (pitch about the world's lateral
//! axis: positive tips a segment's "up" end forward) and a pelvis offset in metres.
//! Upright standing is all zeros. [`plan::Timeline`] turns a scenario into poses
//! over time, with every random choice made up front from the seed.

pub mod exercise;
pub mod plan;
mod profile;

/// Segment angles (degrees) and pelvis offset (metres).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Pose {
    /// Trunk pitch: 0 upright, +90 prone (head forward, chest down), -90 supine.
    pub trunk_pitch: f64,
    /// Trunk side bend.
    pub trunk_lateral: f64,
    /// Trunk (and body) rotation about its long axis: 90 = lying on the side.
    pub trunk_axial: f64,
    /// Thigh pitch, left and right (knee-to-hip axis).
    pub thigh: [f64; 2],
    /// Shank pitch, left and right (ankle-to-knee axis).
    pub shank: [f64; 2],
    /// Upper-arm pitch (elbow-to-shoulder axis).
    pub upper_arm: [f64; 2],
    /// Forearm pitch (wrist-to-elbow axis).
    pub forearm: [f64; 2],
    /// Pelvis offset x (forward), y (left), z (up).
    pub pelvis: [f64; 3],
}

/// One degree of freedom an exercise moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dof {
    /// Trunk pitch.
    TrunkPitch,
    /// Trunk long-axis rotation.
    TrunkAxial,
    /// Thigh of a side (0 left, 1 right).
    Thigh(usize),
    /// Shank of a side.
    Shank(usize),
    /// Upper arm of a side.
    UpperArm(usize),
    /// Forearm of a side.
    Forearm(usize),
    /// Pelvis height (value in metres).
    PelvisZ,
}

impl Pose {
    /// Adds `v` to one degree of freedom.
    pub fn add(&mut self, dof: Dof, v: f64) {
        match dof {
            Dof::TrunkPitch => self.trunk_pitch += v,
            Dof::TrunkAxial => self.trunk_axial += v,
            Dof::Thigh(s) => self.thigh[s] += v,
            Dof::Shank(s) => self.shank[s] += v,
            Dof::UpperArm(s) => self.upper_arm[s] += v,
            Dof::Forearm(s) => self.forearm[s] += v,
            Dof::PelvisZ => self.pelvis[2] += v,
        }
    }

    /// `self + s * (other - self)`, field by field.
    pub fn lerp(&self, other: &Self, s: f64) -> Self {
        let l = |a: f64, b: f64| a + s * (b - a);
        let l2 = |a: [f64; 2], b: [f64; 2]| [l(a[0], b[0]), l(a[1], b[1])];
        Self {
            trunk_pitch: l(self.trunk_pitch, other.trunk_pitch),
            trunk_lateral: l(self.trunk_lateral, other.trunk_lateral),
            trunk_axial: l(self.trunk_axial, other.trunk_axial),
            thigh: l2(self.thigh, other.thigh),
            shank: l2(self.shank, other.shank),
            upper_arm: l2(self.upper_arm, other.upper_arm),
            forearm: l2(self.forearm, other.forearm),
            pelvis: [0, 1, 2].map(|i| l(self.pelvis[i], other.pelvis[i])),
        }
    }
}

/// Rest postures the timeline and the exercises start from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Base {
    /// Standing upright.
    Stand,
    /// Sitting upright on a chair, forearms on a desk.
    Sit,
    /// Lying face down, head forward.
    Prone,
    /// Lying on the back.
    Supine,
    /// On hands and knees.
    AllFours,
    /// Kneeling upright.
    Kneel,
    /// Lying on the left or right side.
    SideLying(usize),
    /// Supine, knees bent, feet on the floor.
    HookLying,
}

impl Base {
    /// The pose of this rest posture.
    pub fn pose(self) -> Pose {
        let all = |p: f64| Pose {
            trunk_pitch: p,
            thigh: [p; 2],
            shank: [p; 2],
            upper_arm: [p; 2],
            forearm: [p; 2],
            ..Pose::default()
        };
        match self {
            Self::Stand => Pose::default(),
            Self::Sit => Pose {
                thigh: [-90.0; 2],
                forearm: [-70.0; 2],
                upper_arm: [10.0; 2],
                pelvis: [0.0, 0.0, -0.45],
                ..Pose::default()
            },
            Self::Prone => all(90.0),
            Self::Supine => all(-90.0),
            Self::AllFours => Pose {
                trunk_pitch: 90.0,
                shank: [90.0; 2],
                pelvis: [0.0, 0.0, -0.4],
                ..Pose::default()
            },
            Self::Kneel => Pose {
                shank: [90.0; 2],
                pelvis: [0.0, 0.0, -0.4],
                ..Pose::default()
            },
            Self::SideLying(side) => Pose {
                trunk_axial: if side == 0 { 90.0 } else { -90.0 },
                ..all(90.0)
            },
            Self::HookLying => Pose {
                thigh: [-135.0; 2],
                shank: [-45.0; 2],
                ..all(-90.0)
            },
        }
    }
}
