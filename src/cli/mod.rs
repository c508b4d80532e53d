//! The command line: argument parsing (clap derive) and the commands' glue.
//! `analyze`'s arguments and glue are in [`analyze`].

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::commands::{ask, run_exercises, run_rescore, run_scan};

mod analyze;
mod report;

pub use analyze::AnalyzeArgs;
pub use report::ReportArgs;

/// postured: counts back-care exercise reps and holds and watches posture, from BLE
/// IMU straps (Polar H10, heart-rate straps, open IMU straps).
#[derive(Debug, Parser)]
#[command(version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// More log output on stderr (-v debug, -vv trace). RUST_LOG overrides.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,

    #[command(subcommand)]
    pub command: Command,
}

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// JSON, stable field names, for tools.
    Json,
    /// A table for people.
    Table,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the daemon: connect the configured straps, count sets, watch posture,
    /// serve the API and dashboard.
    Run {
        /// Configuration file (default: $XDG_CONFIG_HOME/postured/config.toml, or
        /// /etc/postured/config.toml for the system service).
        #[arg(long, short)]
        config: Option<PathBuf>,
        /// Listen on this address instead of the configured one.
        #[arg(long)]
        listen: Option<std::net::SocketAddr>,
    },
    /// Try postured without a strap: the daemon with simulated straps behind a
    /// private D-Bus, and the dashboard.
    Demo {
        /// Where the dashboard and API listen.
        #[arg(long, default_value = postured::config::DEFAULT_LISTEN)]
        listen: std::net::SocketAddr,
        /// What the simulated wearer does: a scenario of firmware-sim/scenarios
        /// (demo, desk-hour, prone-leg-raise, wall-slide, ...) or a scenario file.
        #[arg(long, default_value = "demo")]
        scenario: String,
        /// Also publish to this MQTT broker (`mqtt://HOST:1883`), with Home
        /// Assistant's discovery, under `postured/<hostname>`.
        #[arg(long, value_name = "URL")]
        mqtt: Option<String>,
    },
    /// Ask the running daemon to start a set of an exercise.
    Start {
        /// Exercise id (`postured exercises list`).
        exercise: String,
        #[command(flatten)]
        daemon: DaemonArgs,
    },
    /// Ask the running daemon to stop the running set.
    Stop {
        #[command(flatten)]
        daemon: DaemonArgs,
    },
    /// Ask the running daemon to take your current trunk pose as upright.
    Calibrate {
        #[command(flatten)]
        daemon: DaemonArgs,
    },
    /// Ask the running daemon to silence slouch alerts for a while.
    Snooze {
        #[command(flatten)]
        daemon: DaemonArgs,
    },
    /// Recount stored sets from their raw samples with the current exercise specs
    /// (after a spec changed); prints stored and new counts.
    Rescore {
        /// Configuration file (for the database's place).
        #[arg(long, short)]
        config: Option<PathBuf>,
        /// Output format.
        #[arg(long, short, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Count reps and holds, or find slouch episodes, in recordings.
    ///
    /// A recording is a CSV file with a header with `t` (seconds, increasing),
    /// `ax,ay,az` (g) and optionally `gx,gy,gz` (deg/s), other columns ignored
    /// (acceleration in m/s^2 or milli-g, time in ms, us or ns and a gyro in
    /// rad/s are told from the first samples and converted, with a warning); or
    /// a Polar Sensor Logger ACC export (`*_ACC.txt`, H10 accelerometer); or a
    /// MetaWear/MetaBase accelerometer export (`*_Accelerometer_*.csv`, joined
    /// with the `*_Gyroscope_*.csv` beside it). The format is told from the
    /// header; any of them may be gzipped (`.gz`). Files are read in one pass, in
    /// the same small memory whatever their length.
    ///
    /// Several inputs, or a folder, give one table row or one JSON line per file,
    /// in order; a file that cannot be read is reported and the others still run
    /// (the exit status is then 1).
    ///
    /// Tilt exercises measure the angle from a rest pose: by default the first 1.5 s
    /// of stillness in the recording (3 s for --posture), or the mean pose between
    /// the two times given with --reference-s.
    #[command(
        after_help = "Examples:\n  postured analyze --exercise prone-leg-raise --input rec.csv --side left\n  postured analyze --exercise my-spec.toml --input rec.csv.gz --format table\n  postured analyze --posture --input desk.csv --tolerance-deg 12 --delay-s 30\n  postured analyze -e reps -i Polar_H10_1A2B3C4D_20250101_101010_ACC.txt\n  postured analyze -e squat -i recordings/ --format json > counts.jsonl\n  gunzip -c rec.csv.gz | postured analyze -e reps -i -"
    )]
    Analyze(AnalyzeArgs),
    /// Save the report for a clinician (adherence, per exercise sets, reps, holds
    /// on target and range of motion by week, pain and effort with the notes,
    /// posture, corrections) as one HTML page that prints on A4; asks the
    /// running daemon (GET /report).
    #[command(
        after_help = "Examples:\n  postured report --out report.html\n  postured report --from 2026-11-01 --to 2026-11-30 --utc-offset-min 60 --out november.html"
    )]
    Report(ReportArgs),
    /// List nearby supported straps (Polar H10, open IMU, heart-rate straps).
    ///
    /// Uses BlueZ through D-Bus (the system bus, or DBUS_SYSTEM_BUS_ADDRESS). A strap
    /// that is connected to another device (a phone app) does not advertise: close
    /// the app first. Put a Polar H10 on (or wet its electrodes) to wake it.
    Scan {
        /// How long to scan (s).
        #[arg(long, default_value_t = 5.0)]
        timeout: f64,
        /// Output format.
        #[arg(long, short, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Print a commented example configuration (every key, with its default).
    PrintDefaultConfig,
    /// Check a configuration file; names the line and key of any error.
    CheckConfig {
        /// The file (default: the one `postured run` would use).
        #[arg(long, short)]
        config: Option<PathBuf>,
    },
    /// List the built-in exercises or show one's spec.
    Exercises {
        #[command(subcommand)]
        action: Option<ExercisesAction>,
    },
}

/// How to reach the running daemon.
#[derive(Debug, clap::Args)]
pub struct DaemonArgs {
    /// Configuration file (for the address and token).
    #[arg(long, short)]
    pub config: Option<PathBuf>,
    /// The daemon's URL (default: from the configuration, http://127.0.0.1:8621).
    #[arg(long)]
    pub url: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum ExercisesAction {
    /// One line per built-in exercise (the default).
    List {
        /// Output format.
        #[arg(long, short, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Print one exercise's spec as TOML (a starting point for your own).
    Show {
        /// A built-in id or a spec file.
        id: String,
    },
}

/// Sets up tracing to stderr (journald-friendly under systemd: see [`postured::logging`]).
pub fn init_logging(verbose: u8) {
    postured::logging::init(verbose);
}

/// Runs the parsed command.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Analyze(args) => analyze::run(&args),
        Command::Report(args) => report::run(&args),
        Command::Scan { timeout, format } => run_scan(timeout, format),
        Command::Run { config, listen } => run_daemon(config, listen),
        Command::Start { exercise, daemon } => ask(
            &daemon,
            "/api/sets",
            &serde_json::json!({ "exercise": exercise }),
        ),
        Command::Stop { daemon } => ask(&daemon, "/api/sets/current/stop", &serde_json::json!({})),
        Command::Calibrate { daemon } => ask(&daemon, "/api/calibrate", &serde_json::json!({})),
        Command::Snooze { daemon } => ask(&daemon, "/api/snooze", &serde_json::json!({})),
        Command::Rescore { config, format } => run_rescore(config, format),
        Command::Demo {
            listen,
            scenario,
            mqtt,
        } => crate::demo::run(listen, &scenario, mqtt.as_deref()),
        Command::PrintDefaultConfig => {
            out!("{}", postured::config::DEFAULT_TOML)?;
            Ok(())
        }
        Command::CheckConfig { config } => check_config(config),
        Command::Exercises { action } => run_exercises(action.unwrap_or(ExercisesAction::List {
            format: Format::Table,
        })),
    }
}

pub(crate) fn print_json(value: &impl serde::Serialize) -> anyhow::Result<()> {
    outln!("{}", serde_json::to_string_pretty(value)?)?;
    Ok(())
}

/// `postured check-config`: parses and checks the file, and reads the MQTT
/// password file if one is named.
fn check_config(config: Option<PathBuf>) -> anyhow::Result<()> {
    let explicit = config.is_some();
    let path = config.unwrap_or_else(postured::config::default_path);
    let cfg = postured::config::Config::load(&path, explicit)?;
    let mqtt = match &cfg.mqtt {
        Some(m) => {
            m.password()
                .map_err(|e| anyhow::anyhow!("{}: mqtt.password_file: {e}", path.display()))?;
            format!("; MQTT to {} under {}", m.url, m.base_topic())
        }
        None => String::new(),
    };
    outln!(
        "{}: ok ({} straps, {} routines; database {}; listening on {}{mqtt})",
        path.display(),
        cfg.straps.len(),
        cfg.routines.len(),
        cfg.database_path().display(),
        cfg.http.listen
    )?;
    Ok(())
}

fn run_daemon(config: Option<PathBuf>, listen: Option<std::net::SocketAddr>) -> anyhow::Result<()> {
    let file = postured::daemon::ConfigFile {
        explicit: config.is_some(),
        path: config.unwrap_or_else(postured::config::default_path),
    };
    let cfg = file.load()?;
    tracing::info!(config = %file.path.display(), straps = cfg.straps.len(), "starting");
    let rt = tokio::runtime::Runtime::new()?;
    let result = rt.block_on(crate::service::run(cfg, file, listen));
    // Everything is saved by now; a blocking read still under way (the demo's
    // stdin watch) must not hold the exit up.
    rt.shutdown_timeout(std::time::Duration::from_secs(1));
    result
}
