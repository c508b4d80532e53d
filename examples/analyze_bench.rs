//! `postured analyze` timed as a whole process on long recordings: an hour of
//! 200 Hz samples with gyro (leg raises, slouches, walks, from `postured::synth`),
//! and the same hour repeated to make a day. Prints the wall time, the CPU time
//! (a steadier figure on a busy machine) and the peak resident memory of each
//! run; the process is pinned to one core.
//!
//! ```sh
//! cargo build --release
//! cargo run --release --example analyze_bench            # 1 h and 24 h
//! cargo run --release --example analyze_bench -- --hours 1 --bin /path/to/postured
//! ```
//!
//! The recordings are written once under `target/analyze-bench/` (40 MB and
//! 1 GB). Each run is measured by a child of this program that starts postured,
//! waits for it and reads its peak memory from `getrusage(RUSAGE_CHILDREN)`.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use postured::motion::Sample;

const RUNS: usize = 5;

fn hour() -> Vec<Sample> {
    postured::synth::mixed_hour()
}

/// Writes `hours` copies of the hour one after the other (once; kept for reruns).
fn recording(dir: &Path, hours: u32, hour: &mut Option<Vec<Sample>>) -> std::io::Result<PathBuf> {
    let path = dir.join(format!("{hours}h-200hz.csv"));
    if path.exists() {
        return Ok(path);
    }
    let samples = hour.get_or_insert_with(self::hour);
    let span = samples.last().map_or(0.0, |s| s.t) + 0.005;
    let tmp = path.with_extension("partial");
    let mut out = BufWriter::new(std::fs::File::create(&tmp)?);
    writeln!(out, "t,ax,ay,az,gx,gy,gz")?;
    for k in 0..hours {
        let shift = f64::from(k) * span;
        for s in samples.iter() {
            let [x, y, z] = s.accel;
            let [a, b, c] = s.gyro.unwrap_or_default();
            let t = s.t + shift;
            writeln!(out, "{t:.4},{x:.5},{y:.5},{z:.5},{a:.3},{b:.3},{c:.3}")?;
        }
    }
    out.into_inner()?.sync_all()?;
    std::fs::rename(&tmp, &path)?;
    Ok(path)
}

/// In the measuring child: run postured once, print "wall_s cpu_s max_rss_kib".
fn measure(bin: &str, file: &str) -> Result<(), Box<dyn std::error::Error>> {
    use nix::sched::{CpuSet, sched_setaffinity};
    use nix::sys::resource::{UsageWho, getrusage};
    use nix::sys::time::TimeValLike;
    let mut one = CpuSet::new();
    one.set(0)?;
    sched_setaffinity(nix::unistd::Pid::from_raw(0), &one)?;
    let start = Instant::now();
    let status = Command::new(bin)
        .args(["analyze", "-e", "prone-leg-raise", "-i", file])
        .stdout(Stdio::null())
        .status()?;
    let wall = start.elapsed();
    if !status.success() {
        return Err(format!("{bin} failed: {status}").into());
    }
    let usage = getrusage(UsageWho::RUSAGE_CHILDREN)?;
    let micros = |t: nix::sys::time::TimeVal| u64::try_from(t.num_microseconds()).unwrap_or(0);
    let cpu = Duration::from_micros(micros(usage.user_time()) + micros(usage.system_time()));
    println!(
        "{} {} {}",
        wall.as_secs_f64(),
        cpu.as_secs_f64(),
        usage.max_rss()
    );
    Ok(())
}

/// One measured run: wall time, CPU time (user + system), peak memory (KiB).
type Run = (Duration, Duration, u64);

fn run_once(bin: &str, file: &Path) -> Result<Run, Box<dyn std::error::Error>> {
    let me = std::env::current_exe()?;
    let out = Command::new(me)
        .args(["--measure", bin, file.to_str().ok_or("path")?])
        .output()?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned().into());
    }
    let text = String::from_utf8(out.stdout)?;
    let mut f = text.split_whitespace();
    let mut secs = || -> Result<Duration, Box<dyn std::error::Error>> {
        Ok(Duration::from_secs_f64(f.next().ok_or("no time")?.parse()?))
    };
    let (wall, cpu) = (secs()?, secs()?);
    let kib: u64 = f.next().ok_or("no memory")?.parse()?;
    Ok((wall, cpu, kib))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [flag, bin, file] = args.as_slice()
        && flag == "--measure"
    {
        return measure(bin, file);
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut bin = root.join("target/release/postured").display().to_string();
    let mut hours = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match (a.as_str(), it.next()) {
            ("--bin", Some(b)) => bin.clone_from(b),
            ("--hours", Some(h)) => hours.push(h.parse::<u32>()?),
            _ => {
                return Err(
                    format!("usage: analyze_bench [--hours N]... [--bin PATH]; not {a}").into(),
                );
            }
        }
    }
    if hours.is_empty() {
        hours = vec![1, 24];
    }
    let dir = root.join("target/analyze-bench");
    std::fs::create_dir_all(&dir)?;
    let mut hour = None;
    println!("{bin}, best and median of {RUNS} runs, one core");
    for h in hours {
        let file = recording(&dir, h, &mut hour)?;
        let size = std::fs::metadata(&file)?.len();
        run_once(&bin, &file)?; // warms the page cache
        let mut runs = (0..RUNS)
            .map(|_| run_once(&bin, &file))
            .collect::<Result<Vec<_>, _>>()?;
        runs.sort();
        let peak = runs.iter().map(|r| r.2).max().unwrap_or(0);
        let cpu = runs.iter().map(|r| r.1).min().unwrap_or_default();
        println!(
            "{h:>3} h at 200 Hz ({:.0} MB): wall {:.3} s best, {:.3} s median; CPU {:.3} s best; peak RSS {:.1} MiB",
            size as f64 / 1e6,
            runs[0].0.as_secs_f64(),
            runs[RUNS / 2].0.as_secs_f64(),
            cpu.as_secs_f64(),
            peak as f64 / 1024.0
        );
    }
    Ok(())
}
