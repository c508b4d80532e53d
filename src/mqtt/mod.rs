//! MQTT: the daemon's state and events on a broker, Home Assistant's discovery,
//! and commands from it. Off unless `[mqtt]` is configured.
//!
//! Two tasks, started by [`crate::daemon::start`]: the connection
//! (`connection.rs`: one fresh rumqttc event loop per connection, reconnecting
//! with backoff) and the publisher (`publisher.rs`: the daemon's live events,
//! its state once a second, discovery, commands). Neither can hold up the
//! daemon: live events come from the broadcast channel the API's event stream
//! reads, states are read from the live state, and while the broker is away
//! events are dropped and counted (`/metrics`) rather than queued and replayed
//! as if live; on reconnect the state topics get the latest. The pure parts:
//! `topics.rs`, `payloads.rs`, `discovery.rs`, `commands.rs`, `today.rs`.

mod commands;
mod connection;
mod discovery;
mod payloads;
mod publisher;
mod today;
mod topics;

use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

pub use commands::{Command, parse as parse_command};
pub use discovery::{Inventory, configs as discovery_configs};
pub use topics::{Topics, slug};

use crate::config::MqttConfig;
use crate::daemon::Daemon;

/// What the MQTT link is doing, for `/metrics` and `/api/health`.
#[derive(Debug, Default)]
pub struct MqttStatus {
    enabled: AtomicBool,
    connected: AtomicBool,
    connections: AtomicU64,
    events_dropped: AtomicU64,
    commands: AtomicU64,
    commands_refused: AtomicU64,
    last_error: Mutex<Option<String>>,
    finished: CancellationToken,
}

impl MqttStatus {
    /// Whether connected to the broker now.
    pub fn connected(&self) -> bool {
        self.connected.load(Ordering::Relaxed)
    }

    /// Events not sent because the broker was away (or the link was full).
    pub fn events_dropped(&self) -> u64 {
        self.events_dropped.load(Ordering::Relaxed)
    }

    /// Commands refused (bad payload, or the daemon said no).
    pub fn commands_refused(&self) -> u64 {
        self.commands_refused.load(Ordering::Relaxed)
    }

    /// Why the last connection failed or dropped, until the next one is made.
    pub fn last_error(&self) -> Option<String> {
        self.last_error.lock().ok().and_then(|e| e.clone())
    }

    fn set_connected(&self, error: Option<String>) {
        let up = error.is_none();
        self.connected.store(up, Ordering::Relaxed);
        if up {
            self.connections.fetch_add(1, Ordering::Relaxed);
        }
        if let Ok(mut e) = self.last_error.lock() {
            *e = error;
        }
    }

    fn dropped(&self, n: u64) {
        self.events_dropped.fetch_add(n, Ordering::Relaxed);
    }

    fn command(&self, refused: bool) {
        self.commands.fetch_add(1, Ordering::Relaxed);
        if refused {
            self.commands_refused.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Resolves once the link has said `offline` and closed at shutdown (at
    /// once when MQTT is off).
    pub async fn finished(&self) {
        if self.enabled.load(Ordering::Relaxed) {
            self.finished.cancelled().await;
        }
    }

    /// The `/api/health` field: `null` when MQTT is off.
    pub fn health(&self) -> Value {
        if !self.enabled.load(Ordering::Relaxed) {
            return Value::Null;
        }
        json!({"connected": self.connected(), "error": self.last_error()})
    }

    /// Prometheus lines; none when MQTT is off.
    pub fn metrics(&self) -> String {
        let mut m = String::new();
        if !self.enabled.load(Ordering::Relaxed) {
            return m;
        }
        let load = |a: &AtomicU64| a.load(Ordering::Relaxed);
        for (name, kind, help, value) in [
            (
                "postured_mqtt_connected",
                "gauge",
                "Whether connected to the MQTT broker.",
                u64::from(self.connected()),
            ),
            (
                "postured_mqtt_connections_total",
                "counter",
                "Connections made to the MQTT broker.",
                load(&self.connections),
            ),
            (
                "postured_mqtt_events_dropped_total",
                "counter",
                "Events not published because the broker was away.",
                load(&self.events_dropped),
            ),
            (
                "postured_mqtt_commands_total",
                "counter",
                "Commands received over MQTT.",
                load(&self.commands),
            ),
            (
                "postured_mqtt_commands_refused_total",
                "counter",
                "Commands over MQTT refused (bad payload or refused by the daemon).",
                load(&self.commands_refused),
            ),
        ] {
            let _ = write!(
                m,
                "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}\n"
            );
        }
        m
    }
}

/// Starts publishing `daemon` to the broker `config` names, until `cancel`.
pub fn spawn(daemon: Daemon, config: &MqttConfig, cancel: &CancellationToken) {
    let status = daemon.mqtt.clone();
    status.enabled.store(true, Ordering::Relaxed);
    let topics = Topics::new(&config.base_topic(), &config.discovery_prefix);
    let options = match connection::options(config, &topics) {
        Ok(o) => o,
        Err(e) => {
            tracing::error!("MQTT is off: {e}");
            status.set_connected(Some(e));
            status.finished.cancel();
            return;
        }
    };
    tracing::info!(url = %config.url, base_topic = %topics.base, "publishing to MQTT");
    let (link_tx, link_rx) = tokio::sync::mpsc::channel(256);
    let conn = connection::Connection {
        options,
        url: config.url.clone(),
        status: status.clone(),
        to_publisher: link_tx,
    };
    let publisher = publisher::Publisher::new(daemon, topics, config.retain);
    let stop = cancel.clone();
    tokio::spawn(async move {
        let draining = tokio::spawn(conn.run(stop.clone()));
        publisher.run(link_rx, stop).await;
        let _ = draining.await;
        status.finished.cancel();
    });
}
