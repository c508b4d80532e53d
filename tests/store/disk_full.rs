//! A full disk (`PRAGMA max_page_count` through [`Store::set_size_limit`]): writes
//! do not block the caller, stay queued, and are all written once there is room.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use postured::store::{SessionId, SetId, Store, StoreOptions};
use tokio::time::timeout;

use crate::{TempDir, rep, samples, set_info};

fn quick_retry(max_pending_writes: usize) -> StoreOptions {
    StoreOptions {
        retry_every: Duration::from_millis(100),
        max_pending_writes,
        ..StoreOptions::default()
    }
}

/// A store with a started set, capped at its present size.
async fn full_store(dir: &TempDir, max_pending_writes: usize) -> Store {
    let store = Store::open_with(dir.db(), quick_retry(max_pending_writes)).unwrap();
    store.start_session(SessionId(1), 1000.0, None);
    store.start_set(set_info(1, 1, 1000.0));
    store.flush().await.unwrap();
    store.set_size_limit(Some(0)).await.unwrap();
    store
}

#[tokio::test]
async fn a_full_disk_queues_writes_without_blocking_and_writes_them_when_there_is_room() {
    let dir = TempDir::new("full");
    let store = full_store(&dir, 100_000).await;
    let started = Instant::now();
    for n in 1..=100 {
        let t = 1000.0 + f64::from(n);
        store.append_samples(SetId(1), &samples(t, 200));
        store.record_rep(SetId(1), &rep(n, t), true);
    }
    let took = started.elapsed();
    assert!(took < Duration::from_secs(1), "the caller waited {took:?}");

    assert!(
        timeout(Duration::from_millis(400), store.flush())
            .await
            .is_err()
    );
    let health = store.health();
    assert!(health.pending_writes > 0, "{health:?}");
    let error = health.last_error.unwrap_or_default();
    assert!(error.contains("full"), "{error}");
    // Reads still answer, from what was committed.
    let session = store.session(SessionId(1)).await.unwrap().unwrap();
    assert!(session.sets[0].reps.len() < 100);

    store.set_size_limit(None).await.unwrap();
    timeout(Duration::from_secs(5), store.flush())
        .await
        .expect("written once there is room")
        .unwrap();
    let health = store.health();
    assert_eq!((health.pending_writes, health.last_error), (0, None));
    let session = store.session(SessionId(1)).await.unwrap().unwrap();
    assert_eq!(session.sets[0].reps.len(), 100);
    assert_eq!(store.set_samples(SetId(1)).await.unwrap().len(), 100 * 200);
}

#[tokio::test]
async fn a_long_outage_drops_the_oldest_samples_first_and_never_a_rep() {
    let dir = TempDir::new("overflow");
    let store = full_store(&dir, 50).await;
    for n in 1..=20 {
        let t = 1000.0 + f64::from(n);
        store.record_rep(SetId(1), &rep(n, t), true);
        for k in 0..5 {
            store.append_samples(SetId(1), &samples(t + f64::from(k) * 0.2, 40));
        }
    }
    // Let the thread take everything in before looking.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let health = store.health();
    assert!(health.pending_writes <= 50, "{health:?}");
    assert!(health.dropped_sample_chunks >= 50, "{health:?}");

    store.set_size_limit(None).await.unwrap();
    timeout(Duration::from_secs(5), store.flush())
        .await
        .unwrap()
        .unwrap();
    let session = store.session(SessionId(1)).await.unwrap().unwrap();
    assert_eq!(session.sets[0].reps.len(), 20);
    let kept = store.set_samples(SetId(1)).await.unwrap();
    let dropped = store.health().dropped_sample_chunks as usize;
    assert_eq!(kept.len(), (100 - dropped) * 40);
    // The newest samples are the ones kept.
    assert!((kept.last().unwrap().t - (1020.8 + 39.0 * 0.005)).abs() < 1e-6);
}

/// Log output, kept for a test to read.
#[derive(Debug, Clone, Default)]
struct Log(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Log {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn a_failing_disk_is_logged_once_not_at_every_retry() {
    let log = Log::default();
    let writer = log.clone();
    tracing_subscriber::fmt()
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .init();
    let dir = TempDir::new("logged");
    let store = full_store(&dir, 100_000).await;
    for n in 1..=50 {
        store.append_samples(SetId(1), &samples(1000.0 + f64::from(n), 200));
        store.record_rep(SetId(1), &rep(n, 1000.0 + f64::from(n)), true);
    }
    // About ten retries at 100 ms.
    tokio::time::sleep(Duration::from_millis(1000)).await;
    store.set_size_limit(None).await.unwrap();
    store.flush().await.unwrap();

    let text = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
    let ours = |what: &str| {
        text.lines()
            .filter(|l| l.contains(what) && l.contains(&*dir.path().to_string_lossy()))
            .count()
    };
    assert_eq!(ours("cannot write to the database"), 1, "{text}");
    assert!(text.contains("store writes resumed"), "{text}");
}
