//! Running an analysis over recording files: each streamed from disk (or standard
//! input) through the detection core in one pass, with a progress bar on a
//! terminal; several files, or a folder of them, give one table row or one JSON
//! line each, in order, and a file that fails is reported while the others run.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::{PostureAnalysis, PostureReport, RepAnalysis, RepReport};
use crate::exercises::ExerciseSpec;
use crate::motion::{PostureConfig, Sample, Side, Vec3};
use crate::recording::{self, RecordingError};

/// What to look for in each recording.
#[derive(Debug, Clone)]
pub enum Task {
    /// Count the reps of an exercise.
    Reps {
        /// The exercise.
        spec: Box<ExerciseSpec>,
        /// The side of the body the strap is on.
        side: Option<Side>,
    },
    /// Find slouch episodes.
    Posture(PostureConfig),
}

/// How to run over each recording.
#[derive(Debug, Clone)]
pub struct Settings {
    /// What to look for.
    pub task: Task,
    /// Take the reference pose from this stretch (s) of each recording.
    pub reference_s: Option<(f64, f64)>,
    /// Show a progress bar (on a terminal, for long inputs).
    pub progress: bool,
}

/// What one recording gave.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Report {
    /// Reps counted.
    Reps(RepReport),
    /// Slouch episodes found.
    Posture(PostureReport),
}

/// Why a recording gave no report.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AnalyzeError {
    /// It could not be read.
    #[error(transparent)]
    Recording(#[from] RecordingError),
    /// It holds no samples.
    #[error("{}: the recording has no samples", path.display())]
    NoSamples {
        /// The file.
        path: PathBuf,
    },
    /// `--reference-s` names a stretch without samples.
    #[error("{}: no samples between {from} s and {to} s for the reference pose", path.display())]
    NoReference {
        /// The file.
        path: PathBuf,
        /// Start (s).
        from: f64,
        /// End (s).
        to: f64,
    },
}

#[allow(
    clippy::large_enum_variant,
    reason = "one per file, made once, never moved on a hot path"
)]
enum Analysis {
    Reps(RepAnalysis),
    Posture(PostureAnalysis),
}

impl Report {
    /// What to know about how the count was made.
    pub fn warnings(&self) -> &[String] {
        match self {
            Self::Reps(r) => &r.warnings,
            Self::Posture(r) => &r.warnings,
        }
    }

    fn warnings_mut(&mut self) -> &mut Vec<String> {
        match self {
            Self::Reps(r) => &mut r.warnings,
            Self::Posture(r) => &mut r.warnings,
        }
    }
}

impl Analysis {
    fn new(task: &Task, reference: Option<Vec3>) -> Self {
        match task {
            Task::Reps { spec, side } => Self::Reps(RepAnalysis::new(spec, *side, reference)),
            Task::Posture(cfg) => Self::Posture(PostureAnalysis::new(*cfg, reference)),
        }
    }

    fn push(&mut self, s: &Sample) {
        match self {
            Self::Reps(a) => a.push(s),
            Self::Posture(a) => a.push(s),
        }
    }

    fn finish(self) -> Report {
        match self {
            Self::Reps(a) => Report::Reps(a.finish()),
            Self::Posture(a) => Report::Posture(a.finish()),
        }
    }
}

/// Samples read before they can be counted: with `--reference-s`, those up to
/// the end of the reference stretch, which must be seen before the first is
/// counted. Without it, none.
struct Pending {
    span: Option<(f64, f64)>,
    held: Vec<Sample>,
}

impl Pending {
    /// Takes `s`; once the reference is known, starts the analysis with the
    /// samples held so far.
    fn take(&mut self, s: Sample, task: &Task) -> Option<Analysis> {
        let (_, to) = self.span?;
        if s.t <= to {
            self.held.push(s);
            return None;
        }
        self.held.push(s);
        self.start(task)
    }

    /// The analysis of the held samples, from the reference they give (once:
    /// a stretch without samples gives none, ever).
    fn start(&mut self, task: &Task) -> Option<Analysis> {
        let (from, to) = self.span.take()?;
        let held = std::mem::take(&mut self.held);
        let reference = super::reference_between(&held, from, to)?;
        let mut analysis = Analysis::new(task, Some(reference));
        held.iter().for_each(|s| analysis.push(s));
        Some(analysis)
    }
}

/// Analyses one recording (`-` for standard input), streaming it.
pub fn analyze(path: &Path, settings: &Settings) -> Result<Report, AnalyzeError> {
    let recording::Opened { mut samples, len } = recording::open(path)?;
    tracing::debug!(path = %path.display(), format = samples.format().name(), gyro = samples.has_gyro(), "reading");
    let bar = progress(settings.progress, len, path);
    let mut pending = Pending {
        span: settings.reference_s,
        held: Vec::new(),
    };
    let mut analysis = settings
        .reference_s
        .is_none()
        .then(|| Analysis::new(&settings.task, None));
    let mut n: u64 = 0;
    while let Some(s) = samples.next() {
        let s = s?;
        match &mut analysis {
            Some(a) => a.push(&s),
            None => analysis = pending.take(s, &settings.task),
        }
        n += 1;
        if n.is_multiple_of(16_384) {
            bar.set_position(samples.bytes_read());
        }
    }
    bar.finish_and_clear();
    if n == 0 {
        return Err(AnalyzeError::NoSamples {
            path: path.to_owned(),
        });
    }
    // A recording that ends inside the reference stretch starts at its end.
    let analysis = analysis.or_else(|| pending.start(&settings.task));
    let notes = samples.unit_notes().to_vec();
    let report = analysis.map(Analysis::finish).map(|mut report| {
        report.warnings_mut().splice(0..0, notes);
        report
    });
    report.ok_or_else(|| {
        // Only a reference stretch without samples leaves no analysis.
        let (from, to) = settings.reference_s.unwrap_or_default();
        AnalyzeError::NoReference {
            path: path.to_owned(),
            from,
            to,
        }
    })
}

/// A progress bar for a file of `len` bytes, drawn (on stderr) only when asked,
/// for inputs long enough to wait for, and when both the output and stderr are a
/// terminal: nothing extra when the output goes to a pipe or a file.
fn progress(wanted: bool, len: Option<u64>, path: &Path) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    const WORTH_SHOWING: u64 = 8 << 20;
    let term = std::io::stdout().is_terminal() && std::io::stderr().is_terminal();
    match len {
        Some(len) if wanted && term && len >= WORTH_SHOWING => {
            let style = indicatif::ProgressStyle::with_template(
                "{msg} [{bar:30}] {bytes}/{total_bytes} {eta}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> ");
            indicatif::ProgressBar::new(len)
                .with_style(style)
                .with_message(path.display().to_string())
        }
        _ => indicatif::ProgressBar::hidden(),
    }
}

/// Whether a file in a folder is taken for a recording: `*.csv`, `*.csv.gz`,
/// Polar Sensor Logger's `*_ACC.txt`, each possibly gzipped.
fn is_recording_name(name: &str) -> bool {
    let name = name.strip_suffix(".gz").unwrap_or(name);
    !name.starts_with('.') && (name.ends_with(".csv") || name.ends_with("_ACC.txt"))
}

/// The recordings the inputs name, in order: files as given, the recordings of
/// a folder sorted by name; a MetaWear gyroscope export whose accelerometer
/// export is among them is left out (it is read with it). `true` with them if
/// they are to be reported one line each (several, or a folder).
pub fn expand(inputs: &[PathBuf]) -> std::io::Result<(Vec<PathBuf>, bool)> {
    let mut files = Vec::new();
    let mut folder = false;
    for input in inputs {
        if input.is_dir() {
            folder = true;
            let mut found: Vec<PathBuf> = std::fs::read_dir(input)?
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| {
                    p.is_file()
                        && p.file_name()
                            .and_then(|n| n.to_str())
                            .is_some_and(is_recording_name)
                })
                .collect();
            found.sort();
            files.extend(found);
        } else {
            files.push(input.clone());
        }
    }
    let stem_of = |p: &PathBuf| {
        let name = p.file_name()?.to_str()?;
        recording::metawear_stem(name).map(|(stem, partner)| (stem.to_owned(), partner))
    };
    let accel_stems: Vec<String> = files
        .iter()
        .filter_map(stem_of)
        .filter(|(_, partner)| *partner == "Gyroscope_")
        .map(|(stem, _)| stem)
        .collect();
    files.retain(|p| {
        !stem_of(p).is_some_and(|(stem, partner)| {
            partner == "Accelerometer_" && accel_stems.contains(&stem)
        })
    });
    let several = folder || files.len() > 1;
    Ok((files, several))
}

/// One JSON line of a multi-file run.
#[derive(Serialize)]
struct Line<'a> {
    file: String,
    #[serde(flatten)]
    report: Option<&'a Report>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

/// Analyses each file and writes one table row or JSON line per file to `out`
/// as it is done; a file that fails gets its error in its row (and on stderr).
/// Returns how many failed.
pub fn run_each(
    files: &[PathBuf],
    settings: &Settings,
    json: bool,
    out: &mut impl Write,
) -> std::io::Result<usize> {
    let mut failed = 0;
    if !json {
        let header = match settings.task {
            Task::Reps { .. } => RepReport::row_header(),
            Task::Posture(_) => PostureReport::row_header(),
        };
        writeln!(out, "{header}")?;
    }
    for path in files {
        let file = path.display().to_string();
        let result = analyze(path, settings);
        if let Err(e) = &result {
            failed += 1;
            eprintln!("error: {e}");
        }
        if json {
            let line = Line {
                file,
                report: result.as_ref().ok(),
                error: result.as_ref().err().map(ToString::to_string),
            };
            writeln!(out, "{}", serde_json::to_string(&line)?)?;
        } else {
            if let Ok(report) = &result {
                for w in report.warnings() {
                    eprintln!("warning: {file}: {w}");
                }
            }
            match &result {
                Ok(Report::Reps(r)) => writeln!(out, "{}", r.row(&file))?,
                Ok(Report::Posture(r)) => writeln!(out, "{}", r.row(&file))?,
                Err(e) => writeln!(out, "{file}  error: {e}")?,
            }
        }
        out.flush()?;
    }
    Ok(failed)
}
