//! `postured analyze`: its arguments, and the glue from them to
//! [`postured::analyze::files`], which streams each recording through the detection
//! core.

use std::path::PathBuf;

use anyhow::{Context, bail};

use super::{Format, print_json};
use postured::analyze::files::{self, Report, Settings, Task};
use postured::exercises;
use postured::motion::{PostureConfig, Side, posture};

#[derive(Debug, clap::Args)]
pub struct AnalyzeArgs {
    /// A built-in exercise id (see `postured exercises list`) or a spec TOML file.
    #[arg(
        long,
        short,
        required_unless_present = "posture",
        conflicts_with = "posture"
    )]
    pub exercise: Option<String>,
    /// Find slouch episodes instead of counting reps (a chest or upper-back strap).
    #[arg(long)]
    pub posture: bool,
    /// The recordings: files, folders (their *.csv, *_ACC.txt, and gzipped
    /// *.gz of either) or `-` for standard input.
    #[arg(long, short, required = true, num_args = 1..)]
    pub input: Vec<PathBuf>,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = Format::Json)]
    pub format: Format,
    /// Which side of the body the strap is on, for one-leg exercises (left|right).
    #[arg(long)]
    pub side: Option<Side>,
    /// Take the reference pose from this stretch of the recording, `START:END` in
    /// seconds (for example `0:5`).
    #[arg(long, value_name = "START:END", value_parser = parse_span)]
    pub reference_s: Option<(f64, f64)>,
    /// Also draw the count as an SVG picture into this file: the signal the
    /// counter used, the rest pose, the target band, every rep and every movement
    /// that was not counted. One recording only; it is read into memory for it.
    #[arg(long, value_name = "FILE.svg", conflicts_with = "posture")]
    pub plot: Option<PathBuf>,
    /// With --posture: tilt from upright that counts as slouching (deg).
    #[arg(long, default_value_t = posture::DEFAULT_TOLERANCE_DEG, requires = "posture")]
    pub tolerance_deg: f64,
    /// With --posture: seconds slouched before an alert.
    #[arg(long, default_value_t = posture::DEFAULT_DELAY_S, requires = "posture")]
    pub delay_s: f64,
}

fn parse_span(s: &str) -> Result<(f64, f64), String> {
    let (a, b) = s
        .split_once(':')
        .ok_or("expected START:END in seconds, for example 0:5")?;
    let a: f64 = a
        .trim()
        .parse()
        .map_err(|_| format!("{a:?} is not a number of seconds"))?;
    let b: f64 = b
        .trim()
        .parse()
        .map_err(|_| format!("{b:?} is not a number of seconds"))?;
    if !(a.is_finite() && b.is_finite() && a < b) {
        return Err(format!("{s:?}: START must come before END"));
    }
    Ok((a, b))
}

/// Runs `postured analyze`.
pub(super) fn run(args: &AnalyzeArgs) -> anyhow::Result<()> {
    let task = if args.posture {
        if !(args.tolerance_deg > 0.0 && args.tolerance_deg < 90.0) {
            bail!("--tolerance-deg must be between 0 and 90");
        }
        if !(args.delay_s >= 0.0 && args.delay_s.is_finite()) {
            bail!("--delay-s must be zero or more seconds");
        }
        Task::Posture(PostureConfig {
            tolerance_deg: args.tolerance_deg,
            delay_s: args.delay_s,
            ..PostureConfig::default()
        })
    } else {
        let id = args.exercise.as_deref().context("--exercise is required")?;
        Task::Reps {
            spec: Box::new(exercises::resolve(id)?),
            side: args.side,
        }
    };
    let settings = Settings {
        task,
        reference_s: args.reference_s,
        progress: true,
    };
    let (files, several) = files::expand(&args.input)?;
    if files.is_empty() {
        bail!("no recordings (*.csv, *_ACC.txt, or either gzipped) in the folders given");
    }
    if args.plot.is_some() && (several || args.input.iter().any(|p| p.as_os_str() == "-")) {
        bail!("--plot draws one recording file; give one --input file (not -)");
    }
    if !several {
        let path = files.first().context("no recording given")?;
        let report = files::analyze(path, &settings)?;
        if let (Some(out), Task::Reps { spec, side }) = (&args.plot, &settings.task) {
            plot(path, out, spec, *side, args.reference_s)?;
        }
        match (args.format, report) {
            (Format::Json, r) => print_json(&r)?,
            (Format::Table, Report::Reps(r)) => out!("{}", r.table())?,
            (Format::Table, Report::Posture(r)) => out!("{}", r.table())?,
        }
        return Ok(());
    }
    let json = args.format == Format::Json;
    let failed = files::run_each(&files, &settings, json, &mut std::io::stdout().lock())?;
    if failed > 0 {
        bail!(
            "{failed} of {} recordings could not be analyzed",
            files.len()
        );
    }
    Ok(())
}

/// Draws `--plot` (after the report, so a recording that cannot be read has
/// already said why).
fn plot(
    path: &std::path::Path,
    out: &std::path::Path,
    spec: &exercises::ExerciseSpec,
    side: Option<Side>,
    reference_s: Option<(f64, f64)>,
) -> anyhow::Result<()> {
    let samples = postured::recording::read(path)?.samples;
    let reference =
        reference_s.and_then(|(a, b)| postured::analyze::reference_between(&samples, a, b));
    let svg = postured::analyze::plot(spec, &samples, side, reference);
    std::fs::write(out, svg).with_context(|| format!("cannot write the plot to {}", out.display()))
}
