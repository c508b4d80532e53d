//! The exercise spec: what a strap measures for an exercise and what counts as a
//! good rep. Plain data, read from TOML.

use serde::{Deserialize, Serialize};

/// Default tolerance around the target angle band (deg).
pub const DEFAULT_TOLERANCE_DEG: f64 = 5.0;
/// Default shortest movement that counts as a rep (s): tremor and bumps are shorter.
pub const DEFAULT_MIN_REP_S: f64 = 1.0;
/// Default low-pass cut-off of the movement signal for cycle counting (Hz).
pub const DEFAULT_CUTOFF_HZ: f64 = 0.7;
/// Default smallest movement that counts as a cycle (g).
pub const DEFAULT_MIN_AMPLITUDE_G: f64 = 0.02;
/// Default hysteresis of the cycle counter, in standard deviations of the signal.
pub const DEFAULT_HYSTERESIS: f64 = 0.6;

/// One exercise: where the strap sits, what is measured and the target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExerciseSpec {
    /// Stable identifier (`prone-leg-raise`), used on the command line and the API.
    pub id: String,
    /// Human name.
    pub name: String,
    /// How the exercise is done, in a sentence or two.
    #[serde(default)]
    pub description: String,
    /// Where a strap must sit to measure it, best first.
    pub placement: Vec<Placement>,
    /// What the counter watches.
    pub measure: Measure,
    /// The dose and what a good rep is.
    pub target: Target,
}

/// Where a strap is worn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Placement {
    /// On the sternum (a heart-rate chest strap).
    Chest,
    /// Between the shoulder blades.
    UpperBack,
    /// Over the lower spine or sacrum.
    LowerBack,
    /// Front of the thigh.
    Thigh,
    /// Above the ankle.
    Ankle,
    /// On the wrist.
    Wrist,
    /// On the upper arm.
    UpperArm,
    /// Anywhere: generic specs.
    Any,
}

impl Placement {
    /// Its one text form, as in the configuration and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Placement::Chest => "chest",
            Placement::UpperBack => "upper-back",
            Placement::LowerBack => "lower-back",
            Placement::Thigh => "thigh",
            Placement::Ankle => "ankle",
            Placement::Wrist => "wrist",
            Placement::UpperArm => "upper-arm",
            Placement::Any => "any",
        }
    }
}

impl std::fmt::Display for Placement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the counter watches.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Measure {
    /// The strap's tilt away from the rest pose: the angle between the gravity
    /// direction now and in the reference pose, whichever way the strap is mounted.
    /// A rep is an excursion away from the rest pose and back.
    Tilt {
        /// Tilt at which a rep starts (deg); default half the lower target angle, at
        /// least 5 deg.
        #[serde(default)]
        start_deg: Option<f64>,
    },
    /// The trunk's angle from upright (the strap's calibration): a rep is the
    /// angle held inside the target band, however the wearer got there (a plank
    /// from lying, kneeling or standing). Needs `target.angle_deg`; where no
    /// calibration is known, the first still pose is taken as upright.
    Pose {},
    /// Repeated movement of any kind, counted as cycles of the dominant direction of
    /// motion; needs no reference pose.
    Cycles {
        /// Low-pass cut-off of the movement signal (Hz); below the rep rate's
        /// harmonics, above its fundamental.
        #[serde(default = "default_cutoff_hz")]
        cutoff_hz: f64,
        /// Smallest swing that counts (g; g s for the `vertical` axis, a speed).
        #[serde(default = "default_min_amplitude_g")]
        min_amplitude_g: f64,
        /// Hysteresis in standard deviations of the recent signal.
        #[serde(default = "default_hysteresis")]
        hysteresis: f64,
        /// Which movement is counted: the dominant direction (any mounting, any
        /// movement) or the vertical speed (lifts that move a weight up and down).
        #[serde(default)]
        axis: CycleAxis,
        /// Whether the count settles when the set ends: the whole set is counted
        /// again from its own rhythm and size, and movements unlike its reps
        /// (getting into position, putting the weight down) are withdrawn. On by
        /// default; off keeps the live count, for specs tuned to it. Counts of the
        /// vertical speed always keep the live count.
        #[serde(default = "default_settle")]
        settle: bool,
    },
}

fn default_settle() -> bool {
    true
}

/// The movement a `cycles` measure counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CycleAxis {
    /// The smoothed acceleration along its dominant direction of variation, found
    /// online; each swing up and back is a cycle.
    #[default]
    Principal,
    /// The vertical speed: acceleration along the estimated gravity direction,
    /// integrated with a leak. Each rise and fall of the speed is a cycle, so the
    /// several bumps of acceleration in one press or pull make one cycle, and tilting
    /// the strap (which moves gravity between its axes) adds none.
    Vertical,
}

/// Whether and how the exercise is done per side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Sides {
    /// Not sided.
    #[default]
    None,
    /// Left and right alternate rep by rep; `reps` is per side.
    Alternate,
    /// One side's set, then the other's; `reps` is per side.
    Each,
}

/// The dose and what a good rep is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// The band the measured angle should reach and stay in (deg), `[low, high]`.
    #[serde(default)]
    pub angle_deg: Option<[f64; 2]>,
    /// How far outside the band still counts as in it (deg).
    #[serde(default = "default_tolerance_deg")]
    pub tolerance_deg: f64,
    /// How long each rep should be held (s), `[min, max]`; absent for movements.
    #[serde(default)]
    pub hold_s: Option<[f64; 2]>,
    /// Reps per set (per side when sided).
    pub reps: u32,
    /// Sets per session.
    #[serde(default = "default_sets")]
    pub sets: u32,
    /// Sidedness.
    #[serde(default)]
    pub sides: Sides,
    /// Shortest movement that counts as a rep at all (s).
    #[serde(default = "default_min_rep_s")]
    pub min_rep_s: f64,
    /// A rep whose movement (its time outside the hold) is quicker than this is
    /// flagged `too_fast` (s).
    #[serde(default)]
    pub tempo_s: Option<f64>,
}

fn default_tolerance_deg() -> f64 {
    DEFAULT_TOLERANCE_DEG
}
fn default_sets() -> u32 {
    1
}
fn default_min_rep_s() -> f64 {
    DEFAULT_MIN_REP_S
}
fn default_cutoff_hz() -> f64 {
    DEFAULT_CUTOFF_HZ
}
fn default_min_amplitude_g() -> f64 {
    DEFAULT_MIN_AMPLITUDE_G
}
fn default_hysteresis() -> f64 {
    DEFAULT_HYSTERESIS
}

impl ExerciseSpec {
    /// Checks what serde cannot: ranges, signs and combinations. Returns the
    /// offending key (dotted path) and what is wrong with it.
    pub fn check(&self) -> Result<(), (String, String)> {
        let bad = |key: &str, why: String| Err((key.to_owned(), why));
        if self.id.is_empty()
            || !self
                .id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            return bad(
                "id",
                format!(
                    "{:?} must be non-empty lowercase letters, digits and '-'",
                    self.id
                ),
            );
        }
        if self.placement.is_empty() {
            return bad("placement", "must name at least one placement".into());
        }
        self.check_target()?;
        self.check_measure()
    }

    /// The dose's numbers are in range.
    fn check_target(&self) -> Result<(), (String, String)> {
        let bad = |key: &str, why: String| Err((key.to_owned(), why));
        let t = &self.target;
        if let Some([lo, hi]) = t.angle_deg
            && !(lo.is_finite() && hi.is_finite() && 0.0 < lo && lo <= hi && hi <= 180.0)
        {
            return bad(
                "target.angle_deg",
                format!("[{lo}, {hi}] must satisfy 0 < low <= high <= 180"),
            );
        }
        if let Some([lo, hi]) = t.hold_s
            && !(lo.is_finite() && hi.is_finite() && 0.0 < lo && lo <= hi)
        {
            return bad(
                "target.hold_s",
                format!("[{lo}, {hi}] must satisfy 0 < min <= max"),
            );
        }
        if !(t.tolerance_deg.is_finite() && t.tolerance_deg >= 0.0 && t.tolerance_deg <= 45.0) {
            return bad(
                "target.tolerance_deg",
                format!("{} must be between 0 and 45", t.tolerance_deg),
            );
        }
        if t.reps == 0 {
            return bad("target.reps", "must be at least 1".into());
        }
        if t.sets == 0 {
            return bad("target.sets", "must be at least 1".into());
        }
        if !(t.min_rep_s.is_finite() && t.min_rep_s >= 0.0 && t.min_rep_s <= 60.0) {
            return bad(
                "target.min_rep_s",
                format!("{} must be between 0 and 60", t.min_rep_s),
            );
        }
        if let Some(tempo) = t.tempo_s
            && !(tempo.is_finite() && tempo > 0.0)
        {
            return bad("target.tempo_s", format!("{tempo} must be positive"));
        }
        Ok(())
    }

    fn check_measure(&self) -> Result<(), (String, String)> {
        match self.measure {
            Measure::Tilt { start_deg: Some(s) } if !(s.is_finite() && s > 0.0 && s < 90.0) => {
                Err((
                    "measure.start_deg".into(),
                    format!("{s} must be between 0 and 90"),
                ))
            }
            Measure::Pose {} if self.target.angle_deg.is_none() => Err((
                "target.angle_deg".into(),
                "a pose measure needs the band the pose is held in".into(),
            )),
            Measure::Cycles { cutoff_hz, .. }
                if !(cutoff_hz.is_finite() && cutoff_hz > 0.05 && cutoff_hz <= 5.0) =>
            {
                Err((
                    "measure.cutoff_hz".into(),
                    format!("{cutoff_hz} must be between 0.05 and 5"),
                ))
            }
            Measure::Cycles {
                min_amplitude_g, ..
            } if !(min_amplitude_g.is_finite() && min_amplitude_g >= 0.0) => Err((
                "measure.min_amplitude_g".into(),
                format!("{min_amplitude_g} must be zero or more"),
            )),
            Measure::Cycles { hysteresis, .. } if !(hysteresis.is_finite() && hysteresis > 0.0) => {
                Err((
                    "measure.hysteresis".into(),
                    format!("{hysteresis} must be positive"),
                ))
            }
            _ => Ok(()),
        }
    }

    /// Reps this strap should see in one set: per side for sided exercises, since a
    /// limb strap sees only its own side and a trunk strap counts sides separately.
    pub fn reps_per_set(&self) -> u32 {
        self.target.reps
    }
}
