//! Exercise specs: the built-ins shipped in the binary and user files.

mod spec;

use std::path::{Path, PathBuf};

pub use spec::{CycleAxis, ExerciseSpec, Measure, Placement, Sides, Target};

/// Why a spec could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SpecError {
    /// Neither a built-in id nor a readable file.
    #[error(
        "no built-in exercise {id:?} and no such file; `postured exercises list` shows the built-ins"
    )]
    Unknown {
        /// What was asked for.
        id: String,
    },
    /// The file could not be read.
    #[error("cannot read exercise spec {}: {reason}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: std::io::Error,
    },
    /// The TOML is malformed or has wrong, missing or unknown keys.
    #[error("exercise spec {}: {message}", path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// The parser's message, with the line, column and key.
        message: String,
    },
    /// A value is out of range.
    #[error("exercise spec {}: key `{key}`: {reason}", path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// Dotted key.
        key: String,
        /// What is wrong.
        reason: String,
    },
}

macro_rules! builtins {
    ($($id:literal),* $(,)?) => {
        /// The built-in specs' ids and TOML sources, in display order.
        pub const BUILTIN_SOURCES: &[(&str, &str)] = &[
            $(($id, include_str!(concat!("builtin/", $id, ".toml")))),*
        ];
    };
}

builtins!(
    "prone-leg-raise",
    "supine-leg-raise",
    "upright-back-stretch",
    "wall-slide",
    "back-extension",
    "pectoral-stretch",
    "prone-scapular-squeeze",
    "shoulder-rolls",
    "hamstring-stretch",
    "ball-bridge",
    "plank",
    "side-plank",
    "cat-cow",
    "cobra",
    "childs-pose",
    "knees-to-chest",
    "pelvic-tilt",
    "crunch",
    "squat",
    "reps",
    "hold",
);

/// Parses and checks a spec from TOML text; `path` names it in errors.
pub fn parse(text: &str, path: &Path) -> Result<ExerciseSpec, SpecError> {
    let spec: ExerciseSpec = toml::from_str(text).map_err(|e| SpecError::Parse {
        path: path.to_owned(),
        message: e.to_string().trim_end().to_owned(),
    })?;
    spec.check().map_err(|(key, reason)| SpecError::Invalid {
        path: path.to_owned(),
        key,
        reason,
    })?;
    Ok(spec)
}

/// All built-in specs.
pub fn builtins() -> Vec<ExerciseSpec> {
    BUILTIN_SOURCES
        .iter()
        .map(|(id, src)| {
            parse(src, Path::new(&format!("<built-in {id}>")))
                .unwrap_or_else(|e| panic!("built-in spec is broken: {e}"))
        })
        .collect()
}

/// The built-in spec with this id.
pub fn builtin(id: &str) -> Option<ExerciseSpec> {
    builtins().into_iter().find(|s| s.id == id)
}

/// The exercises a daemon knows: the built-ins, and the user's specs from a
/// directory, which add exercises or replace a built-in of the same id.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    specs: Vec<ExerciseSpec>,
}

impl Catalog {
    /// The built-ins and every `*.toml` in `dir` (a missing directory adds none).
    pub fn load(dir: Option<&Path>) -> Result<Self, SpecError> {
        let mut specs = builtins();
        let Some(dir) = dir else {
            return Ok(Self { specs });
        };
        let entries = match std::fs::read_dir(dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self { specs }),
            Err(source) => {
                return Err(SpecError::Io {
                    path: dir.to_owned(),
                    reason: source,
                });
            }
        };
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        paths.sort();
        for path in paths {
            let text = std::fs::read_to_string(&path).map_err(|source| SpecError::Io {
                path: path.clone(),
                reason: source,
            })?;
            let spec = parse(&text, &path)?;
            specs.retain(|s| s.id != spec.id);
            specs.push(spec);
        }
        Ok(Self { specs })
    }

    /// Every exercise.
    pub fn all(&self) -> &[ExerciseSpec] {
        &self.specs
    }

    /// The exercise with this id.
    pub fn get(&self, id: &str) -> Option<&ExerciseSpec> {
        self.specs.iter().find(|s| s.id == id)
    }
}

/// A built-in id, or else a path to a TOML file.
pub fn resolve(id_or_path: &str) -> Result<ExerciseSpec, SpecError> {
    if let Some(spec) = builtin(id_or_path) {
        return Ok(spec);
    }
    let path = Path::new(id_or_path);
    let looks_like_path =
        id_or_path.ends_with(".toml") || id_or_path.contains(std::path::MAIN_SEPARATOR);
    if !looks_like_path && !path.exists() {
        return Err(SpecError::Unknown {
            id: id_or_path.to_owned(),
        });
    }
    let text = std::fs::read_to_string(path).map_err(|source| SpecError::Io {
        path: path.to_owned(),
        reason: source,
    })?;
    parse(&text, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_parses_and_its_id_matches_its_file() {
        for (id, src) in BUILTIN_SOURCES {
            let spec = parse(src, Path::new(id)).unwrap();
            assert_eq!(&spec.id, id);
        }
    }

    #[test]
    fn every_row_of_the_exercise_table_has_a_builtin() {
        let text = include_str!("../../docs/exercises.md");
        let rows: Vec<&str> = text
            .lines()
            .filter_map(|l| l.strip_prefix("| ")?.split(" |").next())
            .filter(|id| id.chars().all(|c| c.is_ascii_lowercase() || c == '-') && !id.is_empty())
            .collect();
        let rows: Vec<&str> = rows.into_iter().filter(|id| *id != "id").collect();
        assert!(rows.len() >= 19, "{rows:?}");
        let ids: Vec<_> = builtins().into_iter().map(|s| s.id).collect();
        for id in rows.iter().copied().chain(["reps", "hold"]) {
            assert!(ids.iter().any(|i| i == id), "missing {id}");
        }
    }

    #[test]
    fn doses_from_the_material() {
        let leg = builtin("prone-leg-raise").unwrap();
        assert_eq!(leg.target.hold_s, Some([8.0, 12.0]));
        assert_eq!(leg.target.reps, 5);
        assert_eq!(leg.target.sides, Sides::Alternate);
        // 20 rolls forward then 20 backward make one set.
        assert_eq!(builtin("shoulder-rolls").unwrap().target.reps, 40);
        assert_eq!(
            builtin("pectoral-stretch").unwrap().target.hold_s,
            Some([15.0, 20.0])
        );
    }

    #[test]
    fn unknown_key_is_named_with_its_line() {
        let text = "id = \"x\"\nname = \"X\"\nplacement = [\"chest\"]\nmeasure = { kind = \"tilt\" }\n[target]\nreps = 3\nholds = [1, 2]\n";
        let err = parse(text, Path::new("my.toml")).unwrap_err().to_string();
        assert!(err.contains("my.toml"), "{err}");
        assert!(err.contains("holds"), "{err}");
        assert!(err.contains("line 7"), "{err}");
    }

    #[test]
    fn out_of_range_value_names_the_key() {
        let text = "id = \"x\"\nname = \"X\"\nplacement = [\"chest\"]\nmeasure = { kind = \"tilt\" }\n[target]\nreps = 3\nangle_deg = [30, 10]\n";
        let err = parse(text, Path::new("my.toml")).unwrap_err().to_string();
        assert!(err.contains("target.angle_deg"), "{err}");
    }

    #[test]
    fn user_specs_add_and_replace() {
        let dir = std::env::temp_dir().join(format!("postured-specs-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mine = BUILTIN_SOURCES[0].1.replace("reps = 5", "reps = 8");
        std::fs::write(dir.join("leg.toml"), mine).unwrap();
        std::fs::write(dir.join("neck.toml"), "id = \"neck-tilt\"\nname = \"Neck tilt\"\nplacement = [\"upper-back\"]\n[measure]\nkind = \"tilt\"\n[target]\nreps = 4\n").unwrap();
        let c = Catalog::load(Some(&dir)).unwrap();
        assert_eq!(c.get("prone-leg-raise").unwrap().target.reps, 8);
        assert_eq!(c.get("neck-tilt").unwrap().target.reps, 4);
        assert_eq!(c.all().len(), BUILTIN_SOURCES.len() + 1);
        std::fs::write(dir.join("bad.toml"), "id = \"x\"\n").unwrap();
        let err = Catalog::load(Some(&dir)).unwrap_err().to_string();
        assert!(err.contains("bad.toml") && err.contains("name"), "{err}");
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(
            Catalog::load(Some(&dir)).unwrap().all().len(),
            BUILTIN_SOURCES.len()
        );
    }

    #[test]
    fn unknown_id_says_how_to_list() {
        let err = resolve("no-such-exercise").unwrap_err().to_string();
        assert!(err.contains("exercises list"), "{err}");
    }
}
