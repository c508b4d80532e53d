//! `postured report`: the clinician report (`GET /report` of the running
//! daemon) saved as one HTML file.

use std::io::Write as _;
use std::path::PathBuf;

use anyhow::{Context, bail};

use super::DaemonArgs;
use crate::commands::load_config;

/// `postured report`'s arguments.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// First day (YYYY-MM-DD, or Unix seconds); default four weeks before --to.
    #[arg(long)]
    pub from: Option<String>,
    /// Last day, included (YYYY-MM-DD, or Unix seconds); default now.
    #[arg(long)]
    pub to: Option<String>,
    /// Your offset from UTC in minutes (east positive), for where days begin;
    /// dates are read in it too.
    #[arg(long, default_value_t = 0, allow_hyphen_values = true)]
    pub utc_offset_min: i32,
    /// Where to write the page (`-`: standard output).
    #[arg(long, short, default_value = "report.html")]
    pub out: PathBuf,
    #[command(flatten)]
    pub daemon: DaemonArgs,
}

/// A date (its midnight, or the next one with `end`) or Unix seconds.
fn when(s: &str, offset_s: f64, end: bool) -> anyhow::Result<f64> {
    if let Some(t) = postured::report::parse_iso_date(s) {
        return Ok(t - offset_s + if end { 86_400.0 } else { 0.0 });
    }
    s.parse::<f64>()
        .ok()
        .filter(|t| t.is_finite())
        .with_context(|| format!("{s:?} is neither a date (YYYY-MM-DD) nor Unix seconds"))
}

/// Asks the daemon for the report and writes it.
pub fn run(args: &ReportArgs) -> anyhow::Result<()> {
    let cfg = load_config(args.daemon.config.clone())?;
    let url = args
        .daemon
        .url
        .clone()
        .unwrap_or_else(|| crate::remote::base_url(&cfg));
    let offset_s = f64::from(args.utc_offset_min) * 60.0;
    let mut query = vec![format!("utc_offset_min={}", args.utc_offset_min)];
    if let Some(from) = &args.from {
        query.push(format!("from={}", when(from, offset_s, false)?));
    }
    if let Some(to) = &args.to {
        query.push(format!("to={}", when(to, offset_s, true)?));
    }
    let path = format!("/report?{}", query.join("&"));
    let rt = tokio::runtime::Runtime::new()?;
    let html = rt.block_on(crate::remote::get_text(
        &cfg,
        url.trim_end_matches('/'),
        &path,
    ))?;
    if args.out.as_os_str() == "-" {
        out!("{html}")?;
        return Ok(());
    }
    if html.is_empty() {
        bail!("the daemon sent an empty report");
    }
    std::fs::write(&args.out, html)
        .with_context(|| format!("cannot write {}", args.out.display()))?;
    let _ = writeln!(
        std::io::stderr(),
        "report written to {}",
        args.out.display()
    );
    Ok(())
}
