//! A year of use, timed: fills a real SQLite file with a year of synthetic
//! daily use through the store's own writes (three sessions a day of three
//! sets, raw samples kept at 100 Hz, heart rate, feedback, an occasional
//! correction; posture every day: hours and slouch episodes), then serves it
//! with the real daemon and HTTP server and times, over loopback, the report,
//! the history charts' API calls and the session list. Prints p50/p99/max of
//! each and the database's size.
//!
//! ```sh
//! cargo run --release --example year_bench                 # a year, 200 runs each
//! cargo run --release --example year_bench -- --days 28 --report docs/report-demo.html
//! ```
//!
//! The store is written once under `target/year-bench/` (kept for reruns;
//! `--fresh` rebuilds it). `--report FILE` also saves the last four weeks'
//! report.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use postured::motion::{Flag, Hold, Rep, Sample, SlouchEpisode};
use postured::store::{EndReason, Feedback, SessionId, SetId, SetInfo, Settlement, Store};

const DAY: f64 = 86_400.0;
/// Local hours of the three sessions.
const SESSION_HOURS: [f64; 3] = [7.5, 13.0, 21.5];
/// A session's sets: exercise, reps, hold (s), typical peak (deg).
const ROUTINE: [(&str, u32, f64, f64); 3] = [
    ("pectoral-stretch", 3, 17.0, 22.0),
    ("cobra", 5, 6.0, 30.0),
    ("prone-leg-raise", 5, 10.0, 18.0),
];
const SET_S: f64 = 90.0;
/// Notes the wearer leaves now and then.
const NOTES: [&str; 4] = [
    "a little stiff this morning",
    "easier than last week",
    "pulling at the left shoulder, eased after the second rep",
    "long day at the desk; back felt tight before, better after",
];
const RATE_HZ: f64 = 100.0;

struct Args {
    days: u32,
    runs: usize,
    fresh: bool,
    report: Option<PathBuf>,
}

fn args() -> Args {
    let mut a = Args {
        days: 365,
        runs: 200,
        fresh: false,
        report: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--days" => a.days = it.next().and_then(|v| v.parse().ok()).expect("--days N"),
            "--runs" => a.runs = it.next().and_then(|v| v.parse().ok()).expect("--runs N"),
            "--fresh" => a.fresh = true,
            "--report" => a.report = it.next().map(PathBuf::from),
            other => panic!("unknown argument {other}"),
        }
    }
    a
}

/// A small deterministic generator, so every run writes the same year.
struct Rng(u64);

impl Rng {
    fn unit(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// A set's raw samples: a slow swing around gravity with some noise.
fn samples(t0: f64, rng: &mut Rng) -> Vec<Sample> {
    let n = (SET_S * RATE_HZ) as usize;
    (0..n)
        .map(|i| {
            let t = t0 + i as f64 / RATE_HZ;
            let a = (t * 0.3).sin() * 0.6;
            let noise = (rng.unit() - 0.5) * 0.01;
            Sample::accel(t, [a.sin() + noise, 0.02, a.cos()])
        })
        .collect()
}

fn rep(n: u32, t: f64, hold: f64, peak: f64, rng: &mut Rng) -> Rep {
    let held = hold * (0.8 + 0.4 * rng.unit());
    let mut flags = Vec::new();
    if held < hold * 0.9 {
        flags.push(Flag::ShortHold);
    }
    if rng.unit() < 0.08 {
        flags.push(Flag::PartialRange);
    }
    Rep {
        n,
        start_s: t,
        end_s: t + held + 4.0,
        hold: Some(Hold {
            start_s: t + 2.0,
            end_s: t + 2.0 + held,
            held_s: held,
            breaks: 0,
        }),
        peak_deg: peak * (0.85 + 0.3 * rng.unit()),
        side: None,
        score: 0.9,
        flags,
    }
}

/// One session of the routine at `t`.
fn session(store: &Store, t: f64, rng: &mut Rng) {
    let sid = SessionId::from_unix_s(t);
    store.start_session(sid, t, Some("back care"));
    let mut at = t;
    for (exercise, reps, hold, peak) in ROUTINE {
        let id = SetId::from_unix_s(at);
        store.start_set(SetInfo {
            id,
            session: sid,
            exercise: exercise.into(),
            strap: "chest".into(),
            side: None,
            started_at: at,
            target_reps: Some(reps),
            note: None,
        });
        store.append_samples(id, &samples(at, rng));
        for n in 1..=reps {
            store.record_rep(id, &rep(n, at + f64::from(n) * 15.0, hold, peak, rng), true);
        }
        for k in 0..(SET_S as u32) {
            store.append_heart_rate(id, at + f64::from(k), 70 + (rng.unit() * 30.0) as u16);
        }
        store.end_set(
            id,
            at + SET_S,
            EndReason::TargetReached,
            Settlement::unchanged(reps),
        );
        if rng.unit() < 0.05 {
            store.correct_set(id, Some(reps - 1));
        }
        store.record_feedback(Feedback {
            session: sid,
            set: Some(id),
            at: at + SET_S + 5.0,
            pain: Some((rng.unit() * 4.0) as u8),
            effort: Some(3 + (rng.unit() * 5.0) as u8),
            note: (rng.unit() < 0.06).then(|| NOTES[(rng.unit() * 4.0) as usize % 4].to_owned()),
        });
        at += SET_S + 30.0;
    }
    store.end_session(sid, at);
}

/// A day's posture: ten hours measured, a few slouches, some alerted.
fn posture(store: &Store, midnight: f64, rng: &mut Rng) {
    for h in 8..18 {
        let slouched = 300.0 + rng.unit() * 900.0;
        store.add_posture_time(
            (midnight + f64::from(h) * 3600.0) as i64,
            3600.0 - slouched,
            slouched,
        );
    }
    for k in 0..6 {
        let start = midnight + 9.0 * 3600.0 + f64::from(k) * 5000.0 + rng.unit() * 1000.0;
        let alerted = rng.unit() < 0.4;
        store.record_slouch(
            "chest",
            &SlouchEpisode {
                start_s: start,
                end_s: start + 200.0,
                peak_deg: 20.0 + rng.unit() * 10.0,
                alert_s: alerted.then_some(start + 120.0),
            },
        );
    }
}

async fn fill(db: &Path, days: u32, now: f64) -> Result<(), Box<dyn std::error::Error>> {
    let store = Store::open(db)?;
    let first = (now / DAY).floor() * DAY - f64::from(days - 1) * DAY;
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let started = Instant::now();
    for d in 0..days {
        let midnight = first + f64::from(d) * DAY;
        for h in SESSION_HOURS {
            let t = midnight + h * 3600.0;
            if t < now - 600.0 {
                session(&store, t, &mut rng);
            }
        }
        posture(&store, midnight, &mut rng);
        store.flush().await?;
        if d % 30 == 29 {
            println!(
                "filled {} days ({:.0} s)",
                d + 1,
                started.elapsed().as_secs_f64()
            );
        }
    }
    Ok(())
}

/// Sizes of the database and its WAL (bytes).
fn size(db: &Path) -> u64 {
    let wal = db.with_extension("db-wal");
    [db.to_owned(), wal]
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum()
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

async fn time(http: &reqwest::Client, base: &str, what: &str, path: &str, runs: usize) -> f64 {
    let url = format!("{base}{path}");
    let mut took = Vec::with_capacity(runs);
    let mut bytes = 0;
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        let r = http.get(&url).send().await.expect("request");
        assert!(r.status().is_success(), "{path}: {}", r.status());
        bytes = r.bytes().await.expect("body").len();
        took.push(t.elapsed());
    }
    took.sort();
    let p99 = percentile(&took, 0.99);
    println!(
        "{what:<34} p50 {:>7.1} ms  p99 {p99:>7.1} ms  max {:>7.1} ms  ({} kB)",
        percentile(&took, 0.5),
        percentile(&took, 1.0),
        bytes / 1024
    );
    p99
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let a = args();
    let now = postured::daemon::now_s();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("target/year-bench/{}d", a.days));
    let db = dir.join("history.db");
    if a.fresh || !db.exists() {
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)?;
        fill(&db, a.days, now).await?;
    }
    let text = format!("database = {db:?}\n");
    let config = postured::config::Config::parse(&text, &dir.join("config.toml"))?;
    let cancel = tokio_util::sync::CancellationToken::new();
    let daemon = postured::daemon::start(config, &cancel).await?;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
    let base = format!("http://{}", listener.local_addr()?);
    let server = tokio::spawn(postured::http::serve(
        daemon.clone(),
        listener,
        cancel.clone(),
    ));
    let page = daemon.store.sessions(None, None, 1, 0).await?;
    println!(
        "{} days, {} sessions; database {:.1} MB ({:.1} MB a year)",
        a.days,
        page.total,
        size(&db) as f64 / 1e6,
        size(&db) as f64 / 1e6 * 365.0 / f64::from(a.days)
    );
    if let Some(out) = &a.report {
        let html =
            reqwest::get(format!("{base}/report?from={}&to={now}", now - 28.0 * DAY)).await?;
        std::fs::write(out, html.text().await?)?;
        println!("report: {}", out.display());
    }
    let http = reqwest::Client::new();
    let w4 = now - 28.0 * DAY;
    let w12 = now - 84.0 * DAY;
    let year = now - 365.0 * DAY;
    let day = (now / DAY).floor() * DAY - DAY;
    let calls = [
        ("report, 4 weeks", format!("/report?from={w4}&to={now}")),
        ("report, a year", format!("/report?from={year}&to={now}")),
        ("history: export, 4 weeks", format!("/api/export?from={w4}")),
        (
            "history: export, 12 weeks",
            format!("/api/export?from={w12}"),
        ),
        ("history: totals, 4 weeks", format!("/api/totals?from={w4}")),
        (
            "history: totals, 12 weeks",
            format!("/api/totals?from={w12}"),
        ),
        ("history: progress", "/api/progress".to_owned()),
        (
            "history: posture of a day",
            format!("/api/posture?from={day}&to={}", day + DAY),
        ),
        (
            "history: feedback, 12 weeks",
            format!("/api/feedback?from={w12}"),
        ),
        (
            "session list, first 50",
            "/api/sessions?limit=50".to_owned(),
        ),
        (
            "session list, last page",
            format!(
                "/api/sessions?limit=50&offset={}",
                page.total.saturating_sub(50)
            ),
        ),
        (
            "recent sessions (live view)",
            "/api/sessions?limit=5".to_owned(),
        ),
    ];
    let mut slow = Vec::new();
    for (what, path) in &calls {
        if time(&http, &base, what, path, a.runs).await > 100.0 {
            slow.push(*what);
        }
    }
    println!(
        "over 100 ms at p99: {}",
        if slow.is_empty() {
            "none".to_owned()
        } else {
            slow.join(", ")
        }
    );
    cancel.cancel();
    server.await??;
    Ok(())
}
