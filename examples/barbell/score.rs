//! Loads the barbell sets and counts them with one spec per lift (or the generic
//! `reps`), for `examples/score_barbell.rs`.

use std::path::{Path, PathBuf};

use postured::exercises::{self, ExerciseSpec};
use postured::motion::{Counter, Sample};

/// One recorded set.
pub struct Set {
    pub file: String,
    pub exercise: String,
    pub category: String,
    pub nominal: i64,
    pub samples: Vec<Sample>,
}

/// The variable that says where the data is.
pub const DATA_VAR: &str = "POSTURED_BARBELL_DATA";

/// Where the data is: `$POSTURED_BARBELL_DATA`, else
/// `../shared/data/barbell-metamotion` beside this repository (it is not ours to
/// ship, so it is not in the repository).
pub fn default_dir() -> PathBuf {
    std::env::var_os(DATA_VAR).map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/barbell-metamotion"),
        PathBuf::from,
    )
}

/// The spec for a lift: `examples/barbell/<lift>.toml`, or the built-in `reps`.
pub fn spec_for(lift: &str, generic: bool) -> ExerciseSpec {
    if generic {
        return exercises::builtin("reps").expect("built-in reps");
    }
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("examples/barbell/{lift}.toml"));
    exercises::resolve(path.to_str().expect("utf-8 path")).unwrap_or_else(|e| panic!("{e}"))
}

/// Reads the manifest and every set.
pub fn load(dir: &Path) -> anyhow::Result<Vec<Set>> {
    let manifest_path = dir.join("manifest.csv");
    if !manifest_path.is_file() {
        anyhow::bail!(
            "no barbell data at {} (no manifest.csv): set {DATA_VAR} to the \
             barbell-metamotion folder, or pass --data DIR",
            dir.display()
        );
    }
    let manifest = csv::Reader::from_path(manifest_path)?;
    let mut sets = Vec::new();
    for rec in manifest.into_deserialize::<std::collections::HashMap<String, String>>() {
        let rec = rec?;
        let recording = postured::recording::read(&dir.join("sets").join(&rec["file"]))?;
        sets.push(Set {
            file: rec["file"].clone(),
            exercise: rec["exercise"].clone(),
            category: rec["category"].clone(),
            nominal: rec["nominal_reps"].parse()?,
            samples: recording.samples,
        });
    }
    Ok(sets)
}

/// Reps counted in a set with a spec.
pub fn count(set: &Set, spec: &ExerciseSpec) -> i64 {
    let mut counter = Counter::new(spec, None, None);
    counter.push_batch(&set.samples);
    i64::from(counter.reps())
}

/// (exact, within one, sets) over the sets that pass `keep`.
pub fn tally(sets: &[Set], counted: &[i64], keep: impl Fn(&Set) -> bool) -> (usize, usize, usize) {
    let mut t = (0, 0, 0);
    for (s, c) in sets.iter().zip(counted) {
        if keep(s) {
            t.0 += usize::from(*c == s.nominal);
            t.1 += usize::from((c - s.nominal).abs() <= 1);
            t.2 += 1;
        }
    }
    t
}
