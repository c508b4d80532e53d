//! One task per strap owns that strap's detectors (orientation, posture monitor,
//! rep counter), so no locks guard them, and its live state (a `watch` channel
//! only it writes). It turns the strap's events into live state, live events
//! and alerts, and tells the set coordinator what the counter sees.

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot, watch};
use tokio_util::sync::CancellationToken;

use super::ControlError;
use super::coordinator::ToSets;
use super::live::{Live, LiveEvent, PostureStatus, SetStatus, StrapLive, StrapStatus};
use super::sets::Input;
use crate::config::{Config, StrapConfig};
use crate::device::{Command, StrapEvent, StrapEventKind};
use crate::exercises::{ExerciseSpec, Placement};
use crate::motion::PostureTotals;
use crate::motion::{Frame, Monitor, PostureEvent, Side, Tracker};
use crate::protocol::open_imu::Haptic;
use crate::store::{SetId, Store};

mod set;

use set::ActiveSet;

/// How often the live stream gets a tick (s of sample time).
const TICK_S: f64 = 0.25;

/// What every strap task shares.
#[derive(Debug, Clone)]
pub struct Shared {
    /// Every strap's live state, for the ticks.
    pub live: Live,
    /// The set being counted, on whichever strap (the coordinator writes it).
    pub running: watch::Receiver<Option<SetId>>,
    /// Live events, in the order they are sent ([`super::live::ordered_publisher`]).
    pub events: mpsc::UnboundedSender<LiveEvent>,
    /// The set coordinator.
    pub sets: mpsc::UnboundedSender<ToSets>,
    /// History.
    pub store: Store,
    /// Desktop notifications, when enabled.
    pub desktop: Option<mpsc::Sender<crate::alerts::SlouchAlert>>,
}

/// What the coordinator asks of a strap task.
#[derive(Debug)]
pub enum StrapControl {
    /// Count a set of this exercise; answer with its status on `ready`.
    StartSet {
        /// Set id.
        id: SetId,
        /// The routine's name, when the set is part of one.
        routine: Option<String>,
        /// The spec.
        spec: Box<ExerciseSpec>,
        /// When it started (Unix s).
        started_at: f64,
        /// Who waits for the set's first status.
        ready: Option<oneshot::Sender<Result<SetStatus, ControlError>>>,
    },
    /// Stop counting `set` and tell the coordinator the final count.
    Finish(SetId),
    /// An exercise set is (or is no longer) running on some strap: no posture
    /// alerts meanwhile.
    Exercising(bool),
    /// Take the current pose as upright; answers whether it could.
    Calibrate(oneshot::Sender<bool>),
    /// No alerts until this wall time (Unix s).
    Snooze(f64),
    /// New settings (posture, alerts, sets) from a reload; the connection,
    /// calibration and running set stay.
    Reconfigure {
        /// The configuration now in force.
        config: Arc<Config>,
        /// Where desktop notifications go now.
        desktop: Option<mpsc::Sender<crate::alerts::SlouchAlert>>,
    },
}

/// The detectors of one strap.
pub struct StrapTask {
    label: String,
    side: Option<Side>,
    cfg: Arc<Config>,
    tracker: Tracker,
    monitor: Option<Monitor>,
    set: Option<ActiveSet>,
    mine: watch::Sender<StrapLive>,
    shared: Shared,
    device: mpsc::Sender<Command>,
    next_tick: f64,
    last_t: f64,
    posture_saved: PostureTotals,
}

/// The live state a strap starts with.
pub fn initial(strap: &StrapConfig) -> StrapLive {
    StrapLive {
        status: StrapStatus {
            strap: strap.label(),
            kind: None,
            address: strap.address.clone(),
            name: strap.name.clone(),
            state: crate::device::LinkState::Scanning,
            battery: None,
            placement: strap.placement,
            side: strap.side,
            heart_rate: None,
            bad_frames: 0,
            lost_frames: 0,
        },
        set: None,
        posture: PostureStatus::default(),
    }
}

impl StrapTask {
    /// A task for the configured strap `strap`, writing its live state to
    /// `mine` and sending commands to its device task over `device`.
    pub fn new(
        strap: &StrapConfig,
        cfg: Arc<Config>,
        shared: Shared,
        mine: watch::Sender<StrapLive>,
        device: mpsc::Sender<Command>,
    ) -> Self {
        let trunk = matches!(strap.placement, Placement::Chest | Placement::UpperBack);
        Self {
            label: strap.label(),
            side: strap.side,
            monitor: trunk.then(|| Monitor::new(cfg.posture, None)),
            cfg,
            tracker: Tracker::new(),
            set: None,
            mine,
            shared,
            device,
            next_tick: f64::NEG_INFINITY,
            last_t: 0.0,
            posture_saved: PostureTotals::default(),
        }
    }

    /// Runs until `cancel`.
    pub async fn run(
        mut self,
        mut from_strap: mpsc::Receiver<StrapEvent>,
        mut control: mpsc::Receiver<StrapControl>,
        cancel: CancellationToken,
    ) {
        loop {
            tokio::select! {
                () = cancel.cancelled() => return,
                e = from_strap.recv() => match e {
                    Some(e) => self.on_strap(e),
                    None => return,
                },
                c = control.recv() => match c {
                    Some(c) => self.on_control(c),
                    None => return,
                },
            }
        }
    }

    fn publish(&self, e: LiveEvent) {
        let _ = self.shared.events.send(e);
    }

    fn tell_sets(&self, input: Input) {
        let _ = self.shared.sets.send(ToSets::Input(input));
    }

    /// Changes this strap's status; returns the new one.
    fn update_status(&self, f: impl FnOnce(&mut StrapStatus)) -> StrapStatus {
        let mut status = None;
        self.mine.send_modify(|l| {
            f(&mut l.status);
            status = Some(l.status.clone());
        });
        status.unwrap_or_else(|| self.mine.borrow().status.clone())
    }

    fn update_posture(&self, f: impl FnOnce(&mut PostureStatus)) {
        self.mine.send_modify(|l| f(&mut l.posture));
    }
}

impl StrapTask {
    fn on_strap(&mut self, e: StrapEvent) {
        let status = match e.kind {
            StrapEventKind::Samples(samples) => {
                self.on_samples(&samples);
                None
            }
            StrapEventKind::State(state) => {
                self.tell_sets(Input::Link {
                    strap: self.label.clone(),
                    streaming: state == crate::device::LinkState::Streaming,
                });
                Some(self.update_status(|s| s.state = state))
            }
            StrapEventKind::Identified {
                kind,
                address,
                name,
            } => Some(self.update_status(|s| {
                s.kind = Some(kind);
                s.address = Some(address);
                s.name = name;
            })),
            StrapEventKind::Battery(pct) => Some(self.update_status(|s| s.battery = Some(pct))),
            StrapEventKind::HeartRate(hr) => {
                // A running set keeps the heart rate during it, whichever strap
                // counts the set; a strap off the skin reports nothing useful.
                let running = *self.shared.running.borrow();
                if hr.bpm > 0
                    && hr.contact != Some(false)
                    && let Some(set) = running
                {
                    self.shared
                        .store
                        .append_heart_rate(set, super::now_s(), hr.bpm);
                }
                Some(self.update_status(|s| s.heart_rate = Some(hr.bpm)))
            }
            StrapEventKind::BadFrame(why) => {
                tracing::debug!(strap = %self.label, "bad frame: {why}");
                Some(self.update_status(|s| s.bad_frames += 1))
            }
            StrapEventKind::Gap { lost_frames } => {
                Some(self.update_status(|s| s.lost_frames += u64::from(lost_frames)))
            }
        };
        if let Some(status) = status {
            self.publish(LiveEvent::Strap(status));
        }
    }

    fn on_samples(&mut self, samples: &[crate::motion::Sample]) {
        if let Some(set) = &self.set {
            self.shared.store.append_samples(set.id, samples);
        }
        for s in samples {
            if let Some(frame) = self.tracker.update(s) {
                self.on_frame(&frame);
            }
        }
        // Quiet time is measured on the strap's clock, like everything the
        // detectors do.
        if let Some(set) = self.set.as_ref().filter(|s| !s.done) {
            self.tell_sets(Input::Time {
                set: set.id,
                t: self.last_t,
            });
        }
    }

    fn on_frame(&mut self, f: &Frame) {
        self.last_t = f.t;
        let mut posture = Vec::new();
        if let Some(m) = &mut self.monitor {
            m.update(f, &mut posture);
        }
        for e in &posture {
            self.on_posture(e);
        }
        let mut reps = Vec::new();
        if let Some(set) = self.set.as_mut().filter(|s| !s.done) {
            set.counter.update(f, &mut reps);
        }
        for e in reps {
            self.on_rep(e, f.t);
        }
        self.cue(f.t);
        if f.t >= self.next_tick {
            self.next_tick = f.t + TICK_S;
            self.tick(f.t);
        }
    }

    fn on_posture(&mut self, e: &PostureEvent) {
        match e {
            &PostureEvent::SlouchAlert {
                start_s, tilt_deg, ..
            } => {
                tracing::info!(strap = %self.label, tilt_deg, "slouch alert");
                if self.cfg.alerts.vibrate {
                    let _ = self.device.try_send(Command::Vibrate(Haptic::Double));
                }
                if let Some(d) = &self.shared.desktop {
                    let slouched_s = self.tracker_time() - start_s;
                    let _ = d.try_send(crate::alerts::SlouchAlert {
                        slouched_s,
                        tilt_deg,
                    });
                }
                self.update_posture(|p| p.alert_start_s = Some(start_s));
                self.publish(LiveEvent::SlouchAlert { start_s, tilt_deg });
            }
            &PostureEvent::SlouchEnded(ep) => {
                self.update_posture(|p| p.alert_start_s = None);
                self.shared.store.record_slouch(&self.label, &ep);
                self.publish(LiveEvent::Slouch(ep));
            }
            PostureEvent::SlouchStarted { .. } | PostureEvent::State { .. } => {}
        }
    }

    /// The time of the latest sample (s).
    fn tracker_time(&self) -> f64 {
        self.last_t
    }

    fn tick(&mut self, t: f64) {
        let set = self.set_status();
        if set.is_some() {
            self.mine.send_modify(|l| l.set.clone_from(&set));
        }
        if let Some(m) = &self.monitor {
            let totals = m.totals();
            let (du, ds) = (
                totals.upright_s - self.posture_saved.upright_s,
                totals.slouched_s - self.posture_saved.slouched_s,
            );
            if du + ds >= 60.0 {
                self.shared
                    .store
                    .add_posture_time((t / 3600.0).floor() as i64 * 3600, du, ds);
                self.posture_saved = totals;
            }
            let (state, tilt_deg, calibrated) = (m.state(), m.tilt_deg(), m.reference().is_some());
            let tolerance_deg = self.cfg.posture.tolerance_deg;
            self.update_posture(|p| {
                p.state = Some(state);
                p.tilt_deg = tilt_deg;
                p.tolerance_deg = tolerance_deg;
                p.calibrated = calibrated;
            });
        }
        if set.is_some() || self.monitor.is_some() {
            // Every tick tells the running set, whichever strap counts it.
            self.publish(LiveEvent::Tick {
                t,
                set: set.or_else(|| self.shared.live.set()),
                posture: self.shared.live.posture(),
            });
        }
    }

    fn on_control(&mut self, c: StrapControl) {
        match c {
            StrapControl::StartSet {
                id,
                routine,
                spec,
                started_at,
                ready,
            } => self.start_set(id, routine, *spec, started_at, ready),
            StrapControl::Finish(id) => self.finish(id),
            StrapControl::Exercising(on) => {
                if let Some(m) = &mut self.monitor {
                    m.set_exercising(on);
                }
            }
            StrapControl::Calibrate(reply) => {
                let done = self
                    .monitor
                    .as_mut()
                    .and_then(Monitor::calibrate_now)
                    .is_some();
                let _ = reply.send(done);
            }
            StrapControl::Reconfigure { config, desktop } => {
                if let Some(m) = &mut self.monitor {
                    m.set_config(config.posture);
                }
                self.cfg = config;
                self.shared.desktop = desktop;
            }
            StrapControl::Snooze(until) => {
                if let Some(m) = &mut self.monitor {
                    m.snooze(until);
                }
                self.update_posture(|p| p.snoozed_until = Some(until));
            }
        }
    }
}
