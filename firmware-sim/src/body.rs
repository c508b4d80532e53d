//! Kinematics: from a [`Pose`] to the orientation and position of a strap at its
//! placement, and from those over time to what its IMU feels.

use crate::math::{self, Mat3, Vec3};
use crate::motion::Pose;
use crate::motion::plan::Timeline;
use crate::scenario::{Placement, Side};

const TRUNK_M: f64 = 0.5;
const THIGH_M: f64 = 0.45;
const SHANK_M: f64 = 0.43;
const UPPER_ARM_M: f64 = 0.3;
const FOREARM_M: f64 = 0.27;
/// Standard gravity, m/s^2.
pub const G: f64 = 9.80665;
/// Step for numerical derivatives, seconds.
const H: f64 = 0.002;

/// Sensor frame of a strap segment in the world (x forward, y left, z up) and
/// the strap's position, metres.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Frame {
    /// Segment-to-world rotation.
    pub rot: Mat3,
    /// Strap position.
    pub pos: Vec3,
}

fn limb_rot(pitch: f64, axial: f64) -> Mat3 {
    math::mul(&math::rot_y(pitch), &math::rot_z(axial))
}

/// The strap's frame for `pose`. At upright standing every strap's frame equals
/// the world frame, except the upper back's, which faces backwards.
pub fn frame(pose: &Pose, placement: Placement, side: Side) -> Frame {
    let s = side.index();
    let trunk = math::mul(
        &math::mul(
            &math::rot_y(pose.trunk_pitch),
            &math::rot_x(pose.trunk_lateral),
        ),
        &math::rot_z(pose.trunk_axial),
    );
    let up = |r: &Mat3| math::apply(r, [0.0, 0.0, 1.0]);
    let fwd = |r: &Mat3| math::apply(r, [1.0, 0.0, 0.0]);
    let hip = pose.pelvis;
    let shoulder = math::axpy(hip, TRUNK_M, up(&trunk));
    match placement {
        Placement::Chest => Frame {
            rot: trunk,
            pos: math::axpy(math::axpy(hip, 0.35, up(&trunk)), 0.1, fwd(&trunk)),
        },
        Placement::UpperBack => Frame {
            rot: math::mul(&trunk, &math::rot_z(180.0)),
            pos: math::axpy(math::axpy(hip, 0.4, up(&trunk)), -0.08, fwd(&trunk)),
        },
        Placement::Thigh | Placement::Ankle => {
            let thigh = limb_rot(pose.thigh[s], pose.trunk_axial);
            if placement == Placement::Thigh {
                return Frame {
                    rot: thigh,
                    pos: math::axpy(hip, -0.5 * THIGH_M, up(&thigh)),
                };
            }
            let shank = limb_rot(pose.shank[s], pose.trunk_axial);
            let knee = math::axpy(hip, -THIGH_M, up(&thigh));
            Frame {
                rot: shank,
                pos: math::axpy(knee, -0.9 * SHANK_M, up(&shank)),
            }
        }
        Placement::UpperArm | Placement::Wrist => {
            let arm = limb_rot(pose.upper_arm[s], pose.trunk_axial);
            if placement == Placement::UpperArm {
                return Frame {
                    rot: arm,
                    pos: math::axpy(shoulder, -0.5 * UPPER_ARM_M, up(&arm)),
                };
            }
            let fore = limb_rot(pose.forearm[s], pose.trunk_axial);
            let elbow = math::axpy(shoulder, -UPPER_ARM_M, up(&arm));
            Frame {
                rot: fore,
                pos: math::axpy(elbow, -0.95 * FOREARM_M, up(&fore)),
            }
        }
    }
}

/// Ideal (noise-free) IMU reading in the sensor frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ideal {
    /// Specific force in g (reads +1 g up when still).
    pub accel_g: Vec3,
    /// Angular rate, deg/s.
    pub gyro_dps: Vec3,
}

/// The ideal reading of a strap with mounting rotation `mount` at time `t`.
pub fn ideal(timeline: &Timeline, placement: Placement, side: Side, mount: &Mat3, t: f64) -> Ideal {
    let at = |t: f64| {
        let f = frame(&timeline.pose(t), placement, side);
        (math::mul(&f.rot, mount), f.pos)
    };
    let (r0, p0) = at(t - H);
    let (r1, p1) = at(t);
    let (r2, p2) = at(t + H);
    let acc_world: Vec3 = [0, 1, 2].map(|i| (p2[i] - 2.0 * p1[i] + p0[i]) / (H * H) / G);
    let specific = [acc_world[0], acc_world[1], acc_world[2] + 1.0];
    let rel = math::mul(&math::transpose(&r0), &r2);
    let w = math::vee(&rel);
    Ideal {
        accel_g: math::apply(&math::transpose(&r1), specific),
        gyro_dps: w.map(|x| (x / (2.0 * H)).to_degrees()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::motion::Base;

    #[test]
    fn lying_prone_chest_faces_down_and_thigh_is_horizontal() {
        let pose = Base::Prone.pose();
        let chest = frame(&pose, Placement::Chest, Side::Left);
        let normal = math::apply(&chest.rot, [1.0, 0.0, 0.0]);
        assert!((normal[2] + 1.0).abs() < 1e-9);
        let thigh = frame(&pose, Placement::Thigh, Side::Right);
        let axis = math::apply(&thigh.rot, [0.0, 0.0, 1.0]);
        assert!(axis[2].abs() < 1e-9);
    }

    #[test]
    fn standing_strap_feels_one_g_up() {
        let toml = "straps = [{kind = \"open-imu\", placement = \"chest\"}]\n[[segments]]\nactivity = \"stand\"\nduration_s = 10\n";
        let sc = crate::scenario::Scenario::parse(toml, "t.toml".as_ref()).unwrap();
        let tl = Timeline::new(&sc, 1);
        let r = ideal(&tl, Placement::Chest, Side::Left, &math::IDENTITY, 5.0);
        assert!((r.accel_g[2] - 1.0).abs() < 0.01, "{r:?}");
        assert!(r.gyro_dps.iter().all(|w| w.abs() < 1.0), "{r:?}");
    }
}
