//! One strap's task: the btleplug I/O around the [`Link`] state machine. It
//! waits for what the machine needs (the strap seen, notifications, the link
//! dropping, a deadline), turns what it saw into [`Input`]s, and carries out the
//! machine's [`Action`]s; connecting and setting the strap up is in
//! [`super::setup`].

use std::collections::VecDeque;
use std::pin::Pin;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use btleplug::api::{
    CentralEvent, CentralState, Characteristic, Peripheral as _, ValueNotification, WriteType,
};
use btleplug::platform::Peripheral;
use futures::{FutureExt, Stream, StreamExt};
use tokio::sync::{broadcast, mpsc};
use tokio_util::sync::CancellationToken;

use super::ble::{Bluetooth, uuid};
use super::link::{Action, Input, Link, Phase};
use super::pmd::{Answers, Indication};
use super::stream::{OpenImu, PmdAcc};
use super::{Command, StrapEvent, StrapEventKind, StrapKind, recovery};
use crate::config::StrapConfig;
use crate::protocol::{hrs, open_imu, pmd};

pub(super) type Notifications = Pin<Box<dyn Stream<Item = ValueNotification> + Send>>;

/// One connection's characteristics and what the setup chose.
#[derive(Debug, Clone)]
pub(super) struct Session {
    pub kind: StrapKind,
    pub data: Option<Characteristic>,
    pub control: Option<Characteristic>,
    pub haptic: Option<Characteristic>,
    /// The PMD START request in use (to restart the stream with).
    pub start: Option<Vec<u8>>,
}

/// The strap once found: its peripheral and the one notification stream it
/// keeps for its whole life (see [`super::ble`]).
pub(super) struct Found {
    pub p: Peripheral,
    pub name: Option<String>,
    pub notes: Notifications,
}

/// Everything one strap's task owns.
pub(super) struct StrapTask {
    pub bt: Bluetooth,
    pub cfg: StrapConfig,
    pub label: String,
    out: mpsc::Sender<StrapEvent>,
    commands: mpsc::Receiver<Command>,
    pub cancel: CancellationToken,
    central: broadcast::Receiver<CentralEvent>,
    link: Link,
    started: Instant,
    pub found: Option<Found>,
    pub session: Option<Session>,
    pub answers: Answers,
    pub pmd: PmdAcc,
    pub imu: OpenImu,
}

/// Runs one configured strap until it is stopped.
pub(super) async fn run(
    bt: Bluetooth,
    cfg: StrapConfig,
    out: mpsc::Sender<StrapEvent>,
    commands: mpsc::Receiver<Command>,
    cancel: CancellationToken,
) {
    let mut task = StrapTask {
        central: bt.events.subscribe(),
        bt,
        label: cfg.label(),
        pmd: PmdAcc::new(f64::from(cfg.rate_hz), 1.0, 16),
        cfg,
        out,
        commands,
        cancel,
        link: Link::new(),
        started: Instant::now(),
        found: None,
        session: None,
        answers: Answers::default(),
        imu: OpenImu::new(),
    };
    let mut input = Input::Start;
    loop {
        task.drive(input).await;
        if task.link.phase() == Phase::Stopped {
            break;
        }
        input = task.wait().await;
    }
}

fn now_s() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

impl StrapTask {
    /// Sends an event; the future borrows nothing, so `self` need not be `Sync`.
    pub(super) fn emit(&self, kind: StrapEventKind) -> impl Future<Output = ()> + Send + 'static {
        let out = self.out.clone();
        let event = StrapEvent {
            strap: self.label.clone(),
            kind,
        };
        async move {
            let _ = out.send(event).await;
        }
    }

    /// Machine time: seconds since the task started.
    fn now(&self) -> f64 {
        self.started.elapsed().as_secs_f64()
    }

    /// Feeds `first` to the machine, then what its actions answer, in order.
    async fn drive(&mut self, first: Input) {
        let mut inputs = VecDeque::from([first]);
        while let Some(input) = inputs.pop_front() {
            let actions = self.link.step(self.now(), input);
            tracing::trace!(strap = %self.label, ?input, ?actions, "link");
            for action in actions {
                if let Some(next) = self.perform(action).await {
                    inputs.push_back(next);
                }
            }
        }
    }

    async fn perform(&mut self, action: Action) -> Option<Input> {
        match action {
            Action::Report(state) => self.emit(StrapEventKind::State(state)).await,
            Action::MarkGap => self.emit(StrapEventKind::Gap { lost_frames: 0 }).await,
            Action::Connect => return Some(self.connect().await),
            Action::RestartStream => return Some(self.restart().await),
            Action::Disconnect => self.disconnect().await,
            Action::StopAndDisconnect => self.shut_down().await,
            Action::Count(why) => {
                tracing::warn!(strap = %self.label, ?why, "the stream stalled");
                recovery::count(&self.label, why);
            }
        }
        None
    }

    /// Waits for whatever the machine's phase needs next.
    async fn wait(&mut self) -> Input {
        match self.link.phase() {
            Phase::Scanning => self.wait_until_seen().await,
            Phase::Streaming { .. } => self.next_while_streaming().await,
            Phase::Backoff { .. } => self.wait_to_retry().await,
            _ => Input::Tick,
        }
    }

    /// Looks for the configured strap until it is seen; creates its one
    /// notification stream then.
    async fn wait_until_seen(&mut self) -> Input {
        loop {
            match self.bt.find(&self.cfg).await {
                Ok(Some((p, name))) => {
                    tracing::debug!(strap = %self.label, "found the strap");
                    match p.notifications().await {
                        Ok(notes) => {
                            self.found = Some(Found { p, name, notes });
                            return Input::Seen;
                        }
                        Err(e) => {
                            tracing::error!(strap = %self.label, "cannot listen to notifications: {e}");
                            return Input::Stop;
                        }
                    }
                }
                Ok(None) => {}
                Err(e) => tracing::warn!(strap = %self.label, "listing peripherals: {e}"),
            }
            tokio::select! {
                () = self.cancel.cancelled() => return Input::Stop,
                _ = self.central.recv() => {}
                () = tokio::time::sleep(Duration::from_secs(1)) => {}
            }
        }
    }

    /// Waits out the backoff, or less if the strap is heard from.
    async fn wait_to_retry(&mut self) -> Input {
        let id = self.found.as_ref().map(|f| f.p.id());
        loop {
            tokio::select! {
                () = self.cancel.cancelled() => return Input::Stop,
                () = deadline_of(&self.link, self.started) => return Input::Tick,
                cmd = self.commands.recv() => if matches!(cmd, Some(Command::Stop) | None) {
                    return Input::Stop;
                },
                e = self.central.recv() => match e {
                    Ok(CentralEvent::DeviceDiscovered(x) | CentralEvent::DeviceUpdated(x) | CentralEvent::RssiUpdate { id: x, .. }) if Some(&x) == id.as_ref() => return Input::Seen,
                    Ok(CentralEvent::StateUpdate(CentralState::PoweredOn)) => return Input::AdapterOn,
                    Err(broadcast::error::RecvError::Closed) => return Input::Stop,
                    _ => {}
                },
            }
        }
    }

    /// The next thing that matters while streaming.
    async fn next_while_streaming(&mut self) -> Input {
        let Some(id) = self.found.as_ref().map(|f| f.p.id()) else {
            return Input::LinkLost;
        };
        loop {
            let event = {
                let Some(found) = self.found.as_mut() else {
                    return Input::LinkLost;
                };
                tokio::select! {
                    () = self.cancel.cancelled() => return Input::Stop,
                    () = deadline_of(&self.link, self.started) => return Input::Tick,
                    cmd = self.commands.recv() => Streaming::Command(cmd),
                    e = self.central.recv() => Streaming::Central(e),
                    n = found.notes.next() => Streaming::Note(n),
                }
            };
            match event {
                Streaming::Command(Some(Command::Vibrate(pattern))) => self.vibrate(pattern).await,
                Streaming::Command(Some(Command::Stop) | None) => return Input::Stop,
                Streaming::Central(Ok(CentralEvent::DeviceDisconnected(x))) if x == id => {
                    self.drain().await;
                    return Input::LinkLost;
                }
                Streaming::Central(Err(broadcast::error::RecvError::Closed)) => {
                    return Input::LinkLost;
                }
                Streaming::Central(_) => {}
                Streaming::Note(Some(n)) => {
                    if let Some(input) = self.on_notification(&n).await {
                        return input;
                    }
                }
                Streaming::Note(None) => return Input::LinkLost,
            }
        }
    }

    /// Notifications that came before the link dropped are still data.
    async fn drain(&mut self) {
        while let Some(Some(n)) = self
            .found
            .as_mut()
            .and_then(|f| f.notes.next().now_or_never())
        {
            self.on_notification(&n).await;
        }
    }

    async fn vibrate(&mut self, pattern: open_imu::Haptic) {
        if let (Some(found), Some(h)) = (
            &self.found,
            self.session.as_ref().and_then(|s| s.haptic.as_ref()),
        ) {
            let bytes = open_imu::encode_haptic(pattern, 400);
            let _ = found.p.write(h, &bytes, WriteType::WithoutResponse).await;
        }
    }

    /// Decodes one notification; says `Data` for a data frame and
    /// `StoppedByStrap` for the strap's stop indication.
    async fn on_notification(&mut self, n: &ValueNotification) -> Option<Input> {
        let session = self.session.as_ref()?;
        if session.data.as_ref().is_some_and(|d| d.uuid == n.uuid) {
            let kind = session.kind;
            self.on_data(kind, &n.value).await;
            return Some(Input::Data);
        }
        if n.uuid == uuid(hrs::HEART_RATE_MEASUREMENT) {
            match hrs::decode_heart_rate(&n.value) {
                Ok(hr) => self.emit(StrapEventKind::HeartRate(hr)).await,
                Err(e) => self.emit(StrapEventKind::BadFrame(e.to_string())).await,
            }
        } else if n.uuid == uuid(hrs::BATTERY_LEVEL) {
            if let Ok(pct) = hrs::decode_battery(&n.value) {
                self.emit(StrapEventKind::Battery(pct)).await;
            }
        } else if n.uuid == uuid(pmd::CONTROL_POINT)
            && let Ok(Indication::Stopped(measurements)) = self.answers.push(&n.value)
        {
            tracing::warn!(strap = %self.label, ?measurements, "the strap stopped streaming on its own");
            return Some(Input::StoppedByStrap);
        }
        None
    }

    async fn on_data(&mut self, kind: StrapKind, bytes: &[u8]) {
        let now = now_s();
        let batch = match kind {
            StrapKind::OpenImu => self.imu.push(bytes, now),
            _ => self.pmd.push(bytes, now),
        };
        match batch {
            Ok(b) => {
                if b.lost_frames > 0 {
                    let lost_frames = b.lost_frames;
                    self.emit(StrapEventKind::Gap { lost_frames }).await;
                }
                if !b.samples.is_empty() {
                    self.emit(StrapEventKind::Samples(b.samples)).await;
                }
            }
            Err(e) => self.emit(StrapEventKind::BadFrame(e.to_string())).await,
        }
    }
}

/// What woke the streaming wait.
enum Streaming {
    Command(Option<Command>),
    Central(Result<CentralEvent, broadcast::error::RecvError>),
    Note(Option<ValueNotification>),
}

/// Sleeps until `link`'s deadline (forever if it has none).
async fn deadline_of(link: &Link, started: Instant) {
    match link.deadline() {
        Some(at) => {
            let at = started + Duration::from_secs_f64(at.max(0.0));
            tokio::time::sleep_until(at.into()).await;
        }
        None => std::future::pending().await,
    }
}
