//! firmware-sim command line: parse, call into the library, map errors.

use std::io::BufWriter;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use firmware_sim::record;
use firmware_sim::scenario::{Placement, Scenario};

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
}

fn main() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
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
        } => {
            let sc = Scenario::load(&scenario)?;
            let placement = match placement {
                Some(p) => {
                    Placement::parse(&p).with_context(|| format!("unknown placement {p:?}"))?
                }
                None => sc.straps[0].placement,
            };
            if !(1.0..=2000.0).contains(&rate) {
                bail!("--rate must be between 1 and 2000 Hz");
            }
            let file = std::fs::File::create(&out)
                .with_context(|| format!("creating {}", out.display()))?;
            let mut w = BufWriter::new(file);
            let t = record::record(&sc, seed, placement, rate, &mut w)
                .with_context(|| format!("writing {}", out.display()))?;
            std::io::Write::flush(&mut w)?;
            let json = serde_json::to_string_pretty(&t)?;
            std::fs::write(&truth, json + "\n")
                .with_context(|| format!("writing {}", truth.display()))?;
            Ok(())
        }
    }
}
