//! Scenario files: a TOML timeline of activities and the straps the wearer has on.
//!
//! Unknown keys are errors, and every error names the file (and, through toml's
//! message, the key and line).

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// Where a strap sits on the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Placement {
    /// Front of the chest (an H10's place).
    Chest,
    /// Between the shoulder blades.
    UpperBack,
    /// Front of the thigh.
    Thigh,
    /// Above the ankle.
    Ankle,
    /// On the wrist.
    Wrist,
    /// On the upper arm.
    UpperArm,
}

impl Placement {
    /// Parses the kebab-case name used in files and on the command line.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "chest" => Self::Chest,
            "upper-back" => Self::UpperBack,
            "thigh" => Self::Thigh,
            "ankle" => Self::Ankle,
            "wrist" => Self::Wrist,
            "upper-arm" => Self::UpperArm,
            _ => return None,
        })
    }

    /// The Open IMU placement code (protocols.md §3).
    pub fn code(self) -> u8 {
        match self {
            Self::Chest => 1,
            Self::UpperBack => 2,
            Self::Thigh => 3,
            Self::Ankle => 4,
            Self::Wrist => 5,
            Self::UpperArm => 6,
        }
    }
}

/// Left or right limb.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Side {
    /// Left.
    #[default]
    Left,
    /// Right.
    Right,
}

impl Side {
    /// The other side.
    pub fn other(self) -> Self {
        match self {
            Self::Left => Self::Right,
            Self::Right => Self::Left,
        }
    }

    /// 0 for left, 1 for right.
    pub fn index(self) -> usize {
        self as usize
    }
}

/// Which strap model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StrapKind {
    /// Polar H10 (HR + PMD ACC).
    PolarH10,
    /// Open IMU Strap profile.
    OpenImu,
    /// Heart Rate service only.
    HeartRate,
}

/// A strap worn in a scenario.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StrapSpec {
    /// Strap model.
    pub kind: StrapKind,
    /// Where it sits.
    pub placement: Placement,
    /// Which limb, for limb placements.
    #[serde(default)]
    pub side: Side,
}

/// Which sides an exercise's reps use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Sides {
    /// No side (trunk exercises) or both limbs together.
    #[default]
    Both,
    /// Left only.
    Left,
    /// Right only.
    Right,
    /// Left, right, left, ...: `reps` per side.
    Alternate,
    /// All reps on the left, then all on the right.
    LeftThenRight,
}

/// One exercise block.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExerciseSegment {
    /// Exercise id from exercises.md.
    pub exercise: String,
    /// Reps (per side for sided exercises).
    pub reps: Option<u32>,
    /// Planned hold per rep, seconds.
    pub hold_s: Option<f64>,
    /// Sides.
    #[serde(default)]
    pub sides: Sides,
    /// Target angle of the measured segment, degrees.
    pub amplitude_deg: Option<f64>,
    /// Duration of each raise/lower ramp, seconds.
    pub ramp_s: Option<f64>,
    /// Rest between reps, seconds.
    pub rest_s: Option<f64>,
    /// Chance that an attempt is a partial rep before the real one.
    pub partial_rep_chance: Option<f64>,
}

/// One step of the timeline.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "activity", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Segment {
    /// Sitting upright.
    Sit {
        /// Seconds.
        duration_s: f64,
    },
    /// Standing still.
    Stand {
        /// Seconds.
        duration_s: f64,
    },
    /// Walking.
    Walk {
        /// Seconds.
        duration_s: f64,
        /// Steps per second (default 1.9).
        cadence_hz: Option<f64>,
    },
    /// Lying face down.
    LieProne {
        /// Seconds.
        duration_s: f64,
    },
    /// Lying on the back.
    LieSupine {
        /// Seconds.
        duration_s: f64,
    },
    /// Sitting and slouching forward by `tilt_deg`, ramps included in the duration.
    Slouch {
        /// Seconds, ramps included.
        duration_s: f64,
        /// Forward trunk tilt from upright.
        tilt_deg: f64,
        /// Lean and return ramp length (default 3 s).
        ramp_s: Option<f64>,
    },
    /// An exercise block.
    Exercise(ExerciseSegment),
}

/// What the body does throughout, on top of the timeline: a wearer is never
/// quite still, before a set (while the rest pose is found), between reps and
/// during holds. Frequencies and phases are drawn from the seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Restless {
    /// Nearly still: the faint sway every timeline has (under half a degree).
    #[default]
    Still,
    /// Breathing: the chest rises and falls, rocking the trunk about 1 deg either
    /// way at 0.2-0.3 Hz (a chest or back strap feels it, a thigh strap not).
    Breathing,
    /// Postural sway: the whole body rocks about 1.5 deg either way (two
    /// rhythms, 0.1-0.2 Hz and 0.3-0.5 Hz) and leans sideways a little.
    Sway,
}

/// How a rep's ramps into and out of its target ease in and out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Ease {
    /// Smoothstep (3u^2 - 2u^3): braking hard to a stop at the end.
    #[default]
    Eased,
    /// Minimum jerk (10u^3 - 15u^4 + 6u^5), the classic model of a person's
    /// reach: it eases out so gently that its last tenth covers 1% of the way.
    MinimumJerk,
}

/// A whole scenario file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// What it shows.
    #[serde(default)]
    pub description: String,
    /// Straps worn; the first is the default for `record`.
    pub straps: Vec<StrapSpec>,
    /// Largest mounting rotation per axis, degrees (default 15).
    pub mount_max_deg: Option<f64>,
    /// What the body does throughout on top of the timeline (default `still`).
    #[serde(default)]
    pub restless: Restless,
    /// How the reps' ramps ease in and out (default `eased`).
    #[serde(default)]
    pub ease: Ease,
    /// The timeline.
    pub segments: Vec<Segment>,
}

/// A scenario that could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScenarioError {
    /// The file could not be read.
    #[error("cannot read scenario {path}: {source}")]
    Read {
        /// File.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// Bad TOML or an unknown/missing key.
    #[error("invalid scenario {path}: {source}")]
    Parse {
        /// File.
        path: PathBuf,
        /// toml's message (names the key and line).
        source: Box<toml::de::Error>,
    },
    /// Parsed, but a value makes no sense.
    #[error("invalid scenario {path}: {key}: {reason}")]
    Invalid {
        /// File.
        path: PathBuf,
        /// Offending key, e.g. `segments[2].exercise`.
        key: String,
        /// Why.
        reason: String,
    },
}

impl Scenario {
    /// Reads and validates a scenario file.
    pub fn load(path: &Path) -> Result<Self, ScenarioError> {
        let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::parse(&text, path)
    }

    /// Parses and validates scenario text; `path` is used in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Self, ScenarioError> {
        let scenario: Self = toml::from_str(text).map_err(|e| ScenarioError::Parse {
            path: path.to_owned(),
            source: Box::new(e),
        })?;
        scenario
            .validate()
            .map_err(|(key, reason)| ScenarioError::Invalid {
                path: path.to_owned(),
                key,
                reason,
            })?;
        Ok(scenario)
    }

    fn validate(&self) -> Result<(), (String, String)> {
        if self.straps.is_empty() {
            return Err(("straps".into(), "at least one strap is needed".into()));
        }
        if self.segments.is_empty() {
            return Err(("segments".into(), "the timeline is empty".into()));
        }
        for (i, seg) in self.segments.iter().enumerate() {
            let key = |k: &str| format!("segments[{i}].{k}");
            match seg {
                Segment::Exercise(e) => {
                    if crate::motion::exercise::find(&e.exercise).is_none() {
                        return Err((
                            key("exercise"),
                            format!("unknown exercise {:?}", e.exercise),
                        ));
                    }
                    for (name, v) in [
                        ("hold_s", e.hold_s),
                        ("ramp_s", e.ramp_s),
                        ("rest_s", e.rest_s),
                    ] {
                        if v.is_some_and(|v| !(0.0..=600.0).contains(&v)) {
                            return Err((key(name), "must be between 0 and 600 s".into()));
                        }
                    }
                }
                other => {
                    if !(other.duration() > 0.0 && other.duration() < 1e6) {
                        return Err((key("duration_s"), "must be positive".into()));
                    }
                }
            }
        }
        Ok(())
    }
}

impl Segment {
    /// Planned duration of a non-exercise segment (0 for exercises, which are
    /// timed by their reps).
    pub fn duration(&self) -> f64 {
        match self {
            Self::Sit { duration_s }
            | Self::Stand { duration_s }
            | Self::Walk { duration_s, .. }
            | Self::LieProne { duration_s }
            | Self::LieSupine { duration_s }
            | Self::Slouch { duration_s, .. } => *duration_s,
            Self::Exercise(_) => 0.0,
        }
    }
}
