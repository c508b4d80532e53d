//! Scores the rep counter on recordings of real people: every set of the two data
//! sets in `data/` and, when they are there, the barbell sets (`$POSTURED_BARBELL_DATA`,
//! or `../shared/data/barbell-metamotion`). Counts are settled counts, as `postured
//! analyze` reports them, with the generic `reps` spec (and without the gyro, as on
//! an accelerometer-only strap such as a Polar H10); the barbell sets also with the
//! per-lift specs in `examples/barbell/`.
//!
//! ```text
//! cargo run --release --example score_real            # the tables
//! cargo run --release --example score_real -- --sets  # and every set's count
//! cargo run --release --example score_real -- --variants  # as other straps would record them
//! cargo run --release --example score_real -- --variant padded --sets  # one of them
//! cargo run --release --example score_real -- --variant slower --dump DIR  # its miscounted sets
//! cargo run --release --example score_real -- --live  # the counts before they settle
//! cargo run --release --example score_real -- --lag   # how late the live count shows each rep
//! ```
//!
//! `--live` scores each set's count as the wearer saw it while the set went on,
//! before it settled at the end (with any of the options above).
//!
//! `--lag` times the count shown live against the settled reps, with the gyro
//! and the generic spec (and `--variant`): for the k-th settled rep, when the
//! count shown first reached k, less when that rep ended. Negative where the
//! live count ran ahead (it counts a rep at its turn, and may count a lead-in
//! the settled count withdraws); a rep the count shown had not reached when the
//! recording ended is counted apart (the count settles then).
//!
//! `--dump DIR` writes every set that some column miscounts, as the variant has it,
//! to `DIR/<data set>/<file>` in the recording format, to look at with
//! `postured analyze -i DIR/... --plot out.svg`. The barbell sets have no licence:
//! keep their copies out of the repository.
//!
//! `--variants` scores every data set again as other straps, other starts and
//! other people would have recorded it (turned, at 100 Hz and at 12.5 Hz, with
//! stillness before and after, with a cheap accelerometer's noise, with 2.5 s of
//! samples lost mid-set as a dropped link loses them, done slower and faster): a
//! count that holds up on other people must not depend on any of these.

#[path = "real/sets.rs"]
mod real;

use std::collections::BTreeMap;
use std::path::Path;

use real::{Counted, Set};

fn pct(k: usize, n: usize) -> String {
    format!("{:.0}%", 100.0 * k as f64 / n.max(1) as f64)
}

/// One table row per group: sets, then exact and within one per column.
fn table(title: &str, sets: &[Set], columns: &[(&str, Vec<i64>)], group: impl Fn(&Set) -> String) {
    let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, s) in sets.iter().enumerate() {
        groups.entry(group(s)).or_default().push(i);
    }
    let mut head = format!("| {title} | sets |");
    let mut rule = "|---|---|".to_owned();
    for (name, _) in columns {
        head += &format!(" {name}: exact | within one |");
        rule += "---|---|";
    }
    println!("{head}\n{rule}");
    let mut rows: Vec<(String, Vec<usize>)> = groups.into_iter().collect();
    rows.insert(0, ("**all**".into(), (0..sets.len()).collect()));
    for (name, idx) in rows {
        let mut line = format!("| {name} | {} |", idx.len());
        for (_, counted) in columns {
            let (e, o, n) = real::tally(idx.iter().map(|&i| (&sets[i], counted[i])));
            line += &format!(" {} | {} |", pct(e, n), pct(o, n));
        }
        println!("{line}");
    }
    println!();
}

fn main() -> Result<(), String> {
    let list = std::env::args().any(|a| a == "--sets");
    let args: Vec<String> = std::env::args().collect();
    let variants = args.iter().any(|a| a == "--variants");
    let counted = if args.iter().any(|a| a == "--live") {
        Counted::Live
    } else {
        Counted::Settled
    };
    let variant = match args.iter().position(|a| a == "--variant") {
        Some(i) => {
            let key = args.get(i + 1).map_or("", String::as_str);
            real::Variant::from_key(key).ok_or_else(|| {
                let keys: Vec<&str> = real::Variant::ALL.iter().map(|v| v.key()).collect();
                format!("--variant {key:?}: one of {}", keys.join(", "))
            })?
        }
        None => real::Variant::AsIs,
    };
    let dump = match args.iter().position(|a| a == "--dump") {
        Some(i) => Some(Path::new(args.get(i + 1).ok_or("--dump needs a folder")?)),
        None => None,
    };
    let lag = args.iter().any(|a| a == "--lag");
    let data = real::repo_data();
    let mut all = Vec::new();
    for name in ["shoulder-physio-watch", "physio-pt"] {
        all.push((name, real::load(name, &data.join(name))?));
    }
    match real::barbell_dir() {
        Some(dir) => all.push((
            "barbell-metamotion",
            real::load("barbell-metamotion", &dir)?,
        )),
        None => eprintln!(
            "barbell sets not found: set POSTURED_BARBELL_DATA to the barbell-metamotion folder \
             (they have no licence, so they are not in the repository); scoring the others"
        ),
    }
    let generic = real::generic();
    if variants {
        if dump.is_some() {
            return Err("--dump writes one variant's sets: use it with --variant KEY".into());
        }
        return score_variants(&all, &generic, counted);
    }
    for (_, sets) in &mut all {
        for s in sets.iter_mut() {
            s.samples = variant.apply(&s.samples);
        }
    }
    if lag {
        return score_lag(&all, &generic);
    }
    for (name, sets) in &all {
        let with_gyro: Vec<i64> = sets
            .iter()
            .map(|s| real::count_as(&s.samples, &generic, false, counted))
            .collect();
        let accel: Vec<i64> = sets
            .iter()
            .map(|s| real::count_as(&s.samples, &generic, true, counted))
            .collect();
        let mut columns = vec![("reps", with_gyro), ("reps, accel only", accel)];
        if *name == "barbell-metamotion" {
            let per_lift = sets
                .iter()
                .map(|s| match s.exercise.as_str() {
                    "rest" => real::count_as(&s.samples, &generic, false, counted),
                    lift => lift_count(&s.samples, lift, counted),
                })
                .collect();
            columns.push(("per-lift spec", per_lift));
        }
        println!("## {name}\n");
        table("exercise", sets, &columns, |s| s.exercise.clone());
        if let Some(dir) = dump {
            dump_missed(&dir.join(name), sets, &columns)?;
        }
        if list {
            for (i, s) in sets.iter().enumerate() {
                let counts: Vec<String> = columns.iter().map(|(_, c)| c[i].to_string()).collect();
                println!("{:<48} {:>3}  {}", s.file, s.reps, counts.join(" "));
            }
            println!();
        }
    }
    Ok(())
}

/// Writes the sets that some column miscounts to `dir`, as recordings.
fn dump_missed(dir: &Path, sets: &[Set], columns: &[(&str, Vec<i64>)]) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for (i, s) in sets.iter().enumerate() {
        if columns.iter().all(|(_, c)| c[i] == s.reps) {
            continue;
        }
        let path = dir.join(&s.file);
        let mut out = std::io::BufWriter::new(
            std::fs::File::create(&path).map_err(|e| format!("{}: {e}", path.display()))?,
        );
        postured::recording::write(&mut out, &s.samples)
            .map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}

/// One line per data set and variant: exact and within one, with the gyro and
/// without.
fn score_variants(
    all: &[(&str, Vec<Set>)],
    generic: &postured::exercises::ExerciseSpec,
    counted: Counted,
) -> Result<(), String> {
    println!(
        "| data | variant | sets | reps: exact | within one | accel only: exact | within one | per-lift spec: exact | within one |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for (name, sets) in all {
        for variant in real::Variant::ALL {
            let mut cells = String::new();
            for accel_only in [false, true] {
                let (e, o, n) = real::tally(sets.iter().map(|s| {
                    let samples = variant.apply(&s.samples);
                    (s, real::count_as(&samples, generic, accel_only, counted))
                }));
                cells += &format!(" {} | {} |", pct(e, n), pct(o, n));
            }
            if *name == "barbell-metamotion" {
                let (e, o, n) = real::tally(sets.iter().map(|s| {
                    let samples = variant.apply(&s.samples);
                    let count = match s.exercise.as_str() {
                        "rest" => real::count_as(&samples, generic, false, counted),
                        lift => lift_count(&samples, lift, counted),
                    };
                    (s, count)
                }));
                cells += &format!(" {} | {} |", pct(e, n), pct(o, n));
            } else {
                cells += " – | – |";
            }
            println!("| {name} | {} | {} |{cells}", variant.name(), sets.len());
        }
    }
    Ok(())
}

/// One line per data set: how late the count shown live reached each settled
/// rep's number after that rep ended (s), as percentiles over all its reps.
fn score_lag(
    all: &[(&str, Vec<Set>)],
    generic: &postured::exercises::ExerciseSpec,
) -> Result<(), String> {
    println!(
        "| data | settled reps | not shown before the recording ended | lag: p10 (s) | median | p90 | max |"
    );
    println!("|---|---|---|---|---|---|---|");
    for (name, sets) in all {
        let mut lags = Vec::new();
        let (mut reps, mut unshown) = (0, 0);
        for s in sets {
            let mut counter = postured::motion::Counter::new(generic, None, None);
            let mut shown = Vec::new();
            for sample in &s.samples {
                for e in counter.push(sample) {
                    if let postured::motion::RepEvent::RepDone(_) = e {
                        shown.push(sample.t);
                    }
                }
            }
            let settled = counter.settle().reps;
            reps += settled.len();
            for (k, rep) in settled.iter().enumerate() {
                match shown.get(k) {
                    Some(t) => lags.push(t - rep.end_s),
                    None => unshown += 1,
                }
            }
        }
        lags.sort_by(f64::total_cmp);
        let at = |p: f64| {
            lags.get(((lags.len().max(1) - 1) as f64 * p).round() as usize)
                .map_or("–".to_owned(), |v| format!("{v:.2}"))
        };
        println!(
            "| {name} | {reps} | {unshown} | {} | {} | {} | {} |",
            at(0.1),
            at(0.5),
            at(0.9),
            at(1.0)
        );
    }
    Ok(())
}

/// A set's count by its lift's spec in `examples/barbell/` (all but the
/// overhead press's count live: they are tuned to it), the count `counted`.
fn lift_count(samples: &[postured::motion::Sample], lift: &str, counted: Counted) -> i64 {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("examples/barbell/{lift}.toml"));
    let spec = postured::exercises::resolve(path.to_str().expect("utf-8 path"))
        .unwrap_or_else(|e| panic!("{e}"));
    real::count_as(samples, &spec, false, counted)
}
