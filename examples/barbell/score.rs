//! Shared by `examples/score_barbell.rs` and `tests/barbell.rs`: loads the barbell
//! sets and counts them with one spec per lift (or the generic `reps`).

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

/// Where the data is by default: `../shared/data/barbell-metamotion`.
pub fn default_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/barbell-metamotion")
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
    let manifest = csv::Reader::from_path(dir.join("manifest.csv"))?;
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
