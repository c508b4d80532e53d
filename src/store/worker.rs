//! The thread that owns the connection: it queues writes, commits them (each rep at
//! once, raw samples batched), answers reads, and rides out a full or read-only
//! disk by keeping the writes and retrying.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rusqlite::{Connection, ErrorCode};
use tokio::sync::oneshot;

use super::StoreOptions;
use super::types::{SetId, StoreHealth};
use super::write::{self, Write};
use crate::motion::Sample;

/// A read (or other call) run on the store thread.
pub(super) type Call = Box<dyn FnOnce(&mut Connection) + Send>;

/// What the handles send to the thread.
pub(super) enum Job {
    Write(Write),
    Samples(SetId, Vec<Sample>),
    Call(Call),
    Flush(oneshot::Sender<()>),
}

/// Counters the handles read without asking the thread.
#[derive(Debug, Default)]
pub(super) struct Shared {
    /// Writes sent and not yet committed or dropped.
    pub queued: AtomicU64,
    pub dropped: AtomicU64,
    pub rejected: AtomicU64,
    pub last_error: Mutex<Option<String>>,
}

impl Shared {
    pub fn health(&self) -> StoreHealth {
        StoreHealth {
            pending_writes: self.queued.load(Ordering::Relaxed),
            dropped_sample_chunks: self.dropped.load(Ordering::Relaxed),
            rejected_writes: self.rejected.load(Ordering::Relaxed),
            last_error: self.last_error.lock().expect("not poisoned").clone(),
        }
    }

    fn set_error(&self, e: Option<String>) {
        *self.last_error.lock().expect("not poisoned") = e;
    }
}

/// The store thread's state.
pub(super) struct Worker {
    conn: Connection,
    shared: Arc<Shared>,
    opts: StoreOptions,
    /// Writes in the order they came; samples wait apart so they can be batched
    /// and, if the queue overflows, dropped first.
    writes: VecDeque<Write>,
    samples: VecDeque<(SetId, Vec<Sample>)>,
    /// Samples in `samples`.
    sample_count: usize,
    /// When the oldest queued samples arrived.
    samples_since: Option<Instant>,
    /// A rep or other write, or a flush, wants a commit now.
    urgent: bool,
    flushes: Vec<oneshot::Sender<()>>,
    /// While writes fail: when to try again.
    retry_at: Option<Instant>,
    last_logged: Option<Instant>,
}

/// How often a failing write is logged at most.
const LOG_EVERY: Duration = Duration::from_secs(60);

impl Worker {
    pub fn new(conn: Connection, shared: Arc<Shared>, opts: StoreOptions) -> Self {
        Self {
            conn,
            shared,
            opts,
            writes: VecDeque::new(),
            samples: VecDeque::new(),
            sample_count: 0,
            samples_since: None,
            urgent: false,
            flushes: Vec::new(),
            retry_at: None,
            last_logged: None,
        }
    }

    /// Runs until every handle is gone, then writes what it can and returns.
    pub fn run(mut self, rx: &Receiver<Job>) {
        loop {
            let job = match self.deadline() {
                None => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
                Some(at) => rx.recv_timeout(at.saturating_duration_since(Instant::now())),
            };
            match job {
                Ok(job) => self.take(job),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => break,
            }
            if self.due() {
                self.commit();
            }
        }
        if self.pending() > 0 {
            self.commit();
        }
        if self.pending() > 0 {
            tracing::error!(
                lost = self.pending(),
                "store closed with writes it could not make"
            );
        }
    }

    fn pending(&self) -> usize {
        self.writes.len() + self.samples.len()
    }

    /// When the loop must wake up without a message.
    fn deadline(&self) -> Option<Instant> {
        if self.pending() == 0 {
            return None;
        }
        if let Some(at) = self.retry_at {
            return Some(at);
        }
        if self.urgent {
            return Some(Instant::now());
        }
        self.samples_since
            .map(|t| t + self.opts.sample_commit_every)
    }

    /// Whether to commit now.
    fn due(&self) -> bool {
        let now = Instant::now();
        self.pending() > 0
            && self.retry_at.is_none_or(|at| now >= at)
            && (self.urgent
                || self
                    .samples_since
                    .is_some_and(|t| now >= t + self.opts.sample_commit_every))
    }

    fn take(&mut self, job: Job) {
        match job {
            Job::Write(w) => {
                self.writes.push_back(w);
                self.urgent = true;
                self.shed();
            }
            Job::Samples(set, samples) => {
                self.sample_count += samples.len();
                self.samples.push_back((set, samples));
                self.samples_since.get_or_insert_with(Instant::now);
                self.shed();
            }
            Job::Call(call) => {
                // Reads see every write sent before them, unless the disk is failing.
                if self.pending() > 0 && self.retry_at.is_none() {
                    self.commit();
                }
                call(&mut self.conn);
            }
            Job::Flush(done) => {
                if self.pending() == 0 {
                    let _ = done.send(());
                } else {
                    self.flushes.push(done);
                    self.urgent = true;
                }
            }
        }
    }

    /// Keeps the queue bounded while the database cannot be written: raw samples go
    /// first, oldest first; reps and the rest are small and never dropped.
    fn shed(&mut self) {
        let over = |w: &Self| {
            w.pending() > w.opts.max_pending_writes || w.sample_count > w.opts.max_pending_samples
        };
        while over(self) {
            let Some((_, dropped)) = self.samples.pop_front() else {
                break;
            };
            self.sample_count -= dropped.len();
            self.shared.dropped.fetch_add(1, Ordering::Relaxed);
            self.shared.queued.fetch_sub(1, Ordering::Relaxed);
        }
        if self.samples.is_empty() {
            self.samples_since = None;
        }
        if self.pending() == 0 {
            // Only with a limit of zero; a flush must not wait for nothing.
            self.resolve_flushes();
        }
    }

    fn resolve_flushes(&mut self) {
        for done in self.flushes.drain(..) {
            let _ = done.send(());
        }
    }

    /// Commits everything queued in one transaction, or keeps it all for a retry.
    fn commit(&mut self) {
        match self.write_all() {
            Ok(()) => self.committed(),
            Err(e) => self.failed(&e),
        }
    }

    fn write_all(&mut self) -> rusqlite::Result<()> {
        let mut tx = self.conn.transaction()?;
        for w in &self.writes {
            guarded(&mut tx, &self.shared, |c| write::apply(c, w))?;
        }
        for (set, samples) in merge(&self.samples) {
            guarded(&mut tx, &self.shared, |c| {
                write::append_samples(c, set, &samples)
            })?;
        }
        tx.commit()
    }

    fn committed(&mut self) {
        let n = self.pending() as u64;
        self.shared.queued.fetch_sub(n, Ordering::Relaxed);
        self.writes.clear();
        self.samples.clear();
        self.sample_count = 0;
        self.samples_since = None;
        self.urgent = false;
        if self.retry_at.take().is_some() {
            tracing::info!(written = n, "store writes resumed");
            self.shared.set_error(None);
            self.last_logged = None;
        }
        self.resolve_flushes();
    }

    fn failed(&mut self, e: &rusqlite::Error) {
        let now = Instant::now();
        self.retry_at = Some(now + self.opts.retry_every);
        self.shared.set_error(Some(e.to_string()));
        if self.last_logged.is_none_or(|t| now >= t + LOG_EVERY) {
            self.last_logged = Some(now);
            tracing::error!(
                error = %e,
                db = self.conn.path().unwrap_or(":memory:"),
                pending = self.pending(),
                "cannot write to the database; keeping writes queued and retrying"
            );
        }
    }
}

/// Runs one write in a savepoint. A write SQLite refuses for good (a rep for an
/// unknown set) is logged, counted and skipped so it cannot block the queue; an
/// error of the disk (full, read-only, I/O) aborts the batch for a retry.
fn guarded(
    tx: &mut rusqlite::Transaction<'_>,
    shared: &Shared,
    f: impl FnOnce(&Connection) -> rusqlite::Result<()>,
) -> rusqlite::Result<()> {
    let sp = tx.savepoint()?;
    match f(&sp) {
        Ok(()) => sp.commit(),
        Err(e) if transient(&e) => Err(e),
        Err(e) => {
            shared.rejected.fetch_add(1, Ordering::Relaxed);
            tracing::warn!(error = %e, "the database refused a write; skipping it");
            Ok(())
        }
    }
}

/// Errors that may go away: the disk, not the data.
fn transient(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(
            ErrorCode::DiskFull
                | ErrorCode::ReadOnly
                | ErrorCode::SystemIoFailure
                | ErrorCode::DatabaseBusy
                | ErrorCode::DatabaseLocked
                | ErrorCode::CannotOpen
                | ErrorCode::OutOfMemory
                | ErrorCode::PermissionDenied
                | ErrorCode::FileLockingProtocolFailed
        )
    )
}

/// Queued samples gathered per set (in arrival order), so a second of them becomes
/// a chunk rather than a row a notification.
fn merge(queued: &VecDeque<(SetId, Vec<Sample>)>) -> Vec<(SetId, Vec<Sample>)> {
    let mut out: Vec<(SetId, Vec<Sample>)> = Vec::new();
    for (set, samples) in queued {
        match out.iter_mut().find(|(s, _)| s == set) {
            Some((_, all)) => all.extend_from_slice(samples),
            None => out.push((*set, samples.clone())),
        }
    }
    out
}
