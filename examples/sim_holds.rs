//! Counts and hold timing on firmware-sim's recordings: for every built-in
//! exercise with a scenario, over many seeds, the sets miscounted (each named on
//! stderr) and the error of each counted hold against the plateau the body model
//! held (end of the raise to start of the lowering).
//!
//! ```text
//! cargo run --release --example sim_holds            # 10 seeds, 50 Hz with gyro
//! cargo run --release --example sim_holds -- 30      # 30 seeds
//! cargo run --release --example sim_holds -- 10 --rate 200 --accel-only   # as an H10
//! cargo run --release --example sim_holds -- 10 --start mixed --walk-in 8
//! ```
//!
//! `--start still|breathing|sway|mixed` sets what the body does throughout (the
//! scenario's `restless`; `mixed` takes each in turn, seed by seed), and
//! `--walk-in S` has the wearer walk for S seconds before the scenario begins.
//! `--dump DIR` writes each miscounted set's recording there (and its truth beside
//! it, as JSON), to look at with
//! `postured analyze -e EXERCISE -i DIR/EXERCISE-SEED.csv --plot out.svg`.
//! `--ease minimum-jerk` gives every rep the gentler ramps of a person's reach
//! (the scenario's `ease`). `--only EXERCISE` runs that exercise's scenario alone. `--ends` adds a table
//! of where each hold was found to start and end against the plateau's (median
//! and 10th-90th percentiles, s; positive is late): a hold can read the right
//! length with both ends late, or the wrong one with one end early.

use std::path::Path;

use firmware_sim::record::{record, strap_for};
use firmware_sim::scenario::{Ease, Placement, Restless, Scenario, Segment};
use postured::analyze;
use postured::exercises::builtin;
use postured::motion::Side;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse::<f64>().ok())
    };
    let seeds = args.first().and_then(|s| s.parse().ok()).unwrap_or(10u64);
    let rate = value("--rate").unwrap_or(50.0);
    let accel_only = args.iter().any(|a| a == "--accel-only");
    let show_ends = args.iter().any(|a| a == "--ends");
    let walk_in = value("--walk-in");
    let dump = args
        .iter()
        .position(|a| a == "--dump")
        .and_then(|i| args.get(i + 1))
        .map(std::path::PathBuf::from);
    if let Some(dir) = &dump {
        std::fs::create_dir_all(dir).expect("create the --dump folder");
    }
    let start = args
        .iter()
        .position(|a| a == "--start")
        .and_then(|i| args.get(i + 1))
        .map_or("still", String::as_str);
    let restless = |seed: u64| match start {
        "still" => Restless::Still,
        "breathing" => Restless::Breathing,
        "sway" => Restless::Sway,
        "mixed" => [Restless::Still, Restless::Breathing, Restless::Sway][seed as usize % 3],
        other => panic!("--start {other}: still, breathing, sway or mixed"),
    };
    let ease = match args
        .iter()
        .position(|a| a == "--ease")
        .and_then(|i| args.get(i + 1))
        .map_or("eased", String::as_str)
    {
        "eased" => Ease::Eased,
        "minimum-jerk" => Ease::MinimumJerk,
        other => panic!("--ease {other}: eased or minimum-jerk"),
    };
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("firmware-sim/scenarios");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("scenarios")
        .filter_map(|e| {
            let p = e.ok()?.path();
            let stem = p.file_stem()?.to_str()?.to_owned();
            builtin(&stem).map(|_| stem)
        })
        .collect();
    names.sort();
    if let Some(only) = args
        .iter()
        .position(|a| a == "--only")
        .and_then(|i| args.get(i + 1))
    {
        names.retain(|n| n == only);
        assert!(!names.is_empty(), "--only {only}: no scenario of that name");
    }
    let mut all = Vec::new();
    let mut ends_rows = Vec::new();
    println!(
        "| exercise | holds | miscounted sets | signed median (s) | p90 abs (s) | max abs (s) |"
    );
    println!("|---|---|---|---|---|---|");
    for name in names {
        let mut sc = Scenario::load(&dir.join(format!("{name}.toml"))).expect("scenario");
        sc.ease = ease;
        if let Some(duration_s) = walk_in {
            sc.segments.insert(
                0,
                Segment::Walk {
                    duration_s,
                    cadence_hz: None,
                },
            );
        }
        let placement = sc.straps[0].placement;
        let spec = builtin(&name).expect("spec");
        let (mut errs, mut bad) = (Vec::new(), 0);
        let (mut starts, mut stops) = (Vec::new(), Vec::new());
        for seed in 1..=seeds {
            let mut csv = Vec::new();
            sc.restless = restless(seed);
            let truth = record(&sc, seed, placement, rate, &mut csv).expect("record");
            let mut samples = postured::recording::parse(csv.as_slice(), Path::new("sim.csv"))
                .expect("parse")
                .samples;
            if accel_only {
                samples.iter_mut().for_each(|s| s.gyro = None);
            }
            let limb = matches!(placement, Placement::Thigh | Placement::Ankle);
            let side = limb.then(|| match strap_for(&sc, placement).1 {
                firmware_sim::scenario::Side::Left => Side::Left,
                firmware_sim::scenario::Side::Right => Side::Right,
            });
            let side_name = side.map(|s| if s == Side::Left { "left" } else { "right" });
            let want: Vec<_> = truth
                .reps
                .iter()
                .filter(|r| {
                    side_name.is_none() || r.side.is_none() || r.side.as_deref() == side_name
                })
                .collect();
            let got = analyze::reps(&spec, &samples, side, None);
            if got.reps.len() != want.len() {
                eprintln!(
                    "{name} seed {seed}: counted {} of {}",
                    got.reps.len(),
                    want.len()
                );
                if let Some(dir) = &dump {
                    let path = dir.join(format!("{name}-{seed}.csv"));
                    // As counted: without the gyro's columns where it was left out.
                    let text = String::from_utf8_lossy(&csv);
                    let text: String = if accel_only {
                        text.lines()
                            .map(|l| l.splitn(5, ',').take(4).collect::<Vec<_>>().join(",") + "\n")
                            .collect()
                    } else {
                        text.into_owned()
                    };
                    std::fs::write(&path, text).expect("write the recording");
                    let json = serde_json::to_string_pretty(&truth).expect("truth as JSON");
                    std::fs::write(path.with_extension("json"), json).expect("write the truth");
                    eprintln!("  recording: {} (truth: .json)", path.display());
                }
                bad += 1;
                continue;
            }
            for (g, w) in got.reps.iter().zip(&want) {
                if let Some(h) = g.hold_s {
                    errs.push(h - w.hold_s);
                }
            }
            if show_ends {
                for (h, w) in hold_spans(&spec, &samples, side).into_iter().zip(&want) {
                    if let Some((start, end)) = h {
                        starts.push(start - w.hold_start_s);
                        stops.push(end - (w.hold_start_s + w.hold_s));
                    }
                }
            }
        }
        if !starts.is_empty() {
            starts.sort_by(f64::total_cmp);
            stops.sort_by(f64::total_cmp);
            ends_rows.push(format!(
                "| {name} | {:+.2} | {:+.2} | {:+.2} | {:+.2} | {:+.2} | {:+.2} |",
                q(&starts, 0.5),
                q(&starts, 0.1),
                q(&starts, 0.9),
                q(&stops, 0.5),
                q(&stops, 0.1),
                q(&stops, 0.9)
            ));
        }
        if errs.is_empty() {
            println!("| {name} | - | {bad} of {seeds} | - | - | - |");
            continue;
        }
        all.extend(errs.iter().copied());
        let abs = sorted_abs(&errs);
        errs.sort_by(f64::total_cmp);
        println!(
            "| {name} | {} | {bad} of {seeds} | {:+.2} | {:.2} | {:.2} |",
            errs.len(),
            q(&errs, 0.5),
            q(&abs, 0.9),
            abs[abs.len() - 1]
        );
    }
    let abs = sorted_abs(&all);
    match abs.last() {
        Some(max) => println!(
            "| **all** | {} | | | {:.2} | {max:.2} |",
            abs.len(),
            q(&abs, 0.9)
        ),
        None => println!("| **all** | 0 | | | - | - |"),
    }
    if show_ends {
        println!();
        println!(
            "| exercise | hold start: median (s) | p10 | p90 | hold end: median (s) | p10 | p90 |"
        );
        println!("|---|---|---|---|---|---|---|");
        ends_rows.iter().for_each(|r| println!("{r}"));
    }
}

/// Where each settled rep's hold starts and ends (s), as the counter times it.
fn hold_spans(
    spec: &postured::exercises::ExerciseSpec,
    samples: &[postured::motion::Sample],
    side: Option<Side>,
) -> Vec<Option<(f64, f64)>> {
    let mut counter = postured::motion::Counter::new(spec, side, None).settled_only();
    let mut events = Vec::new();
    for s in samples {
        counter.push_into(s, &mut events);
    }
    counter
        .settle()
        .reps
        .iter()
        .map(|r| r.hold.map(|h| (h.start_s, h.end_s)))
        .collect()
}

/// The errors' sizes, smallest first.
fn sorted_abs(errs: &[f64]) -> Vec<f64> {
    let mut abs: Vec<f64> = errs.iter().map(|e| e.abs()).collect();
    abs.sort_by(f64::total_cmp);
    abs
}

/// The `p` quantile (0..=1) of sorted values, nearest rank.
fn q(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}
