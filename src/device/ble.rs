//! The only code that talks to straps: btleplug (BlueZ over D-Bus on Linux).
//!
//! One central events stream for the whole process, fanned out to strap tasks,
//! and one notification stream per peripheral kept across reconnects: BlueZ's
//! client library leaks a D-Bus match rule, racily, whenever a stream is dropped
//! (`../shared/docs/bluez-emulation.md`), so a daemon that reconnects for weeks
//! must never create streams per connection.

use std::pin::Pin;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use btleplug::api::{
    Central, CentralEvent, CentralState, Characteristic, Manager as _, Peripheral as _, ScanFilter,
    ValueNotification, WriteType,
};
use btleplug::platform::{Adapter, Manager, Peripheral, PeripheralId};
use futures::{Stream, StreamExt};
use serde::Serialize;
use tokio::sync::{broadcast, mpsc};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::stream::{OpenImu, PmdAcc};
use super::{Command, DeviceError, LinkState, StrapEvent, StrapEventKind, StrapKind};
use crate::config::StrapConfig;
use crate::protocol::{hrs, open_imu, pmd};

type Notifications = Pin<Box<dyn Stream<Item = ValueNotification> + Send>>;

/// Longest wait for a connection or a control point answer.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const ANSWER_TIMEOUT: Duration = Duration::from_secs(5);
/// Reconnect backoff: first wait and cap.
const BACKOFF_START: Duration = Duration::from_millis(250);
const BACKOFF_CAP: Duration = Duration::from_secs(5);

/// Runs one BlueZ operation with a time limit: a strap that stops answering must
/// not hang its task.
async fn timed<T>(
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

fn uuid(s: &str) -> Uuid {
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
    central: Adapter,
    events: broadcast::Sender<CentralEvent>,
}

fn now_s() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

impl Bluetooth {
    /// Opens the first adapter and starts listening to its events.
    pub async fn open() -> Result<Self, DeviceError> {
        let unreachable = |e: btleplug::Error| DeviceError::NoBluez(e.to_string());
        let manager = Manager::new().await.map_err(unreachable)?;
        let adapters = manager.adapters().await.map_err(unreachable)?;
        let central = adapters.into_iter().next().ok_or(DeviceError::NoAdapter)?;
        let mut stream = central.events().await?;
        let (events, _) = broadcast::channel(1024);
        let tx = events.clone();
        let adapter = central.clone();
        tokio::spawn(async move {
            let mut powered = true;
            while let Some(e) = stream.next().await {
                if matches!(e, CentralEvent::StateUpdate(CentralState::PoweredOff)) {
                    tracing::warn!("Bluetooth adapter powered off");
                    powered = false;
                }
                // Only a change from off: starting discovery sets Powered itself,
                // and a bus that signals that again must not start a loop.
                if matches!(e, CentralEvent::StateUpdate(CentralState::PoweredOn))
                    && !std::mem::replace(&mut powered, true)
                {
                    // Power cycling the adapter ends discovery: start it again so
                    // straps are seen (and reconnected) as soon as they advertise.
                    tracing::info!("Bluetooth adapter powered on");
                    let scan = adapter
                        .start_scan(ScanFilter {
                            services: supported_services(),
                        })
                        .await;
                    if let Err(err) = scan.as_ref().map_err(|e| format!("{e:?}")) {
                        // InProgress: whoever powered it on started discovery too.
                        if !err.contains("InProgress") {
                            tracing::warn!("restarting discovery: {err}");
                        }
                    }
                }
                let _ = tx.send(e);
            }
        });
        Ok(Self { central, events })
    }

    /// Starts discovery of supported straps and leaves it on.
    pub async fn start_discovery(&self) -> Result<(), DeviceError> {
        match self
            .central
            .start_scan(ScanFilter {
                services: supported_services(),
            })
            .await
        {
            // Already discovering (the adapter's power-on restarted it): fine.
            Err(e) if format!("{e:?}").contains("InProgress") => Ok(()),
            r => Ok(r?),
        }
    }

    /// Scans for `timeout` and lists the supported straps seen.
    pub async fn scan(&self, timeout: Duration) -> Result<Vec<FoundStrap>, DeviceError> {
        self.start_discovery().await?;
        tokio::time::sleep(timeout).await;
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
        let link = StrapLink {
            bt: self.clone(),
            label: cfg.label(),
            cfg,
            out: events,
            commands,
            cancel,
        };
        tokio::spawn(link.run())
    }

    /// Finds the configured strap among the peripherals seen so far.
    async fn find(
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

/// How a streaming session ended.
enum End {
    Cancelled,
    Lost,
}

struct StrapLink {
    bt: Bluetooth,
    cfg: StrapConfig,
    label: String,
    out: mpsc::Sender<StrapEvent>,
    commands: mpsc::Receiver<Command>,
    cancel: CancellationToken,
}

/// One connection's characteristics and decoding state.
struct Session {
    kind: StrapKind,
    data: Option<Characteristic>,
    control: Option<Characteristic>,
    haptic: Option<Characteristic>,
    pmd: PmdAcc,
    imu: OpenImu,
}

impl StrapLink {
    async fn emit(&self, kind: StrapEventKind) {
        let _ = self
            .out
            .send(StrapEvent {
                strap: self.label.clone(),
                kind,
            })
            .await;
    }

    async fn run(mut self) {
        let mut central = self.bt.events.subscribe();
        self.emit(StrapEventKind::State(LinkState::Scanning)).await;
        let seen = self.wait_until_seen(&mut central).await;
        tracing::debug!(strap = %self.label, found = seen.is_some(), "looked for the strap");
        let Some((p, name)) = seen else {
            self.emit(StrapEventKind::State(LinkState::Stopped)).await;
            return;
        };
        // One notification stream for the peripheral's whole life (see the module
        // docs); it just goes quiet while the link is down.
        let mut notes = match p.notifications().await {
            Ok(n) => n,
            Err(e) => {
                tracing::error!(strap = %self.label, "cannot listen to notifications: {e}");
                return;
            }
        };
        let mut backoff = BACKOFF_START;
        let mut state = LinkState::Connecting;
        let mut pmd = PmdAcc::new(f64::from(self.cfg.rate_hz), 1.0, 16);
        let mut imu = OpenImu::new();
        loop {
            self.emit(StrapEventKind::State(state)).await;
            pmd.reconnected();
            imu.reconnected();
            match self
                .session(
                    &p,
                    name.as_deref(),
                    &mut notes,
                    &mut central,
                    pmd.clone(),
                    imu.clone(),
                )
                .await
            {
                Ok((End::Cancelled, _)) => break,
                Ok((End::Lost, (p2, i2))) => {
                    (pmd, imu) = (p2, i2);
                    // It was streaming a moment ago: try again at once.
                    backoff = Duration::ZERO;
                    tracing::warn!(strap = %self.label, "link lost");
                }
                Err(e) => tracing::warn!(strap = %self.label, "connection failed: {e}"),
            }
            self.emit(StrapEventKind::State(LinkState::Lost)).await;
            self.emit(StrapEventKind::Gap { lost_frames: 0 }).await;
            if !self.wait_to_retry(&p.id(), &mut central, backoff).await {
                break;
            }
            backoff = (backoff * 2).clamp(BACKOFF_START, BACKOFF_CAP);
            state = LinkState::Reconnecting;
        }
        self.emit(StrapEventKind::State(LinkState::Stopped)).await;
    }

    /// Waits until the configured strap has been seen; `None` if cancelled.
    async fn wait_until_seen(
        &mut self,
        central: &mut broadcast::Receiver<CentralEvent>,
    ) -> Option<(Peripheral, Option<String>)> {
        loop {
            match self.bt.find(&self.cfg).await {
                Ok(Some(found)) => return Some(found),
                Ok(None) => {}
                Err(e) => tracing::warn!(strap = %self.label, "listing peripherals: {e}"),
            }
            tokio::select! {
                () = self.cancel.cancelled() => return None,
                _ = central.recv() => {}
                () = tokio::time::sleep(Duration::from_secs(1)) => {}
            }
        }
    }

    /// Waits out the backoff, or less if the strap is heard from; false if cancelled.
    async fn wait_to_retry(
        &mut self,
        id: &PeripheralId,
        central: &mut broadcast::Receiver<CentralEvent>,
        backoff: Duration,
    ) -> bool {
        let deadline = tokio::time::sleep(backoff);
        tokio::pin!(deadline);
        loop {
            tokio::select! {
                () = self.cancel.cancelled() => return false,
                () = &mut deadline => return true,
                e = central.recv() => match e {
                    Ok(CentralEvent::DeviceDiscovered(x) | CentralEvent::DeviceUpdated(x) | CentralEvent::RssiUpdate { id: x, .. }) if &x == id => return true,
                    Ok(CentralEvent::StateUpdate(CentralState::PoweredOn)) => return true,
                    Err(broadcast::error::RecvError::Closed) => return false,
                    _ => {}
                },
            }
        }
    }

    /// Connects, sets the strap up and streams until the link drops or we are
    /// cancelled. Returns the decoders so their counters carry on.
    async fn session(
        &mut self,
        p: &Peripheral,
        name: Option<&str>,
        notes: &mut Notifications,
        central: &mut broadcast::Receiver<CentralEvent>,
        pmd: PmdAcc,
        imu: OpenImu,
    ) -> Result<(End, (PmdAcc, OpenImu)), DeviceError> {
        // Always ask: right after a link loss the cached "connected" can still say
        // yes, and connecting an already connected device is a no-op.
        timed("connect", p.connect()).await?;
        tracing::debug!(strap = %self.label, "connected; discovering services");
        timed("service discovery", p.discover_services()).await?;
        let chars = p.characteristics();
        let find = |u: &str| chars.iter().find(|c| c.uuid == uuid(u)).cloned();
        let services: Vec<Uuid> = p.services().iter().map(|s| s.uuid).collect();
        let kind = classify(name, &services).unwrap_or(StrapKind::HeartRate);
        self.emit(StrapEventKind::Identified {
            kind,
            address: p.address().to_string(),
            name: name.map(str::to_owned),
        })
        .await;
        let mut s = Session {
            kind,
            data: find(pmd::DATA).or_else(|| find(open_imu::DATA)),
            control: find(pmd::CONTROL_POINT),
            haptic: find(open_imu::HAPTIC),
            pmd,
            imu,
        };
        if let Some(battery) = find(hrs::BATTERY_LEVEL) {
            if let Ok(Ok(pct)) = timed("battery read", p.read(&battery))
                .await
                .map(|b| hrs::decode_battery(&b))
            {
                self.emit(StrapEventKind::Battery(pct)).await;
            }
            let _ = timed("battery subscribe", p.subscribe(&battery)).await;
        }
        if let Some(hr) = find(hrs::HEART_RATE_MEASUREMENT) {
            timed("heart rate subscribe", p.subscribe(&hr)).await?;
        }
        tracing::debug!(strap = %self.label, ?kind, "subscribed to heart rate and battery");
        match kind {
            StrapKind::PolarH10 => self.start_pmd(p, notes, &mut s).await?,
            StrapKind::OpenImu => self.start_open_imu(p, &find).await?,
            StrapKind::HeartRate => {}
        }
        if let Some(data) = &s.data {
            timed("data subscribe", p.subscribe(data)).await?;
        }
        self.emit(StrapEventKind::State(LinkState::Streaming)).await;
        let end = self.stream(p, notes, central, &mut s).await?;
        Ok((end, (s.pmd, s.imu)))
    }

    async fn start_open_imu(
        &self,
        p: &Peripheral,
        find: &impl Fn(&str) -> Option<Characteristic>,
    ) -> Result<(), DeviceError> {
        if let Some(config) = find(open_imu::CONFIG) {
            let want = open_imu::Config {
                rate_hz: self.cfg.rate_hz,
                accel_range_g: self.cfg.range_g.min(255) as u8,
                gyro_range_dps: 2000,
            };
            timed(
                "config write",
                p.write(&config, &want.encode(), WriteType::WithResponse),
            )
            .await?;
        }
        Ok(())
    }

    /// PMD setup: indications on, settings query, start ACC (stopping a stream a
    /// previous run left on), and the scale factor from the answer.
    async fn start_pmd(
        &self,
        p: &Peripheral,
        notes: &mut Notifications,
        s: &mut Session,
    ) -> Result<(), DeviceError> {
        let control = s
            .control
            .clone()
            .ok_or(DeviceError::Missing("PMD control point"))?;
        timed("control point subscribe", p.subscribe(&control)).await?;
        let settings = self
            .ask(p, notes, &control, &pmd::encode_get_settings(pmd::ACC))
            .await?;
        let supported = settings.settings().unwrap_or_default();
        let rate = pick(&supported.sample_rates, self.cfg.rate_hz);
        let range = pick(&supported.ranges, self.cfg.range_g);
        let resolution = supported.resolutions.first().copied().unwrap_or(16);
        let start = pmd::encode_start(pmd::ACC, rate, resolution, range);
        let mut answer = self.ask(p, notes, &control, &start).await?;
        if status_of(&answer) == Some(pmd::Status::Error(6)) {
            // Already streaming: a previous run did not stop it. Stop, start again.
            self.ask(p, notes, &control, &pmd::encode_stop(pmd::ACC))
                .await?;
            answer = self.ask(p, notes, &control, &start).await?;
        }
        match status_of(&answer) {
            Some(pmd::Status::Success) => {}
            Some(status) => return Err(DeviceError::Refused(status.describe())),
            None => return Err(DeviceError::Refused("something that is not a PMD answer")),
        }
        let factor = answer.settings().and_then(|x| x.factor).unwrap_or(1.0);
        s.pmd = PmdAcc::new(f64::from(rate), factor, resolution);
        tracing::info!(strap = %self.label, rate, range, resolution, "PMD accelerometer started");
        Ok(())
    }

    /// Writes a control point request and waits for its answer.
    async fn ask(
        &self,
        p: &Peripheral,
        notes: &mut Notifications,
        control: &Characteristic,
        request: &[u8],
    ) -> Result<pmd::Control, DeviceError> {
        timed(
            "control point write",
            p.write(control, request, WriteType::WithResponse),
        )
        .await?;
        let wait = async {
            while let Some(n) = notes.next().await {
                if n.uuid != control.uuid {
                    continue;
                }
                match pmd::decode_control(&n.value) {
                    Ok(c @ pmd::Control::Response { opcode, .. }) if opcode == request[0] => {
                        return Ok(c);
                    }
                    Ok(_) => {}
                    Err(e) => tracing::debug!(strap = %self.label, "control point: {e}"),
                }
            }
            Err(DeviceError::LinkLost)
        };
        tokio::time::timeout(ANSWER_TIMEOUT, wait)
            .await
            .map_err(|_| DeviceError::Timeout {
                what: "PMD control point answer",
                secs: ANSWER_TIMEOUT.as_secs(),
            })?
    }

    async fn stream(
        &mut self,
        p: &Peripheral,
        notes: &mut Notifications,
        central: &mut broadcast::Receiver<CentralEvent>,
        s: &mut Session,
    ) -> Result<End, DeviceError> {
        let id = p.id();
        loop {
            tokio::select! {
                () = self.cancel.cancelled() => {
                    self.shut_down(p, notes, s).await;
                    return Ok(End::Cancelled);
                }
                cmd = self.commands.recv() => match cmd {
                    Some(Command::Vibrate(pattern)) => {
                        if let Some(h) = &s.haptic {
                            let _ = p.write(h, &open_imu::encode_haptic(pattern, 400), WriteType::WithoutResponse).await;
                        }
                    }
                    Some(Command::Stop) | None => {
                        self.shut_down(p, notes, s).await;
                        return Ok(End::Cancelled);
                    }
                },
                e = central.recv() => match e {
                    Ok(CentralEvent::DeviceDisconnected(x)) if x == id => return Ok(End::Lost),
                    Err(broadcast::error::RecvError::Closed) => return Ok(End::Lost),
                    _ => {}
                },
                n = notes.next() => match n {
                    Some(n) => self.on_notification(&n, s).await,
                    None => return Err(DeviceError::LinkLost),
                },
            }
        }
    }

    async fn on_notification(&self, n: &ValueNotification, s: &mut Session) {
        let now = now_s();
        let is_data = s.data.as_ref().is_some_and(|d| d.uuid == n.uuid);
        if is_data {
            let batch = match s.kind {
                StrapKind::OpenImu => s.imu.push(&n.value, now),
                _ => s.pmd.push(&n.value, now),
            };
            match batch {
                Ok(b) => {
                    if b.lost_frames > 0 {
                        self.emit(StrapEventKind::Gap {
                            lost_frames: b.lost_frames,
                        })
                        .await;
                    }
                    if !b.samples.is_empty() {
                        self.emit(StrapEventKind::Samples(b.samples)).await;
                    }
                }
                Err(e) => self.emit(StrapEventKind::BadFrame(e.to_string())).await,
            }
        } else if n.uuid == uuid(hrs::HEART_RATE_MEASUREMENT) {
            match hrs::decode_heart_rate(&n.value) {
                Ok(hr) => self.emit(StrapEventKind::HeartRate(hr)).await,
                Err(e) => self.emit(StrapEventKind::BadFrame(e.to_string())).await,
            }
        } else if n.uuid == uuid(hrs::BATTERY_LEVEL) {
            if let Ok(pct) = hrs::decode_battery(&n.value) {
                self.emit(StrapEventKind::Battery(pct)).await;
            }
        } else if n.uuid == uuid(pmd::CONTROL_POINT)
            && let Ok(pmd::Control::Stopped { measurements }) = pmd::decode_control(&n.value)
        {
            tracing::warn!(strap = %self.label, ?measurements, "the strap stopped streaming on its own");
        }
    }

    /// Stops a Polar stream (an H10 otherwise stays on) and disconnects.
    async fn shut_down(&self, p: &Peripheral, notes: &mut Notifications, s: &Session) {
        if let (StrapKind::PolarH10, Some(control)) = (s.kind, &s.control)
            && let Err(e) = self
                .ask(p, notes, control, &pmd::encode_stop(pmd::ACC))
                .await
        {
            tracing::warn!(strap = %self.label, "stopping the PMD stream: {e}");
        }
        let _ = p.disconnect().await;
    }
}

fn status_of(c: &pmd::Control) -> Option<pmd::Status> {
    match c {
        pmd::Control::Response { status, .. } => Some(*status),
        pmd::Control::Stopped { .. } => None,
    }
}

/// The supported value nearest `want` (or `want` if the list is empty).
fn pick(supported: &[u16], want: u16) -> u16 {
    supported
        .iter()
        .copied()
        .min_by_key(|v| v.abs_diff(want))
        .unwrap_or(want)
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

    #[test]
    fn picks_the_nearest_supported_value() {
        assert_eq!(pick(&[25, 50, 100, 200], 130), 100);
        assert_eq!(pick(&[25, 50, 100, 200], 200), 200);
        assert_eq!(pick(&[], 100), 100);
    }
}
