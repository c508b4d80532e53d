//! `kill -9` in the middle of a set: the child (this test binary run again) records
//! a set live; the parent kills it and checks what the database kept.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use postured::store::{EndReason, SessionId, SetId, Store};
use rusqlite::Connection;

use crate::{TempDir, now, rep, samples, set_info};

/// Set in the child to the database path.
const CHILD_DB: &str = "POSTURED_STORE_CRASH_DB";
const CHILD_TEST: &str = "crash::child_records_a_set_until_killed";

#[tokio::test]
#[ignore = "the child of kill_9_mid_set_loses_no_rep_and_at_most_a_second_of_samples"]
async fn child_records_a_set_until_killed() {
    let Some(db) = std::env::var_os(CHILD_DB) else {
        return;
    };
    let store = Store::open(db).unwrap();
    store.start_session(SessionId(1), now(), None);
    store.start_set(set_info(1, 1, now()));
    // 20 ms of samples every 20 ms, a rep every 400 ms; a minute at most in case the
    // parent is gone.
    for i in 1..3000_u32 {
        let t = now();
        store.append_samples(SetId(1), &samples(t - 0.02, 4));
        if i % 20 == 0 {
            let n = i / 20;
            store.record_rep(SetId(1), &rep(n, t), true);
            store.flush().await.unwrap();
            println!("committed rep {n} at {t}");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[test]
fn kill_9_mid_set_loses_no_rep_and_at_most_a_second_of_samples() {
    let dir = TempDir::new("kill9");
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            CHILD_TEST,
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_DB, dir.db())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut committed = Vec::new();
    while committed.len() < 5 {
        let line = lines
            .next()
            .expect("the child prints committed reps")
            .unwrap();
        committed.extend(parse(&line));
    }
    // Land the kill somewhere inside a sample batch, not right after a rep.
    let jitter = (now().fract() * 300.0) as u64;
    std::thread::sleep(Duration::from_millis(150 + jitter));
    let killed_at = now();
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    committed.extend(lines.map_while(Result::ok).filter_map(|l| parse(&l)));
    let (last_rep, _) = *committed.last().unwrap();

    let conn = Connection::open(dir.db()).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    drop(conn);

    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let store = Store::open(dir.db()).unwrap();
    let session = rt.block_on(store.session(SessionId(1))).unwrap().unwrap();
    let set = &session.sets[0];
    let stored: Vec<u32> = set.reps.iter().map(|r| r.rep.n).collect();
    assert!(
        stored.len() as u32 >= last_rep
            && stored[..last_rep as usize] == *(1..=last_rep).collect::<Vec<_>>(),
        "printed {last_rep} reps as committed, stored {stored:?}"
    );
    let samples = rt.block_on(store.set_samples(SetId(1))).unwrap();
    let last_sample = samples.last().unwrap().t;
    assert!(
        last_sample >= killed_at - 1.0,
        "killed at {killed_at}, samples end at {last_sample}"
    );
    assert_eq!(set.set.end_reason, Some(EndReason::Interrupted));
    let ended = set.set.ended_at.unwrap();
    // The set ends at its last rep or sample (stored exactly; read back to the µs).
    assert!(
        ended >= last_sample - 1e-5,
        "ended at {ended}, last sample {last_sample}"
    );
    println!(
        "{} reps stored, {} printed; samples end {:.3} s before the kill",
        stored.len(),
        last_rep,
        killed_at - last_sample
    );
}

/// `committed rep N at T`.
fn parse(line: &str) -> Option<(u32, f64)> {
    let rest = line.strip_prefix("committed rep ")?;
    let (n, t) = rest.split_once(" at ")?;
    Some((n.parse().ok()?, t.parse().ok()?))
}
