//! The commands besides `analyze`: remote requests to the running daemon,
//! `run`, `rescore`, `scan` and `exercises`, with their tables and JSON.

use std::io::Write as _;
use std::path::PathBuf;

use anyhow::bail;
use postured::exercises;

use crate::cli::{DaemonArgs, ExercisesAction, Format, print_json};

pub(crate) fn load_config(path: Option<PathBuf>) -> anyhow::Result<postured::config::Config> {
    let explicit = path.is_some();
    let path = path.unwrap_or_else(postured::config::default_path);
    Ok(postured::config::Config::load(&path, explicit)?)
}

pub(crate) fn ask(args: &DaemonArgs, path: &str, body: &serde_json::Value) -> anyhow::Result<()> {
    let cfg = load_config(args.config.clone())?;
    let url = args
        .url
        .clone()
        .unwrap_or_else(|| crate::remote::base_url(&cfg));
    let rt = tokio::runtime::Runtime::new()?;
    let answer = rt.block_on(crate::remote::post(
        &cfg,
        url.trim_end_matches('/'),
        path,
        body,
    ))?;
    outln!("{}", serde_json::to_string_pretty(&answer)?)?;
    Ok(())
}

pub(crate) fn run_rescore(config: Option<PathBuf>, format: Format) -> anyhow::Result<()> {
    let cfg = load_config(config)?;
    let db = cfg.database_path();
    if !db.exists() {
        bail!("no database at {}: nothing recorded yet", db.display());
    }
    let store = postured::store::Store::open(&db)?;
    let rt = tokio::runtime::Runtime::new()?;
    let catalog = exercises::Catalog::load(Some(&cfg.exercises_path()))?;
    let rows = rt.block_on(postured::rescore::all(&store, &catalog))?;
    match format {
        Format::Json => print_json(&rows),
        Format::Table => {
            outln!(
                "{:<15} {:<24} {:>6} {:>9} {:>7}",
                "set",
                "exercise",
                "stored",
                "corrected",
                "recount"
            )?;
            for r in &rows {
                let corrected = r
                    .corrected_reps
                    .map_or_else(|| "-".into(), |n| n.to_string());
                let recount = r.recount.map_or_else(|| "-".into(), |n| n.to_string());
                outln!(
                    "{:<15} {:<24} {:>6} {:>9} {:>7}",
                    r.set,
                    r.exercise,
                    r.stored_reps,
                    corrected,
                    recount
                )?;
            }
            Ok(())
        }
    }
}

pub(crate) fn run_scan(timeout: f64, format: Format) -> anyhow::Result<()> {
    if !(timeout.is_finite() && (0.1..=600.0).contains(&timeout)) {
        bail!("--timeout must be between 0.1 and 600 seconds");
    }
    let rt = tokio::runtime::Runtime::new()?;
    let found = rt.block_on(async {
        let bt = postured::device::Bluetooth::open().await?;
        let spinner = indicatif::ProgressBar::new_spinner()
            .with_message(format!("scanning for straps ({timeout:.0} s)"));
        spinner.enable_steady_tick(std::time::Duration::from_millis(100));
        let found = bt.scan(std::time::Duration::from_secs_f64(timeout)).await;
        spinner.finish_and_clear();
        found
    })?;
    match format {
        Format::Json => print_json(&found),
        Format::Table => {
            if found.is_empty() {
                // Not eprintln!: it panics when stderr is a closed pipe.
                let _ = writeln!(
                    std::io::stderr(),
                    "no supported straps found: is the strap on and not connected to another device?"
                );
            }
            outln!("{:<19} {:<10} {:>5}  name", "address", "kind", "rssi")?;
            for f in &found {
                let rssi = f.rssi.map_or_else(|| "-".into(), |r| r.to_string());
                outln!(
                    "{:<19} {:<10} {:>5}  {}",
                    f.address,
                    f.kind.as_str(),
                    rssi,
                    f.name.as_deref().unwrap_or("-")
                )?;
            }
            Ok(())
        }
    }
}

pub(crate) fn run_exercises(action: ExercisesAction) -> anyhow::Result<()> {
    match action {
        ExercisesAction::List {
            format: Format::Json,
        } => print_json(&exercises::builtins()),
        ExercisesAction::List {
            format: Format::Table,
        } => {
            for s in exercises::builtins() {
                outln!("{:<24} {}", s.id, s.name)?;
            }
            Ok(())
        }
        ExercisesAction::Show { id } => {
            if let Some((_, src)) = exercises::BUILTIN_SOURCES.iter().find(|(i, _)| *i == id) {
                out!("{src}")?;
            } else {
                let spec = exercises::resolve(&id)?;
                out!("{}", toml::to_string_pretty(&spec)?)?;
            }
            Ok(())
        }
    }
}
