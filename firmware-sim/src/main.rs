//! firmware-sim command line: parse, call into the library, map errors.

use std::io::BufWriter;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use firmware_sim::bluez::{self, ServeConfig};
use firmware_sim::bus::PrivateBus;
use firmware_sim::record;
use firmware_sim::scenario::{Placement, Scenario};
use firmware_sim::strap::StrapInfo;

/// A simulated strap wearer and strap firmware, for postured's tests and demo.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Render a scenario at one placement to CSV (t,ax,ay,az,gx,gy,gz) plus truth JSON.
    Record {
        /// Scenario TOML file (see firmware-sim/scenarios/).
        #[arg(long)]
        scenario: PathBuf,
        /// chest, upper-back, thigh, ankle, wrist or upper-arm [default: the scenario's first strap].
        #[arg(long)]
        placement: Option<String>,
        /// Sample rate in Hz.
        #[arg(long, default_value_t = 50.0)]
        rate: f64,
        /// Output CSV file.
        #[arg(long)]
        out: PathBuf,
        /// Output truth JSON file: reps and slouch episodes.
        #[arg(long)]
        truth: PathBuf,
        /// Seed of every random choice; same seed, same output.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Serve straps as BlueZ (org.bluez) on the system bus named by
    /// DBUS_SYSTEM_BUS_ADDRESS, or on a private bus with --bus-dir. The scenario
    /// loops while serving.
    Serve {
        /// Scenario TOML file.
        #[arg(long)]
        scenario: PathBuf,
        /// KIND:PLACEMENT[:SIDE], KIND = polar-h10 | open-imu | heart-rate; repeat for
        /// several straps [default: the scenario's straps].
        #[arg(long = "strap")]
        straps: Vec<String>,
        /// Seed of every random choice.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Scenario seconds per real second.
        #[arg(long, default_value_t = 1.0)]
        speed: f64,
        /// Start a private dbus-daemon with its socket in DIR and serve there.
        #[arg(long)]
        bus_dir: Option<PathBuf>,
    },
    /// Run a private system bus (dbus-daemon, permissive policy) with its socket in
    /// DIR until interrupted; prints the export line for DBUS_SYSTEM_BUS_ADDRESS.
    Bus {
        /// Directory for the config file and the socket.
        #[arg(long)]
        dir: PathBuf,
    },
}

fn main() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match Cli::parse().command {
        Command::Record {
            scenario,
            placement,
            rate,
            out,
            truth,
            seed,
        } => run_record(&scenario, placement.as_deref(), rate, &out, &truth, seed),
        Command::Serve {
            scenario,
            straps,
            seed,
            speed,
            bus_dir,
        } => run_serve(&scenario, &straps, seed, speed, bus_dir),
        Command::Bus { dir } => {
            let bus = PrivateBus::start(&dir)?;
            let rt = tokio::runtime::Runtime::new()?;
            let stop = {
                let _in_runtime = rt.enter();
                shutdown_signal()
            };
            println!("export DBUS_SYSTEM_BUS_ADDRESS={}", bus.address());
            rt.block_on(stop);
            Ok(())
        }
    }
}

fn run_record(
    scenario: &std::path::Path,
    placement: Option<&str>,
    rate: f64,
    out: &std::path::Path,
    truth: &std::path::Path,
    seed: u64,
) -> Result<()> {
    let sc = Scenario::load(scenario)?;
    let placement = match placement {
        Some(p) => Placement::parse(p).with_context(|| format!("unknown placement {p:?}"))?,
        None => sc.straps[0].placement,
    };
    if !(1.0..=2000.0).contains(&rate) {
        bail!("--rate must be between 1 and 2000 Hz");
    }
    let file = std::fs::File::create(out).with_context(|| format!("creating {}", out.display()))?;
    let mut w = BufWriter::new(file);
    let t = record::record(&sc, seed, placement, rate, &mut w)
        .with_context(|| format!("writing {}", out.display()))?;
    std::io::Write::flush(&mut w)?;
    let json = serde_json::to_string_pretty(&t)?;
    std::fs::write(truth, json + "\n").with_context(|| format!("writing {}", truth.display()))?;
    Ok(())
}

fn run_serve(
    scenario: &std::path::Path,
    straps: &[String],
    seed: u64,
    speed: f64,
    bus_dir: Option<PathBuf>,
) -> Result<()> {
    let sc = Scenario::load(scenario)?;
    let straps: Vec<StrapInfo> = if straps.is_empty() {
        sc.straps
            .iter()
            .enumerate()
            .map(|(i, s)| StrapInfo {
                kind: s.kind,
                placement: s.placement,
                side: s.side,
                index: i as u64,
            })
            .collect()
    } else {
        straps
            .iter()
            .enumerate()
            .map(|(i, a)| {
                StrapInfo::parse(a, i as u64).with_context(|| format!("bad --strap {a:?}"))
            })
            .collect::<Result<_>>()?
    };
    if !(0.01..=1000.0).contains(&speed) {
        bail!("--speed must be between 0.01 and 1000");
    }
    let bus = bus_dir.map(|d| PrivateBus::start(&d)).transpose()?;
    let rt = tokio::runtime::Runtime::new()?;
    let stop = {
        let _in_runtime = rt.enter();
        shutdown_signal()
    };
    if let Some(b) = &bus {
        println!("export DBUS_SYSTEM_BUS_ADDRESS={}", b.address());
    }
    let address = bus.as_ref().map(|b| b.address().to_owned());
    rt.block_on(async {
        let server = bluez::start(ServeConfig {
            scenario: sc,
            straps,
            seed,
            speed,
            address,
        })
        .await
        .context("serving org.bluez")?;
        server.run(stop).await;
        Ok(())
    })
}

/// Listens for SIGINT and SIGTERM from the moment it is called (inside a
/// runtime), so that a caller that stops the simulator as soon as it prints its
/// bus address never meets the signals' default action; the future ends at the
/// first of them.
fn shutdown_signal() -> impl Future<Output = ()> {
    use tokio::signal::unix::{SignalKind, signal};
    let term = signal(SignalKind::terminate()).ok();
    let int = signal(SignalKind::interrupt()).ok();
    async move {
        tokio::select! {
            () = received(term) => {}
            () = received(int) => {}
        }
    }
}

/// When `signal` comes; never, where it could not be listened for.
async fn received(signal: Option<tokio::signal::unix::Signal>) {
    match signal {
        Some(mut s) => {
            s.recv().await;
        }
        None => std::future::pending().await,
    }
}
