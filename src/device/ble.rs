//! The adapter through btleplug (BlueZ over D-Bus on Linux): opening it,
//! discovery, `postured scan`, and starting one task per strap ([`super::strap`]).
//!
//! One central events stream for the whole process, fanned out to strap tasks,
//! and one notification stream per peripheral kept across reconnects: every
//! stream dropped is a D-Bus match rule to remove, and bluez-async used to leak
//! it racily (vendor/bluez-async/PATCHED.md), so a daemon that reconnects for
//! weeks creates no streams per connection.
//!
//! Discovery is paused while any strap connects and resumed after: BlueZ itself
//! suspends scanning during an LE connection (bluez/bluez#569), some controllers
//! drop a link set up while scanning (stoprocent/noble#136: noble's HCI backend
//! stops scanning before connecting; hbldh/bleak#631: connecting after the scan
//! was stopped avoids most aborts).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use btleplug::api::{
    Central, CentralEvent, CentralState, Manager as _, Peripheral as _, ScanFilter,
};
use btleplug::platform::{Adapter, Manager, Peripheral};
use futures::StreamExt;
use serde::Serialize;
use tokio::sync::{Mutex, broadcast, mpsc};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::{Command, DeviceError, StrapEvent, StrapKind};
use crate::config::StrapConfig;
use crate::protocol::{hrs, open_imu, pmd};

/// Longest wait for a connection or a control point answer.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
pub(super) const ANSWER_TIMEOUT: Duration = Duration::from_secs(5);

/// Runs one BlueZ operation with a time limit: a strap that stops answering must
/// not hang its task.
pub(super) async fn timed<T>(
    what: &'static str,
    f: impl Future<Output = btleplug::Result<T>>,
) -> Result<T, DeviceError> {
    let limit = if what == "connect" {
        CONNECT_TIMEOUT
    } else {
        ANSWER_TIMEOUT
    };
    Ok(tokio::time::timeout(limit, f)
        .await
        .map_err(|_| DeviceError::Timeout {
            what,
            secs: limit.as_secs(),
        })??)
}

pub(super) fn uuid(s: &str) -> Uuid {
    Uuid::parse_str(s).unwrap_or_default()
}

/// The services postured looks for when scanning.
pub fn supported_services() -> Vec<Uuid> {
    vec![
        uuid(hrs::HEART_RATE_SERVICE),
        uuid(open_imu::SERVICE),
        uuid(pmd::SERVICE),
    ]
}

/// A strap seen while scanning.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FoundStrap {
    /// Advertised name.
    pub name: Option<String>,
    /// Bluetooth address.
    pub address: String,
    /// What kind of strap.
    pub kind: StrapKind,
    /// Signal strength (dBm).
    pub rssi: Option<i16>,
    /// Advertised service UUIDs.
    pub services: Vec<String>,
}

/// What kind of strap advertises these services (an H10 advertises only Heart
/// Rate, so its name tells it apart).
pub fn classify(name: Option<&str>, services: &[Uuid]) -> Option<StrapKind> {
    if services.contains(&uuid(open_imu::SERVICE)) {
        Some(StrapKind::OpenImu)
    } else if services.contains(&uuid(pmd::SERVICE))
        || name.is_some_and(|n| n.starts_with("Polar H10"))
    {
        Some(StrapKind::PolarH10)
    } else if services.contains(&uuid(hrs::HEART_RATE_SERVICE)) {
        Some(StrapKind::HeartRate)
    } else {
        None
    }
}

/// The Bluetooth adapter, with one events stream fanned out to strap tasks.
#[derive(Debug, Clone)]
pub struct Bluetooth {
    pub(super) central: Adapter,
    pub(super) events: broadcast::Sender<CentralEvent>,
    discovery: Arc<Discovery>,
}

/// Whether discovery is wanted, whether the adapter is off, and how many
/// connects have discovery paused.
#[derive(Debug, Default)]
struct Discovery {
    wanted: AtomicBool,
    /// btleplug's `start_scan` sets `Powered = true` first: resuming discovery
    /// must not switch on an adapter someone switched off.
    powered_off: AtomicBool,
    connecting: Mutex<usize>,
}

fn filter() -> ScanFilter {
    ScanFilter {
        services: supported_services(),
    }
}

impl Bluetooth {
    /// Opens the first adapter and starts listening to its events.
    pub async fn open() -> Result<Self, DeviceError> {
        let unreachable = |e: btleplug::Error| DeviceError::NoBluez(e.to_string());
        let manager = Manager::new().await.map_err(unreachable)?;
        let adapters = manager.adapters().await.map_err(unreachable)?;
        let central = adapters.into_iter().next().ok_or(DeviceError::NoAdapter)?;
        let stream = central.events().await?;
        let (events, _) = broadcast::channel(1024);
        let bt = Self {
            central,
            events,
            discovery: Arc::default(),
        };
        tokio::spawn(bt.clone().fan_out(stream));
        Ok(bt)
    }

    /// Hands the adapter's events to every strap task, restarting discovery
    /// when the adapter powers on again.
    async fn fan_out(
        self,
        mut stream: std::pin::Pin<Box<dyn futures::Stream<Item = CentralEvent> + Send>>,
    ) {
        let mut powered = true;
        while let Some(e) = stream.next().await {
            if matches!(e, CentralEvent::StateUpdate(CentralState::PoweredOff)) {
                tracing::warn!("Bluetooth adapter powered off");
                powered = false;
                self.discovery.powered_off.store(true, Ordering::Relaxed);
            }
            // Only a change from off: starting discovery sets Powered itself,
            // and a bus that signals that again must not start a loop.
            if matches!(e, CentralEvent::StateUpdate(CentralState::PoweredOn))
                && !std::mem::replace(&mut powered, true)
            {
                // Power cycling the adapter ends discovery: start it again so
                // straps are seen (and reconnected) as soon as they advertise.
                tracing::info!("Bluetooth adapter powered on");
                self.discovery.powered_off.store(false, Ordering::Relaxed);
                if let Err(e) = self.scan_on().await {
                    tracing::warn!("restarting discovery: {e}");
                }
            }
            let _ = self.events.send(e);
        }
    }

    /// StartDiscovery unless a connect has it paused; InProgress is fine
    /// (whoever powered the adapter on started discovery too).
    async fn scan_on(&self) -> Result<(), DeviceError> {
        if *self.discovery.connecting.lock().await > 0
            || self.discovery.powered_off.load(Ordering::Relaxed)
        {
            return Ok(());
        }
        match self.central.start_scan(filter()).await {
            Err(e) if format!("{e:?}").contains("InProgress") => Ok(()),
            r => Ok(r?),
        }
    }

    /// Pauses discovery for a connect (see the module docs).
    pub(super) async fn pause_discovery(&self) {
        let mut n = self.discovery.connecting.lock().await;
        *n += 1;
        if *n == 1
            && self.discovery.wanted.load(Ordering::Relaxed)
            && let Err(e) = self.central.stop_scan().await
        {
            tracing::debug!("pausing discovery: {e}");
        }
    }

    /// Resumes discovery when no connect is under way any more.
    pub(super) async fn resume_discovery(&self) {
        let mut n = self.discovery.connecting.lock().await;
        *n = n.saturating_sub(1);
        if *n == 0
            && self.discovery.wanted.load(Ordering::Relaxed)
            && !self.discovery.powered_off.load(Ordering::Relaxed)
        {
            match self.central.start_scan(filter()).await {
                Err(e) if !format!("{e:?}").contains("InProgress") => {
                    tracing::debug!("resuming discovery: {e}");
                }
                _ => {}
            }
        }
    }

    /// Starts discovery of supported straps and leaves it on (paused only
    /// while a strap connects).
    pub async fn start_discovery(&self) -> Result<(), DeviceError> {
        self.discovery.wanted.store(true, Ordering::Relaxed);
        self.scan_on().await
    }

    /// Scans for `timeout` and lists the supported straps seen.
    pub async fn scan(&self, timeout: Duration) -> Result<Vec<FoundStrap>, DeviceError> {
        self.start_discovery().await?;
        tokio::time::sleep(timeout).await;
        self.discovery.wanted.store(false, Ordering::Relaxed);
        self.central.stop_scan().await?;
        let mut found = Vec::new();
        for p in self.central.peripherals().await? {
            let Some(props) = p.properties().await? else {
                continue;
            };
            let name = props.local_name.or(props.advertisement_name);
            let Some(kind) = classify(name.as_deref(), &props.services) else {
                continue;
            };
            found.push(FoundStrap {
                name,
                address: props.address.to_string(),
                kind,
                rssi: props.rssi,
                services: props.services.iter().map(Uuid::to_string).collect(),
            });
        }
        found.sort_by(|a, b| b.rssi.cmp(&a.rssi).then_with(|| a.address.cmp(&b.address)));
        Ok(found)
    }

    /// Runs one configured strap until `cancel`: find, connect, stream, and
    /// reconnect with capped backoff whenever the link drops.
    pub fn spawn_strap(
        &self,
        cfg: StrapConfig,
        events: mpsc::Sender<StrapEvent>,
        commands: mpsc::Receiver<Command>,
        cancel: CancellationToken,
    ) -> tokio::task::JoinHandle<()> {
        tokio::spawn(super::strap::run(
            self.clone(),
            cfg,
            events,
            commands,
            cancel,
        ))
    }

    /// Finds the configured strap among the peripherals seen so far.
    pub(super) async fn find(
        &self,
        cfg: &StrapConfig,
    ) -> Result<Option<(Peripheral, Option<String>)>, DeviceError> {
        for p in self.central.peripherals().await? {
            let props = p.properties().await?;
            let name = props.as_ref().and_then(|p| p.local_name.clone());
            if cfg.matches(&p.address().to_string(), name.as_deref()) {
                return Ok(Some((p, name)));
            }
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_by_service_and_name() {
        let hr = uuid(hrs::HEART_RATE_SERVICE);
        assert_eq!(
            classify(Some("Polar H10 1234"), &[hr]),
            Some(StrapKind::PolarH10)
        );
        assert_eq!(
            classify(Some("HR Strap"), &[hr]),
            Some(StrapKind::HeartRate)
        );
        assert_eq!(
            classify(None, &[uuid(open_imu::SERVICE)]),
            Some(StrapKind::OpenImu)
        );
        assert_eq!(classify(Some("Headphones"), &[]), None);
    }
}
