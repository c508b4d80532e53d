//! Log output on stderr: plain for a terminal, journald-friendly under systemd.
//!
//! systemd sets `JOURNAL_STREAM` to the device and inode of the stream it
//! connected to stderr. When stderr is that stream, journald stamps the time
//! itself, so lines go without timestamps and colours, and start with a
//! syslog priority (`<3>` error ... `<7>` debug) that journald reads, so
//! `journalctl -p warning` works. Colours are used only on a terminal.
//!
//! Logging never blocks or stops the daemon: lines go through a bounded queue
//! to one writer thread ([`StderrQueue`]). When the reader is slow the queue
//! fills and lines are dropped, not waited for; when stderr is closed (`postured
//! run 2>&1 | head`, a journal stream that went away) the writer stops writing
//! and lines are dropped. The daemon's own threads only ever `try_send`.
//! Lines still queued when the process exits are lost (at most `QUEUE_LINES`).

use std::io::{IsTerminal, Write};
use std::os::fd::AsFd;
use std::os::unix::fs::MetadataExt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, OnceLock};

use tracing::{Level, Subscriber};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields, format};
use tracing_subscriber::registry::LookupSpan;

/// Where stderr goes, as far as log format goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stderr {
    /// The journal (`JOURNAL_STREAM` names stderr).
    Journal,
    /// A terminal.
    Terminal,
    /// A file or pipe.
    Other,
}

/// Finds out where stderr goes.
pub fn stderr_kind() -> Stderr {
    if let Some(stream) = std::env::var_os("JOURNAL_STREAM")
        && is_stderr(&stream.to_string_lossy())
    {
        return Stderr::Journal;
    }
    if std::io::stderr().is_terminal() {
        Stderr::Terminal
    } else {
        Stderr::Other
    }
}

/// Whether `JOURNAL_STREAM` (`DEVICE:INODE`) names our stderr; a child that
/// inherited the variable but writes elsewhere does not match.
fn is_stderr(journal_stream: &str) -> bool {
    let Some((dev, ino)) = journal_stream.split_once(':') else {
        return false;
    };
    let (Ok(dev), Ok(ino)) = (dev.parse::<u64>(), ino.parse::<u64>()) else {
        return false;
    };
    let Ok(fd) = std::io::stderr().as_fd().try_clone_to_owned() else {
        return false;
    };
    std::fs::File::from(fd)
        .metadata()
        .is_ok_and(|m| m.dev() == dev && m.ino() == ino)
}

/// Sets up tracing to stderr: `info` (or more with `verbose`), `RUST_LOG`
/// overriding.
pub fn init(verbose: u8) {
    let level = match verbose {
        0 => "info",
        1 => "debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    // tracing-subscriber reports a failed write with eprintln!, which panics
    // (in whatever task logged) when stderr is a closed pipe: that is how
    // `postured run 2>&1 | head` lost its SIGTERM handler. The queue never
    // fails a write, and internal error reports are off.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .log_internal_errors(false)
        .with_writer(StderrQueue::global());
    match stderr_kind() {
        Stderr::Journal => builder
            .with_ansi(false)
            .event_format(Journald(format().without_time().with_ansi(false)))
            .init(),
        Stderr::Terminal => builder.init(),
        Stderr::Other => builder.with_ansi(false).init(),
    }
}

/// Lines the queue holds before it drops new ones.
const QUEUE_LINES: usize = 4096;

/// A `MakeWriter` for tracing: each event's text is queued for a writer thread
/// that owns stderr; nothing the daemon does waits for stderr.
#[derive(Debug, Clone)]
pub struct StderrQueue {
    tx: SyncSender<Vec<u8>>,
    dropped: Arc<AtomicU64>,
}

impl StderrQueue {
    /// The process's queue (its writer thread starts on first use).
    pub fn global() -> Self {
        static QUEUE: OnceLock<StderrQueue> = OnceLock::new();
        QUEUE
            .get_or_init(|| Self::spawn(QUEUE_LINES, std::io::stderr()))
            .clone()
    }

    /// A queue of `lines` lines written to `out` by a thread of its own.
    pub fn spawn(lines: usize, out: impl Write + Send + 'static) -> Self {
        let (tx, rx) = sync_channel(lines);
        let dropped = Arc::new(AtomicU64::new(0));
        let d = dropped.clone();
        let spawned = std::thread::Builder::new()
            .name("log-writer".into())
            .spawn(move || write_lines(&rx, out, &d));
        if spawned.is_err() {
            // No thread, no logging: the receiver is gone and lines are dropped.
            dropped.fetch_add(1, Ordering::Relaxed);
        }
        Self { tx, dropped }
    }

    /// Lines dropped so far (queue full or stderr closed).
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    fn send(&self, line: Vec<u8>) {
        match self.tx.try_send(line) {
            Ok(()) => {}
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => {
                self.dropped.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

/// The writer thread: writes lines until stderr fails, then drains and drops.
fn write_lines(rx: &Receiver<Vec<u8>>, mut out: impl Write, dropped: &AtomicU64) {
    let mut open = true;
    for line in rx {
        if open && out.write_all(&line).and_then(|()| out.flush()).is_err() {
            // A closed pipe stays closed: stop trying, keep the daemon going.
            open = false;
        }
        if !open {
            dropped.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// One event's text, queued when tracing is done with it.
#[derive(Debug)]
pub struct QueuedLine {
    queue: StderrQueue,
    buf: Vec<u8>,
}

impl Write for QueuedLine {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(b);
        Ok(b.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for QueuedLine {
    fn drop(&mut self) {
        if !self.buf.is_empty() {
            self.queue.send(std::mem::take(&mut self.buf));
        }
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for StderrQueue {
    type Writer = QueuedLine;

    fn make_writer(&'a self) -> QueuedLine {
        QueuedLine {
            queue: self.clone(),
            buf: Vec::with_capacity(128),
        }
    }
}

/// The syslog priority journald reads from the start of a line.
fn priority(level: Level) -> u8 {
    match level {
        Level::ERROR => 3,
        Level::WARN => 4,
        Level::INFO => 6,
        Level::DEBUG | Level::TRACE => 7,
    }
}

/// Prefixes each event with its syslog priority, `<N>`.
struct Journald<F>(F);

impl<S, N, F> FormatEvent<S, N> for Journald<F>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
    F: FormatEvent<S, N>,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &tracing::Event<'_>,
    ) -> std::fmt::Result {
        write!(writer, "<{}>", priority(*event.metadata().level()))?;
        self.0.format_event(ctx, writer, event)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_journal_stream_that_is_not_our_stderr_is_ignored() {
        assert!(!is_stderr("garbage"));
        assert!(!is_stderr("1:x"));
        assert!(!is_stderr("0:0"));
    }

    /// A sink that fails like a closed pipe, or blocks forever.
    struct Sink {
        block: bool,
    }

    impl Write for Sink {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            if self.block {
                std::thread::park();
            }
            Err(std::io::ErrorKind::BrokenPipe.into())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn logging_to_a_closed_or_stuck_stderr_neither_fails_nor_waits() {
        for block in [false, true] {
            let q = StderrQueue::spawn(8, Sink { block });
            let started = std::time::Instant::now();
            for i in 0..1000 {
                let mut w = tracing_subscriber::fmt::MakeWriter::make_writer(&q);
                writeln!(w, "line {i}").unwrap();
            }
            // 1000 lines into a queue of 8 behind a dead writer: almost all dropped,
            // and the loop did not wait (generous bound: a second).
            assert!(q.dropped() >= 990, "{block}: {} dropped", q.dropped());
            assert!(started.elapsed() < std::time::Duration::from_secs(1));
        }
    }

    #[test]
    fn priorities_follow_syslog() {
        assert_eq!(priority(Level::ERROR), 3);
        assert_eq!(priority(Level::WARN), 4);
        assert_eq!(priority(Level::INFO), 6);
        assert_eq!(priority(Level::TRACE), 7);
    }
}
