//! The real recordings that the score and the tests count: the two data sets in the
//! repository's `data/` and, when present, the barbell sets (no licence, so kept
//! outside: `$POSTURED_BARBELL_DATA` or `../shared/data/barbell-metamotion`).

#![allow(dead_code, reason = "the example and the test each use a part")]

use std::path::{Path, PathBuf};

use postured::exercises::{self, ExerciseSpec};
use postured::motion::{Counter, Sample};

/// One recorded set with its label.
#[derive(Debug)]
pub struct Set {
    /// `shoulder-physio-watch`, `physio-pt` or `barbell-metamotion`.
    pub data: &'static str,
    pub file: String,
    pub exercise: String,
    /// The reps the set holds: the protocol's, or the barbell's `counted_reps`.
    pub reps: i64,
    pub samples: Vec<Sample>,
}

/// The repository's data folder.
pub fn repo_data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data")
}

/// Where the barbell sets are, if anywhere.
pub fn barbell_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("POSTURED_BARBELL_DATA").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/barbell-metamotion"),
        PathBuf::from,
    );
    dir.join("manifest.csv").is_file().then_some(dir)
}

fn manifest(dir: &Path) -> Result<Vec<csv::StringRecord>, String> {
    let path = dir.join("manifest.csv");
    let mut rdr = csv::Reader::from_path(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let headers = rdr.headers().map_err(|e| e.to_string())?.clone();
    let mut rows = vec![headers];
    for r in rdr.records() {
        rows.push(r.map_err(|e| format!("{}: {e}", path.display()))?);
    }
    Ok(rows)
}

fn field<'a>(headers: &csv::StringRecord, row: &'a csv::StringRecord, name: &str) -> &'a str {
    headers
        .iter()
        .position(|h| h == name)
        .and_then(|i| row.get(i))
        .unwrap_or("")
}

/// Loads one data set: `data` is its folder name under `dir`'s parent.
pub fn load(data: &'static str, dir: &Path) -> Result<Vec<Set>, String> {
    let rows = manifest(dir)?;
    let headers = &rows[0];
    let mut sets = Vec::new();
    for row in &rows[1..] {
        let file = field(headers, row, "file").to_owned();
        let plain = dir.join("sets").join(&file);
        let path = if plain.is_file() {
            plain
        } else {
            dir.join("sets").join(format!("{file}.gz"))
        };
        let rec = postured::recording::read(&path).map_err(|e| e.to_string())?;
        let exercise = field(headers, row, "exercise").to_owned();
        let reps = if data == "barbell-metamotion" {
            let counted = field(headers, row, "counted_reps");
            let nominal = field(headers, row, "nominal_reps");
            if exercise == "rest" {
                "0"
            } else if counted.is_empty() {
                nominal
            } else {
                counted
            }
        } else {
            field(headers, row, "reps")
        };
        let exercise = match field(headers, row, "unit_rank") {
            "" => exercise,
            rank => format!("{exercise} (unit {rank})"),
        };
        sets.push(Set {
            data,
            file,
            exercise,
            reps: reps
                .parse()
                .map_err(|e| format!("{}: reps {reps:?}: {e}", dir.display()))?,
            samples: rec.samples,
        });
    }
    Ok(sets)
}

/// The reps a spec counts in a set, settled as `postured analyze` reports them;
/// `accel_only` drops the gyro first, as on a strap without one.
pub fn count(set: &Set, spec: &ExerciseSpec, accel_only: bool) -> i64 {
    let mut counter = Counter::new(spec, None, None);
    if accel_only {
        let samples: Vec<Sample> = set
            .samples
            .iter()
            .map(|s| Sample::accel(s.t, s.accel))
            .collect();
        counter.push_batch(&samples);
    } else {
        counter.push_batch(&set.samples);
    }
    counter.settle().reps.len() as i64
}

/// The generic spec every set is scored with.
pub fn generic() -> ExerciseSpec {
    exercises::builtin("reps").expect("built-in reps")
}

/// (exact, within one, sets).
pub fn tally<'a>(pairs: impl Iterator<Item = (&'a Set, i64)>) -> (usize, usize, usize) {
    pairs.fold((0, 0, 0), |t, (s, c)| {
        (
            t.0 + usize::from(c == s.reps),
            t.1 + usize::from((c - s.reps).abs() <= 1),
            t.2 + 1,
        )
    })
}
