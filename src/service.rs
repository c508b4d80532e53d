//! `postured run` and its life under systemd (`Type=notify`): readiness,
//! reloading on SIGHUP, the watchdog and stopping, told to the service manager
//! through `NOTIFY_SOCKET`. Without systemd (no `NOTIFY_SOCKET`) the
//! notifications do nothing; SIGHUP still reloads.

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::Context;
use sd_notify::NotifyState;
use tokio::signal::unix::{Signal, SignalKind};
use tokio_util::sync::CancellationToken;

use postured::config::Config;
use postured::daemon::{ConfigFile, Daemon, start};

/// `postured run`: the daemon until SIGTERM or Ctrl-C; SIGHUP reloads `file`.
pub async fn run(
    config: Config,
    file: ConfigFile,
    listen: Option<SocketAddr>,
) -> anyhow::Result<()> {
    let cancel = CancellationToken::new();
    // Signal handlers first: from the moment the daemon says it listens, a
    // SIGTERM stops it cleanly and a SIGHUP reloads rather than kills it.
    let stop = stop_signals().context("listening for SIGTERM")?;
    let hangups = hangups().context("listening for SIGHUP")?;
    let listen = listen.unwrap_or(config.http.listen);
    let daemon = start(config, &cancel).await?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("binding {listen}"))?;
    let addr = listener.local_addr()?;
    tracing::info!("listening on http://{addr}/");
    tokio::spawn(reload_on_hangup(
        daemon.clone(),
        file,
        hangups,
        cancel.clone(),
    ));
    spawn_watchdog(cancel.clone());
    ready(&format!("running; API on http://{addr}/"));
    let signals = cancel.clone();
    tokio::spawn(async move {
        stop.await;
        tracing::info!("stopping");
        stopping();
        signals.cancel();
    });
    if std::env::var_os(crate::demo::EXIT_WITH_PARENT).is_some() {
        // Run by `postured demo`: stop when it closes our stdin (or dies).
        let parent = cancel.clone();
        tokio::spawn(async move {
            let mut sink = tokio::io::sink();
            let _ = tokio::io::copy(&mut tokio::io::stdin(), &mut sink).await;
            parent.cancel();
        });
    }
    postured::http::serve(daemon, listener, cancel)
        .await
        .context("HTTP server")
}

/// Resolves on SIGTERM or Ctrl-C.
pub async fn wait_for_signal() {
    match stop_signals() {
        Ok(stop) => stop.await,
        Err(_) => tokio::signal::ctrl_c().await.unwrap_or(()),
    }
}

fn notify(states: &[NotifyState]) {
    if let Err(e) = sd_notify::notify(states) {
        tracing::debug!("cannot notify the service manager: {e}");
    }
}

/// Tells systemd the daemon is ready, with a status line.
pub fn ready(status: &str) {
    notify(&[NotifyState::Ready, NotifyState::Status(status)]);
}

/// Tells systemd the daemon is stopping.
pub fn stopping() {
    notify(&[NotifyState::Stopping]);
}

/// Listens for SIGTERM and SIGINT now; the future resolves at the first one.
pub fn stop_signals() -> std::io::Result<impl Future<Output = ()>> {
    let mut term = tokio::signal::unix::signal(SignalKind::terminate())?;
    let mut int = tokio::signal::unix::signal(SignalKind::interrupt())?;
    Ok(async move {
        tokio::select! {
            _ = term.recv() => {}
            _ = int.recv() => {}
        }
    })
}

/// Listens for SIGHUP; done before the daemon reports ready, so that a reload
/// asked for at once does not meet SIGHUP's default action (exit).
pub fn hangups() -> std::io::Result<Signal> {
    tokio::signal::unix::signal(SignalKind::hangup())
}

/// Reloads the configuration at each SIGHUP until `cancel`.
pub async fn reload_on_hangup(
    daemon: Daemon,
    file: ConfigFile,
    mut hangups: Signal,
    cancel: CancellationToken,
) {
    loop {
        tokio::select! {
            () = cancel.cancelled() => return,
            s = hangups.recv() => if s.is_none() { return },
        }
        // systemd wants the monotonic time with RELOADING=1 (sd_notify(3)).
        match NotifyState::monotonic_usec_now() {
            Ok(now) => notify(&[NotifyState::Reloading, now]),
            Err(_) => notify(&[NotifyState::Reloading]),
        }
        reload(&daemon, &file).await;
        ready("running; configuration reloaded");
    }
}

/// Reads the file again and applies what can be; a file that does not parse or
/// check is refused and the configuration in force stays.
async fn reload(daemon: &Daemon, file: &ConfigFile) {
    let path = file.path.display();
    tracing::info!(config = %path, "reloading the configuration (SIGHUP)");
    let refused = |e: &dyn std::fmt::Display| {
        tracing::error!("configuration not reloaded, the one in force stays: {e}");
    };
    let new = match file.load() {
        Ok(c) => c,
        Err(e) => return refused(&e),
    };
    let r = match daemon.reload(new).await {
        Ok(r) => r,
        Err(e) => return refused(&format_args!("{path}: {e}")),
    };
    if !r.applied.is_empty() {
        tracing::info!(config = %path, "configuration reloaded: {} applied", r.applied.join(", "));
    }
    if !r.need_restart.is_empty() {
        tracing::warn!(
            config = %path,
            "changes to {} take effect at the next restart (systemctl restart postured)",
            r.need_restart.join(", ")
        );
    }
    if r.applied.is_empty() && r.need_restart.is_empty() {
        tracing::info!(config = %path, "configuration unchanged");
    }
}

/// When systemd watches the daemon (`WatchdogSec=`, so `WATCHDOG_USEC` is set
/// for this process), pings it at half the period from a task on the runtime:
/// a stuck runtime (every worker blocked, timers not firing) misses the pings
/// and systemd restarts the daemon.
pub fn spawn_watchdog(cancel: CancellationToken) {
    let Some(period) = sd_notify::watchdog_enabled() else {
        return;
    };
    let every = (period / 2).max(Duration::from_millis(10));
    tracing::debug!(?every, "pinging the systemd watchdog");
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                () = cancel.cancelled() => return,
                _ = tick.tick() => notify(&[NotifyState::Watchdog]),
            }
        }
    });
}
