//! History in SQLite: sessions, sets, reps, raw samples, heart rate, slouch
//! episodes, posture hours and how sets felt (feedback). The only module with SQL.
//!
//! One thread owns the connection; [`Store`] is a cheap handle that sends it jobs.
//! Writes return at once (the detectors must never wait on the disk): a rep is
//! committed in its own transaction as soon as the thread sees it, raw samples at
//! least every [`StoreOptions::sample_commit_every`]. If the disk is full or
//! read-only the writes stay queued (bounded; raw samples are dropped first),
//! the error is logged at most once a minute, and writing resumes when it can.
//! Reads answer through a oneshot channel and see every write sent before them.

mod bulk;
mod error;
mod feedback;
mod packing;
mod read;
mod schema;
mod types;
mod worker;
mod write;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::sync::mpsc;
use std::time::Duration;

use rusqlite::Connection;
use tokio::sync::oneshot;

pub use error::StoreError;
pub use feedback::{Feedback, MAX_SCORE};
pub use packing::{LAYOUT as SAMPLE_LAYOUT, PackError};
pub use schema::SCHEMA_VERSION;
pub use types::{
    EndReason, Export, HeartRatePoint, HeartRateSummary, Page, PostureHistory, PostureHour,
    Session, SessionDetail, SessionId, SessionSummary, SetDetail, SetId, SetInfo, SetSummary,
    Settlement, StoreHealth, StoredRep, StoredSlouch,
};

use crate::motion::{Rep, Sample, SlouchEpisode};
use worker::{Job, Shared, Worker};
use write::Write;

/// How the store thread batches and retries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreOptions {
    /// Raw samples are committed once the oldest queued ones are this old. Below a
    /// second, so a `kill -9` loses at most the last second of them.
    pub sample_commit_every: Duration,
    /// How long to wait before retrying after a write failed.
    pub retry_every: Duration,
    /// Most writes held while the database cannot be written; past it the oldest
    /// chunks of raw samples are dropped (reps never are).
    pub max_pending_writes: usize,
    /// Most raw samples held while the database cannot be written (they are the
    /// bulk of the memory: 56 bytes each); past it the oldest chunks are dropped.
    pub max_pending_samples: usize,
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self {
            sample_commit_every: Duration::from_millis(500),
            retry_every: Duration::from_secs(2),
            max_pending_writes: 100_000,
            // 40 minutes of one strap at 200 Hz, about 28 MB.
            max_pending_samples: 500_000,
        }
    }
}

/// A handle on the store thread; clone it freely. The thread stops, after
/// writing what it can, when the last handle is dropped.
#[derive(Debug, Clone)]
pub struct Store {
    jobs: mpsc::Sender<Job>,
    shared: Arc<Shared>,
}

impl Store {
    /// Opens or creates the database at `path`, migrates it, marks the sets a
    /// previous run left open as interrupted, and starts the store thread.
    /// Refuses a database from a newer postured ([`StoreError::TooNew`]).
    pub fn open(path: impl AsRef<Path>) -> Result<Store, StoreError> {
        Self::open_with(path, StoreOptions::default())
    }

    /// [`Store::open`] with other batching and retry settings.
    pub fn open_with(path: impl AsRef<Path>, opts: StoreOptions) -> Result<Store, StoreError> {
        let conn = schema::open(path.as_ref())?;
        Self::start(conn, opts)
    }

    /// A store in memory, gone when the last handle is dropped; for tests.
    pub fn open_in_memory() -> Result<Store, StoreError> {
        Self::open(":memory:")
    }

    fn start(conn: Connection, opts: StoreOptions) -> Result<Store, StoreError> {
        let (jobs, rx) = mpsc::channel();
        let shared = Arc::new(Shared::default());
        let worker = Worker::new(conn, Arc::clone(&shared), opts);
        std::thread::Builder::new()
            .name("store".into())
            .spawn(move || worker.run(&rx))
            .map_err(|source| StoreError::Thread { source })?;
        Ok(Store { jobs, shared })
    }

    fn send(&self, job: Job) {
        self.shared.queued.fetch_add(1, Ordering::Relaxed);
        if self.jobs.send(job).is_err() {
            self.shared.queued.fetch_sub(1, Ordering::Relaxed);
            *self.shared.last_error.lock().expect("not poisoned") =
                Some(StoreError::Closed.to_string());
        }
    }

    fn write(&self, w: Write) {
        self.send(Job::Write(w));
    }

    /// Starts a session at `started_at` (Unix s), following `routine` if any.
    pub fn start_session(&self, id: SessionId, started_at: f64, routine: Option<&str>) {
        self.write(Write::StartSession {
            id,
            started_at,
            routine: routine.map(str::to_owned),
        });
    }

    /// Ends a session.
    pub fn end_session(&self, id: SessionId, ended_at: f64) {
        self.write(Write::EndSession { id, ended_at });
    }

    /// Starts a set (its session must have been started).
    pub fn start_set(&self, info: SetInfo) {
        self.write(Write::StartSet(info));
    }

    /// Records a rep (`counted`) or an attempt; committed on its own at once.
    /// Recording rep `n` again replaces it.
    pub fn record_rep(&self, set: SetId, rep: &Rep, counted: bool) {
        self.write(Write::Rep {
            set,
            rep: rep.clone(),
            counted,
        });
    }

    /// Appends raw samples (wall-clock `t`) to a set; batched, committed within
    /// [`StoreOptions::sample_commit_every`].
    pub fn append_samples(&self, set: SetId, samples: &[Sample]) {
        if !samples.is_empty() {
            self.send(Job::Samples(set, samples.to_vec()));
        }
    }

    /// Records a heart-rate reading during a set.
    pub fn append_heart_rate(&self, set: SetId, t: f64, bpm: u16) {
        self.write(Write::HeartRate { set, t, bpm });
    }

    /// Ends a set with the counter's settled count, the live count beside it and
    /// the live reps (by number) that settling withdrew.
    pub fn end_set(&self, set: SetId, ended_at: f64, reason: EndReason, count: Settlement) {
        self.write(Write::EndSet {
            set,
            ended_at,
            reason,
            counted_reps: count.reps,
            live_reps: count.live_reps,
            withdrawn: count.withdrawn,
        });
    }

    /// Keeps the user's count of a set beside the automatic one (`None` clears it).
    pub fn correct_set(&self, set: SetId, reps: Option<u32>) {
        self.write(Write::CorrectSet { set, reps });
    }

    /// Records a finished slouch episode seen by `strap`.
    pub fn record_slouch(&self, strap: &str, episode: &SlouchEpisode) {
        self.write(Write::Slouch {
            strap: strap.to_owned(),
            episode: *episode,
        });
    }

    /// Adds posture time to the hour that `hour_start` (Unix s) falls in.
    pub fn add_posture_time(&self, hour_start: i64, upright_s: f64, slouched_s: f64) {
        self.write(Write::PostureTime {
            hour_start: hour_start - hour_start.rem_euclid(3600),
            upright_s,
            slouched_s,
        });
    }

    /// Resolves once every write sent before it is committed (which waits, while
    /// the disk is failing, for it to recover).
    pub async fn flush(&self) -> Result<(), StoreError> {
        let (tx, rx) = oneshot::channel();
        self.jobs
            .send(Job::Flush(tx))
            .map_err(|_| StoreError::Closed)?;
        rx.await.map_err(|_| StoreError::Closed)
    }

    /// How writing is going; answered without asking the store thread.
    pub fn health(&self) -> StoreHealth {
        self.shared.health()
    }

    /// Runs `f` on the store thread and returns its answer.
    async fn call<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let (tx, rx) = oneshot::channel();
        let call = Box::new(move |conn: &mut Connection| {
            let _ = tx.send(f(conn));
        });
        self.jobs
            .send(Job::Call(call))
            .map_err(|_| StoreError::Closed)?;
        rx.await.map_err(|_| StoreError::Closed)?
    }

    /// Sessions that started in `[from, to)` (Unix s; `None` is open), newest
    /// first, `limit` of them after skipping `offset`, with the total.
    pub async fn sessions(
        &self,
        from: Option<f64>,
        to: Option<f64>,
        limit: u32,
        offset: u64,
    ) -> Result<Page<SessionSummary>, StoreError> {
        self.call(move |c| Ok(read::sessions(c, (from, to), limit, offset)?))
            .await
    }

    /// One session with its sets, their reps and heart rate.
    pub async fn session(&self, id: SessionId) -> Result<Option<SessionDetail>, StoreError> {
        self.call(move |c| Ok(read::session(c, id)?)).await
    }

    /// One set without its reps, whichever session it belongs to.
    pub async fn set(&self, id: SetId) -> Result<Option<SetSummary>, StoreError> {
        self.call(move |c| Ok(read::set(c, id)?)).await
    }

    /// The heart-rate readings of a session's sets, by set, oldest first.
    pub async fn session_heart_rate(
        &self,
        id: SessionId,
    ) -> Result<Vec<HeartRatePoint>, StoreError> {
        self.call(move |c| Ok(read::session_heart_rate(c, id)?))
            .await
    }

    /// A set's raw samples, for recounting.
    pub async fn set_samples(&self, set: SetId) -> Result<Vec<Sample>, StoreError> {
        self.call(move |c| read::set_samples(c, set)).await
    }

    /// Slouch episodes and posture hours starting in `[from, to)`.
    pub async fn posture(
        &self,
        from: Option<f64>,
        to: Option<f64>,
    ) -> Result<PostureHistory, StoreError> {
        self.call(move |c| Ok(read::posture(c, (from, to))?)).await
    }

    /// Sessions starting in `[from, to)`, oldest first, with their sets and
    /// reps (no heart rate): for totals, advice and reports.
    pub async fn sessions_detail(
        &self,
        from: Option<f64>,
        to: Option<f64>,
    ) -> Result<Vec<SessionDetail>, StoreError> {
        self.call(move |c| Ok(bulk::sessions(c, (from, to), false)?))
            .await
    }

    /// Everything starting in `[from, to)` except raw samples, for export.
    pub async fn export(&self, from: Option<f64>, to: Option<f64>) -> Result<Export, StoreError> {
        self.call(move |c| Ok(read::export(c, (from, to))?)).await
    }

    /// Caps the database at about `max_bytes` (never below its present size), or
    /// lifts the cap with `None`. Past the cap writes fail as on a full disk.
    pub async fn set_size_limit(&self, max_bytes: Option<u64>) -> Result<(), StoreError> {
        self.call(move |c| {
            let page: i64 = c.query_row("PRAGMA page_size", [], |r| r.get(0))?;
            let pages = max_bytes.map_or(i64::from(u32::MAX - 1), |b| {
                (i64::try_from(b).unwrap_or(i64::MAX) / page).max(1)
            });
            let _now: i64 = c.query_row(&format!("PRAGMA max_page_count = {pages}"), [], |r| {
                r.get(0)
            })?;
            Ok(())
        })
        .await
    }
}
