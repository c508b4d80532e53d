//! The connection to the broker: options (credentials, TLS, the last will),
//! and a task that connects, hands each new client to the publisher, forwards
//! what the broker sends, and reconnects with backoff. Every connection gets a
//! fresh rumqttc event loop, so nothing queued for a dead connection is sent on
//! the next one as if it were live.

use std::sync::Arc;
use std::time::Duration;

use rumqttc::{
    AsyncClient, ConnectReturnCode, ConnectionError, Event, LastWill, MqttOptions, Outgoing,
    Packet, Publish, QoS, TlsConfiguration, Transport,
};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::MqttStatus;
use super::topics::Topics;
use crate::config::{BrokerUrl, MqttConfig};

/// Requests a client may queue before `try_publish` refuses (and an event is
/// dropped rather than waited for).
const REQUEST_CAPACITY: usize = 512;
/// First wait before reconnecting; doubles up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_secs(1);
/// Longest wait before reconnecting.
const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// How long, at shutdown, `offline` may take to go out.
const DRAIN: Duration = Duration::from_secs(2);

/// What the connection tells the publisher, in order.
#[derive(Debug)]
pub enum Link {
    /// Connected: publish through this client.
    Up(AsyncClient),
    /// The connection is gone; the client with it.
    Down,
    /// The broker sent this (a command, a retained discovery config).
    Message(Publish),
}

/// The options for `config`, with `offline` as the retained last will.
pub fn options(config: &MqttConfig, topics: &Topics) -> Result<MqttOptions, String> {
    let url = BrokerUrl::parse(&config.url)?;
    let id: String = format!("postured-{}", topics.node_id);
    let mut o = MqttOptions::new(id, url.host.clone(), url.port);
    o.set_keep_alive(Duration::from_secs(30));
    o.set_clean_session(true);
    o.set_max_packet_size(256 * 1024, 256 * 1024);
    o.set_last_will(LastWill::new(
        topics.availability(),
        "offline",
        QoS::AtLeastOnce,
        true,
    ));
    let password = config
        .password()
        .map_err(|e| format!("reading mqtt.password_file: {e}"))?;
    if let Some(user) = &config.username {
        o.set_credentials(user.clone(), password.unwrap_or_default());
    }
    if url.tls {
        o.set_transport(Transport::tls_with_config(tls(config)?));
    }
    Ok(o)
}

/// TLS with the system's roots, or only the CA file's when one is given.
fn tls(config: &MqttConfig) -> Result<TlsConfiguration, String> {
    let mut roots = rustls::RootCertStore::empty();
    if let Some(ca) = &config.ca_file {
        let file = std::fs::File::open(ca)
            .map_err(|e| format!("reading mqtt.ca_file {}: {e}", ca.display()))?;
        for cert in rustls_pemfile::certs(&mut std::io::BufReader::new(file)) {
            let cert = cert.map_err(|e| format!("mqtt.ca_file {}: {e}", ca.display()))?;
            roots
                .add(cert)
                .map_err(|e| format!("mqtt.ca_file {}: {e}", ca.display()))?;
        }
    } else {
        let found = rustls_native_certs::load_native_certs();
        roots.add_parsable_certificates(found.certs);
    }
    if roots.is_empty() {
        return Err("no CA certificates for mqtts:// (set mqtt.ca_file)".into());
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(TlsConfiguration::Rustls(Arc::new(config)))
}

/// Why a connection failed, for a person.
pub fn describe(e: &ConnectionError) -> String {
    match e {
        ConnectionError::ConnectionRefused(
            ConnectReturnCode::BadUserNamePassword | ConnectReturnCode::NotAuthorized,
        ) => "the broker refused the user name or password (check mqtt.username and mqtt.password or mqtt.password_file)".into(),
        ConnectionError::ConnectionRefused(code) => format!("the broker refused the connection ({code:?})"),
        ConnectionError::Io(e) => format!("cannot reach the broker: {e}"),
        ConnectionError::NetworkTimeout => "no answer from the broker in time".into(),
        ConnectionError::Tls(e) => format!("TLS: {e}"),
        e => e.to_string(),
    }
}

/// The connection task.
#[derive(Debug)]
pub struct Connection {
    /// Options for each connection.
    pub options: MqttOptions,
    /// The broker's URL, for the log.
    pub url: String,
    /// Shared with `/metrics`.
    pub status: Arc<MqttStatus>,
    /// To the publisher.
    pub to_publisher: mpsc::Sender<Link>,
}

impl Connection {
    /// Connects, reconnects, until `cancel`; then lets `offline` out.
    pub async fn run(self, cancel: CancellationToken) {
        let mut backoff = FIRST_BACKOFF;
        let mut last_logged: Option<String> = None;
        loop {
            let (client, mut events) = AsyncClient::new(self.options.clone(), REQUEST_CAPACITY);
            let first = tokio::select! {
                () = cancel.cancelled() => return,
                r = events.poll() => r,
            };
            let error = match first {
                Ok(Event::Incoming(Packet::ConnAck(_))) => {
                    tracing::info!(url = %self.url, "connected to the MQTT broker");
                    self.status.set_connected(None);
                    last_logged = None;
                    backoff = FIRST_BACKOFF;
                    let _ = self.to_publisher.send(Link::Up(client)).await;
                    let error = self.connected(&mut events, &cancel).await;
                    let _ = self.to_publisher.send(Link::Down).await;
                    match error {
                        Some(e) => e,
                        None => return,
                    }
                }
                Ok(other) => format!("unexpected first packet {other:?}"),
                Err(e) => describe(&e),
            };
            self.status.set_connected(Some(error.clone()));
            if last_logged.as_ref() != Some(&error) {
                tracing::error!(url = %self.url, "MQTT: {error}; retrying with backoff (up to {} s)", MAX_BACKOFF.as_secs());
                last_logged = Some(error);
            }
            drop(events);
            tokio::select! {
                () = cancel.cancelled() => return,
                () = tokio::time::sleep(backoff) => {}
            }
            backoff = (backoff * 2).min(MAX_BACKOFF);
        }
    }

    /// Polls a live connection; the reason it ended, or `None` at shutdown.
    async fn connected(
        &self,
        events: &mut rumqttc::EventLoop,
        cancel: &CancellationToken,
    ) -> Option<String> {
        loop {
            let event = tokio::select! {
                () = cancel.cancelled() => {
                    self.drain(events).await;
                    return None;
                }
                e = events.poll() => e,
            };
            match event {
                Ok(Event::Incoming(Packet::Publish(p))) => {
                    // Waited for, not dropped when the publisher is behind: a
                    // command must get its answer. Meanwhile the broker is
                    // not read (backpressure); the publisher never waits on
                    // this task, so this cannot deadlock. An error means the
                    // publisher has stopped (shutdown): `cancel` is next.
                    let _ = self.to_publisher.send(Link::Message(p)).await;
                }
                Ok(_) => {}
                Err(e) => {
                    let why = describe(&e);
                    tracing::warn!(url = %self.url, "MQTT connection lost: {why}");
                    return Some(why);
                }
            }
        }
    }

    /// At shutdown: sends what was queued (the publisher's `offline` and
    /// disconnect) for up to [`DRAIN`].
    async fn drain(&self, events: &mut rumqttc::EventLoop) {
        let _ = tokio::time::timeout(DRAIN, async {
            loop {
                match events.poll().await {
                    Ok(Event::Outgoing(Outgoing::Disconnect)) | Err(_) => return,
                    Ok(_) => {}
                }
            }
        })
        .await;
        self.status
            .connected
            .store(false, std::sync::atomic::Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn config(text: &str) -> MqttConfig {
        crate::config::Config::parse(text, Path::new("c.toml"))
            .unwrap()
            .mqtt
            .unwrap()
    }

    #[test]
    fn the_last_will_says_offline_retained() {
        let c = config("[mqtt]\nurl = \"mqtt://broker:1999\"\nbase_topic = \"p/desk\"\n");
        let o = options(&c, &Topics::new("p/desk", "homeassistant")).unwrap();
        assert_eq!(o.broker_address(), ("broker".to_owned(), 1999));
        assert_eq!(o.client_id(), "postured-p_desk");
        let will = o.last_will().unwrap();
        assert_eq!(
            (will.topic.as_str(), &will.message[..]),
            ("p/desk/availability", &b"offline"[..])
        );
        assert!(will.retain);
    }

    #[test]
    fn a_missing_password_file_or_ca_file_is_named() {
        let c = config(
            "[mqtt]\nurl = \"mqtt://h\"\nusername = \"u\"\npassword_file = \"/nonexistent/pw\"\n",
        );
        let err = options(&c, &Topics::new("p", "")).unwrap_err();
        assert!(err.contains("mqtt.password_file"), "{err}");
        let c = config("[mqtt]\nurl = \"mqtts://h\"\nca_file = \"/nonexistent/ca.pem\"\n");
        let err = options(&c, &Topics::new("p", "")).unwrap_err();
        assert!(err.contains("mqtt.ca_file"), "{err}");
    }

    #[test]
    fn a_refused_password_is_said_plainly() {
        for code in [
            ConnectReturnCode::BadUserNamePassword,
            ConnectReturnCode::NotAuthorized,
        ] {
            let e = describe(&ConnectionError::ConnectionRefused(code));
            assert!(e.contains("refused the user name or password"), "{e}");
        }
    }
}
