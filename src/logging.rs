//! Log output on stderr: plain for a terminal, journald-friendly under systemd.
//!
//! systemd sets `JOURNAL_STREAM` to the device and inode of the stream it
//! connected to stderr. When stderr is that stream, journald stamps the time
//! itself, so lines go without timestamps and colours, and start with a
//! syslog priority (`<3>` error ... `<7>` debug) that journald reads, so
//! `journalctl -p warning` works. Colours are used only on a terminal.

use std::io::IsTerminal;
use std::os::fd::AsFd;
use std::os::unix::fs::MetadataExt;

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
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match stderr_kind() {
        Stderr::Journal => builder
            .with_ansi(false)
            .event_format(Journald(format().without_time().with_ansi(false)))
            .init(),
        Stderr::Terminal => builder.init(),
        Stderr::Other => builder.with_ansi(false).init(),
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

    #[test]
    fn priorities_follow_syslog() {
        assert_eq!(priority(Level::ERROR), 3);
        assert_eq!(priority(Level::WARN), 4);
        assert_eq!(priority(Level::INFO), 6);
        assert_eq!(priority(Level::TRACE), 7);
    }
}
