//! Turns a scenario into a [`Timeline`]: phases with every random choice drawn
//! from the seed, the pose at any time, and the ground truth.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::exercise::{self, Exercise, Limb, Move, Shape};
use super::profile::RepPlan;
use super::{Base, Dof, Pose};
use crate::math::smoothstep;
use crate::scenario::{Ease, ExerciseSegment, Restless, Scenario, Segment, Sides};
use crate::truth::{Truth, TruthRep, TruthSlouch};

/// Shoulder lift during a shoulder roll, metres.
const ROLL_LIFT_M: f64 = 0.02;

/// Seconds over which the body blends from one phase's posture to the next.
pub const BLEND_S: f64 = 2.5;

#[derive(Debug, Clone)]
enum Kind {
    Still(Base),
    Walk {
        cadence_hz: f64,
    },
    Slouch {
        tilt_deg: f64,
        ramp_s: f64,
    },
    Exercise {
        def: &'static Exercise,
        reps: Vec<RepPlan>,
    },
}

#[derive(Debug, Clone)]
struct Phase {
    start: f64,
    end: f64,
    kind: Kind,
}

/// A scenario compiled for one seed.
#[derive(Debug, Clone)]
pub struct Timeline {
    phases: Vec<Phase>,
    restless: Restless,
    /// Frequencies (Hz) and phases of the restless motion: three of each.
    wobble: [(f64, f64); 3],
}

impl Timeline {
    /// Plans the scenario with `seed`.
    pub fn new(scenario: &Scenario, seed: u64) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        // Drawn from a stream of their own, so a restless body does not change
        // the plan a seed gives.
        let mut wobble_rng = ChaCha8Rng::seed_from_u64(seed);
        wobble_rng.set_stream(1 << 32);
        let tau = std::f64::consts::TAU;
        let wobble = [(0.2, 0.3), (0.1, 0.2), (0.3, 0.5)].map(|(lo, hi)| {
            (
                wobble_rng.random_range(lo..hi),
                wobble_rng.random_range(0.0..tau),
            )
        });
        let mut phases = Vec::new();
        let mut t = 0.0;
        for seg in &scenario.segments {
            let (kind, duration) = match seg {
                Segment::Sit { duration_s } => (Kind::Still(Base::Sit), *duration_s),
                Segment::Stand { duration_s } => (Kind::Still(Base::Stand), *duration_s),
                Segment::LieProne { duration_s } => (Kind::Still(Base::Prone), *duration_s),
                Segment::LieSupine { duration_s } => (Kind::Still(Base::Supine), *duration_s),
                Segment::Walk {
                    duration_s,
                    cadence_hz,
                } => {
                    let c = cadence_hz.unwrap_or(1.9) * rng.random_range(0.95..1.05);
                    (Kind::Walk { cadence_hz: c }, *duration_s)
                }
                Segment::Slouch {
                    duration_s,
                    tilt_deg,
                    ramp_s,
                } => {
                    let ramp_s = ramp_s.unwrap_or(3.0).min(duration_s / 2.0);
                    (
                        Kind::Slouch {
                            tilt_deg: *tilt_deg,
                            ramp_s,
                        },
                        *duration_s,
                    )
                }
                Segment::Exercise(e) => {
                    let (mut kind, duration) = plan_exercise(e, t, &mut rng);
                    if let Kind::Exercise { reps, .. } = &mut kind {
                        reps.iter_mut().for_each(|r| r.ease = scenario.ease);
                    }
                    (kind, duration)
                }
            };
            phases.push(Phase {
                start: t,
                end: t + duration,
                kind,
            });
            t += duration;
        }
        Self {
            phases,
            restless: scenario.restless,
            wobble,
        }
    }

    /// Total length in seconds.
    pub fn duration(&self) -> f64 {
        self.phases.last().map_or(0.0, |p| p.end)
    }

    /// The body pose at scenario time `t` (clamped to the timeline).
    pub fn pose(&self, t: f64) -> Pose {
        // The restless motion and the faint sway every timeline has run on
        // through the ends (clamped, they would stop dead there and jolt the
        // accelerometer), and so does a walk the
        // timeline starts with: clamped, the wearer would set off from a
        // standstill within one sample, a jolt of 15 g.
        let unclamped = t;
        let walking_in =
            matches!(self.phases.first(), Some(p) if matches!(p.kind, Kind::Walk { .. }));
        let t = if walking_in && t < 0.0 {
            t
        } else {
            t.clamp(0.0, self.duration())
        };
        let i = self
            .phases
            .partition_point(|p| p.end <= t)
            .min(self.phases.len() - 1);
        let phase = &self.phases[i];
        let mut pose = phase.pose(t);
        if i > 0 && t - phase.start < BLEND_S {
            // Blend from the previous activity as it carries on, so velocities
            // stay continuous and the accelerometer sees no jolt.
            let from = self.phases[i - 1].pose(t);
            pose = from.lerp(&pose, smoothstep((t - phase.start) / BLEND_S));
        }
        let tau = std::f64::consts::TAU;
        pose.trunk_pitch += 0.4 * (tau * 0.17 * unclamped).sin();
        pose.trunk_lateral += 0.3 * (tau * 0.11 * unclamped + 1.0).sin();
        let wave = |k: usize| {
            let (f, phase) = self.wobble[k];
            (tau * f * unclamped + phase).sin()
        };
        match self.restless {
            Restless::Still => {}
            Restless::Breathing => pose.trunk_pitch += 1.0 * wave(0),
            Restless::Sway => {
                let rock = 1.0 * wave(1) + 0.6 * wave(2);
                pose.trunk_pitch += rock;
                for s in 0..2 {
                    pose.thigh[s] += rock;
                    pose.shank[s] += rock;
                    pose.upper_arm[s] += rock;
                    pose.forearm[s] += rock;
                }
                pose.trunk_lateral += 0.6 * wave(0);
            }
        }
        pose
    }

    /// Heart rate the activity at `t` would give, beats per minute.
    pub fn heart_rate(&self, t: f64) -> f64 {
        let t = t.clamp(0.0, self.duration());
        let i = self
            .phases
            .partition_point(|p| p.end <= t)
            .min(self.phases.len() - 1);
        let base = match &self.phases[i].kind {
            Kind::Still(Base::Sit) | Kind::Slouch { .. } => 68.0,
            Kind::Still(Base::Stand) => 76.0,
            Kind::Still(_) => 62.0,
            Kind::Walk { .. } => 96.0,
            Kind::Exercise { .. } => 88.0,
        };
        base + 3.0 * (std::f64::consts::TAU * t / 40.0).sin()
    }

    /// Ground truth: completed reps and slouch episodes.
    pub fn truth(&self) -> Truth {
        let mut truth = Truth::default();
        for phase in &self.phases {
            match &phase.kind {
                Kind::Slouch { tilt_deg, ramp_s } => truth.slouches.push(TruthSlouch {
                    start_s: ms(phase.start + ramp_s / 2.0),
                    end_s: ms(phase.end - ramp_s / 2.0),
                    peak_deg: *tilt_deg,
                }),
                Kind::Exercise { def, reps } => {
                    for r in reps {
                        let rep = TruthRep {
                            start_s: ms(r.start),
                            end_s: ms(r.end(def.shape)),
                            hold_s: if def.shape == Shape::Roll {
                                0.0
                            } else {
                                ms(r.hold_s)
                            },
                            hold_start_s: if def.shape == Shape::Roll {
                                ms(r.start)
                            } else {
                                ms(r.start + r.up_s)
                            },
                            side: side_label(def, r),
                        };
                        if r.partial {
                            truth.partial_reps.push(rep);
                        } else {
                            truth.reps.push(rep);
                        }
                    }
                }
                _ => {}
            }
        }
        truth
    }
}

/// Rounds to the millisecond, for readable truth files.
fn ms(s: f64) -> f64 {
    (s * 1000.0).round() / 1000.0
}

fn side_label(def: &Exercise, r: &RepPlan) -> Option<String> {
    if def.shape == Shape::Roll {
        return Some(
            if r.direction > 0.0 {
                "forward"
            } else {
                "backward"
            }
            .into(),
        );
    }
    r.side.map(|s| if s == 0 { "left" } else { "right" }.into())
}

impl Phase {
    fn pose(&self, t: f64) -> Pose {
        let local = t - self.start;
        match &self.kind {
            Kind::Still(base) => base.pose(),
            Kind::Walk { cadence_hz } => walk_pose(local, *cadence_hz),
            Kind::Slouch { tilt_deg, ramp_s } => {
                let mut p = Base::Sit.pose();
                let dur = self.end - self.start;
                let s = smoothstep(local / ramp_s) - smoothstep((local - (dur - ramp_s)) / ramp_s);
                p.trunk_pitch += tilt_deg * s;
                p
            }
            Kind::Exercise { def, reps } => exercise_pose(def, reps, t),
        }
    }
}

fn walk_pose(t: f64, cadence_hz: f64) -> Pose {
    let tau = std::f64::consts::TAU;
    let stride = tau * cadence_hz / 2.0 * t;
    let step = tau * cadence_hz * t;
    let swing = 20.0 * stride.sin();
    Pose {
        trunk_pitch: 3.0 + 1.0 * step.sin(),
        trunk_lateral: 2.0 * stride.sin(),
        thigh: [swing, -swing],
        shank: [
            swing * 1.2 - 8.0 * (1.0 + stride.cos()),
            -swing * 1.2 - 8.0 * (1.0 - stride.cos()),
        ],
        upper_arm: [-0.6 * swing, 0.6 * swing],
        forearm: [-0.8 * swing - 10.0, 0.8 * swing - 10.0],
        pelvis: [
            0.008 * (step + 0.5).sin(),
            0.01 * stride.sin(),
            0.022 * step.sin(),
        ],
        ..Pose::default()
    }
}

fn rest_base(def: &Exercise, side: Option<usize>) -> Base {
    match def.rest {
        Base::SideLying(_) => Base::SideLying(side.unwrap_or(0)),
        other => other,
    }
}

fn exercise_pose(def: &Exercise, reps: &[RepPlan], t: f64) -> Pose {
    let i = reps.partition_point(|r| r.start <= t);
    let cur = i.checked_sub(1).map(|i| &reps[i]);
    let Some(rep) = cur else {
        return rest_base(def, reps.first().and_then(|r| r.side)).pose();
    };
    let mut pose = rest_base(def, rep.side).pose();
    if let Some(next) = reps.get(i) {
        let from = rep.end(def.shape);
        if t > from && rest_base(def, next.side) != rest_base(def, rep.side) {
            let s = smoothstep((t - from) / (next.start - from).max(1e-6));
            pose = pose.lerp(&rest_base(def, next.side).pose(), s);
        }
    }
    if def.shape == Shape::Roll {
        let (pitch, lift) = rep.roll(t);
        pose.add(Dof::TrunkPitch, rep.amplitude_deg * pitch);
        pose.add(Dof::PelvisZ, ROLL_LIFT_M * lift);
        return pose;
    }
    let (v, hold_w) = rep.value(def.shape, t);
    let deg = rep.amplitude_deg * v + rep.sway(t) * hold_w;
    for &(mv, gain) in def.moves {
        apply_move(&mut pose, mv, gain, deg, rep.side);
    }
    pose
}

fn apply_move(pose: &mut Pose, mv: Move, gain: f64, deg: f64, side: Option<usize>) {
    let limb = |l: Limb, f: fn(usize) -> Dof, pose: &mut Pose| match (l, side) {
        (Limb::Active, Some(s)) => {
            pose.add(f(s), gain * deg);
            // The other leg shifts with the pelvis by a couple of degrees at most
            // (a smooth saturation: a kink would jolt the accelerometer).
            let shift = 2.5 * (0.12 * deg / 2.5).tanh();
            pose.add(f(1 - s), gain.signum() * shift);
        }
        _ => {
            pose.add(f(0), gain * deg);
            pose.add(f(1), gain * deg);
        }
    };
    match mv {
        Move::Trunk => pose.add(Dof::TrunkPitch, gain * deg),
        Move::PelvisZ => pose.add(Dof::PelvisZ, gain * deg),
        Move::Thigh(l) => limb(l, Dof::Thigh, pose),
        Move::Shank(l) => limb(l, Dof::Shank, pose),
        Move::UpperArm(l) => limb(l, Dof::UpperArm, pose),
    }
}

fn rep_sides(def: &Exercise, sides: Sides, reps: u32) -> Vec<Option<usize>> {
    if !exercise::is_sided(def) && def.shape != Shape::Roll {
        return vec![None; reps as usize];
    }
    let n = reps as usize;
    match sides {
        Sides::Both if def.shape == Shape::Roll => vec![None; 2 * n],
        Sides::Both | Sides::Alternate => (0..2 * n).map(|i| Some(i % 2)).collect(),
        Sides::Left => vec![Some(0); n],
        Sides::Right => vec![Some(1); n],
        Sides::LeftThenRight => (0..2 * n).map(|i| Some(i / n)).collect(),
    }
}

fn plan_exercise(seg: &ExerciseSegment, t0: f64, rng: &mut ChaCha8Rng) -> (Kind, f64) {
    let def = exercise::find(&seg.exercise).expect("validated exercise id");
    let sides = if seg.sides == Sides::Both {
        def.sides
    } else {
        seg.sides
    };
    let amp = seg.amplitude_deg.unwrap_or(def.amplitude_deg);
    let hold = seg.hold_s.unwrap_or(def.hold_s);
    let ramp = seg.ramp_s.unwrap_or(def.ramp_s);
    let rest = seg.rest_s.unwrap_or(def.rest_s);
    let partial_chance = seg.partial_rep_chance.unwrap_or(0.08).clamp(0.0, 1.0);
    let side_list = rep_sides(def, sides, seg.reps.unwrap_or(def.reps));
    let mut reps = Vec::new();
    let mut t = t0 + BLEND_S + rest.max(2.0);
    for (k, side) in side_list.iter().enumerate() {
        let direction = if def.shape == Shape::Roll && k >= side_list.len() / 2 {
            -1.0
        } else {
            1.0
        };
        if def.shape == Shape::Roll {
            if k == side_list.len() / 2 {
                t += 3.0;
            }
            let period = ramp * rng.random_range(0.9..1.12);
            let half = side_list.len() / 2;
            let mut r = rep(rng, [t, period, 0.0, 0.0], amp, None, direction);
            r.edges = [
                k == 0 || k == half,
                k + 1 == half || k + 1 == side_list.len(),
            ];
            reps.push(r);
            t += period;
            continue;
        }
        if def.shape == Shape::Hold && rng.random_bool(partial_chance) {
            let up = ramp * rng.random_range(0.7..1.0);
            let hold_s = rng.random_range(0.3..1.0);
            let a = amp * rng.random_range(0.35..0.55);
            let mut p = rep(rng, [t, up, hold_s, up], a, *side, 1.0);
            p.partial = true;
            t = p.end(def.shape) + rest.max(2.0) * rng.random_range(1.0..1.3);
            reps.push(p);
        }
        let hold_s = hold * (1.0 + 0.08 * normal(rng)).clamp(0.8, 1.2);
        let up = ramp * rng.random_range(0.8..1.25);
        let down = ramp * rng.random_range(0.8..1.25);
        let a = amp * rng.random_range(0.93..1.07);
        let r = rep(rng, [t, up, hold_s, down], a, *side, 1.0);
        t = r.end(def.shape) + rest.max(2.0) * rng.random_range(1.0..1.3);
        reps.push(r);
    }
    (Kind::Exercise { def, reps }, t - t0)
}

/// A rep from `[start, up, hold, down]` seconds, with its warp and sway drawn.
fn rep(
    rng: &mut ChaCha8Rng,
    times: [f64; 4],
    amplitude_deg: f64,
    side: Option<usize>,
    direction: f64,
) -> RepPlan {
    let [start, up_s, hold_s, down_s] = times;
    RepPlan {
        start,
        up_s,
        hold_s,
        down_s,
        amplitude_deg,
        side,
        partial: false,
        warp: rng.random_range(1.0..1.35) * if rng.random_bool(0.5) { 1.0 } else { -1.0 },
        sway_phase: rng.random_range(0.0..std::f64::consts::TAU),
        direction,
        edges: [false; 2],
        ease: Ease::Eased,
    }
}

/// A standard normal draw (Box-Muller).
pub fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let u1: f64 = rng.random_range(f64::EPSILON..1.0);
    let u2: f64 = rng.random_range(0.0..1.0);
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}
