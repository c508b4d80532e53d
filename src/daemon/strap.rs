//! One task per strap owns that strap's detectors (orientation, posture monitor,
//! rep counter), so no locks guard them. It turns the strap's events into live
//! state, live events and alerts.

use std::sync::Arc;

use tokio::sync::{broadcast, mpsc, oneshot};
use tokio_util::sync::CancellationToken;

use super::live::{Live, LiveEvent, SetStatus};
use crate::config::{Config, StrapConfig};
use crate::device::{Command, StrapEvent, StrapEventKind};
use crate::exercises::{ExerciseSpec, Placement, Sides};
use crate::motion::PostureTotals;
use crate::motion::{Counter, Frame, Monitor, PostureEvent, RepEvent, Side, Tracker};
use crate::protocol::open_imu::Haptic;
use crate::store::{EndReason, SessionId, SetId, SetInfo, Store};

/// How often the live stream gets a tick (s of sample time).
const TICK_S: f64 = 0.25;

/// What every strap task shares.
#[derive(Debug, Clone)]
pub struct Shared {
    /// Live state for the API.
    pub live: Arc<Live>,
    /// Live events.
    pub events: broadcast::Sender<LiveEvent>,
    /// History.
    pub store: Store,
    /// Desktop notifications, when enabled.
    pub desktop: Option<mpsc::Sender<crate::alerts::SlouchAlert>>,
}

/// What the coordinator asks of a strap task.
#[derive(Debug)]
pub enum StrapControl {
    /// Count a set of this exercise.
    StartSet {
        /// Set id.
        id: i64,
        /// The routine's session, or `None` for a session of its own.
        session: Option<i64>,
        /// The routine's name, when the set is part of one.
        routine: Option<String>,
        /// The spec.
        spec: Box<ExerciseSpec>,
    },
    /// Stop the running set.
    StopSet,
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

struct ActiveSet {
    id: i64,
    own_session: bool,
    routine: Option<String>,
    spec: ExerciseSpec,
    counter: Counter,
    started_at: f64,
    last_activity: f64,
}

/// The detectors of one strap.
pub struct StrapTask {
    label: String,
    side: Option<Side>,
    cfg: Arc<Config>,
    tracker: Tracker,
    monitor: Option<Monitor>,
    set: Option<ActiveSet>,
    live: Arc<Live>,
    events: mpsc::UnboundedSender<LiveEvent>,
    device: mpsc::Sender<Command>,
    store: Store,
    desktop: Option<mpsc::Sender<crate::alerts::SlouchAlert>>,
    next_tick: f64,
    last_t: f64,
    posture_saved: PostureTotals,
}

impl StrapTask {
    /// A task for the configured strap `strap`, sending commands to its device
    /// task over `device`.
    pub fn new(
        strap: &StrapConfig,
        cfg: Arc<Config>,
        shared: Shared,
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
            live: shared.live,
            events: ordered_publisher(shared.store.clone(), shared.events),
            device,
            store: shared.store,
            desktop: shared.desktop,
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
        let _ = self.events.send(e);
    }
}

/// Longest a live event waits for the database before it goes out anyway (the
/// disk may be full; alerts must not wait on it).
const COMMIT_WAIT: std::time::Duration = std::time::Duration::from_millis(500);

/// Sends a strap's live events in order; a rep or the end of a set goes out once
/// the database has it, so what a listener has seen survives a crash.
pub fn ordered_publisher(
    store: Store,
    events: broadcast::Sender<LiveEvent>,
) -> mpsc::UnboundedSender<LiveEvent> {
    let (tx, mut rx) = mpsc::unbounded_channel::<LiveEvent>();
    tokio::spawn(async move {
        while let Some(e) = rx.recv().await {
            if matches!(
                e,
                LiveEvent::Rep { .. } | LiveEvent::SetEnded { .. } | LiveEvent::Slouch(_)
            ) {
                let _ = tokio::time::timeout(COMMIT_WAIT, store.flush()).await;
            }
            let _ = events.send(e);
        }
    });
    tx
}

impl StrapTask {
    fn on_strap(&mut self, e: StrapEvent) {
        let status = match e.kind {
            StrapEventKind::Samples(samples) => {
                if let Some(set) = &self.set {
                    self.store.append_samples(SetId(set.id), &samples);
                }
                for s in &samples {
                    if let Some(frame) = self.tracker.update(s) {
                        self.on_frame(&frame);
                    }
                }
                None
            }
            StrapEventKind::State(state) => {
                self.live.update_strap(&self.label, |s| s.state = state)
            }
            StrapEventKind::Identified {
                kind,
                address,
                name,
            } => self.live.update_strap(&self.label, |s| {
                s.kind = Some(kind);
                s.address = Some(address);
                s.name = name;
            }),
            StrapEventKind::Battery(pct) => self
                .live
                .update_strap(&self.label, |s| s.battery = Some(pct)),
            StrapEventKind::HeartRate(hr) => {
                // A running set keeps the heart rate during it, whichever strap
                // counts the set; a strap off the skin reports nothing useful.
                if hr.bpm > 0
                    && hr.contact != Some(false)
                    && let Some(set) = self.live.set()
                {
                    self.store
                        .append_heart_rate(SetId(set.id), super::now_s(), hr.bpm);
                }
                self.live
                    .update_strap(&self.label, |s| s.heart_rate = Some(hr.bpm));
                None
            }
            StrapEventKind::BadFrame(why) => {
                tracing::debug!(strap = %self.label, "bad frame: {why}");
                self.live.update_strap(&self.label, |s| s.bad_frames += 1)
            }
            StrapEventKind::Gap { lost_frames } => self
                .live
                .update_strap(&self.label, |s| s.lost_frames += u64::from(lost_frames)),
        };
        if let Some(status) = status {
            self.publish(LiveEvent::Strap(status));
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
        if let Some(set) = &mut self.set {
            set.counter.update(f, &mut reps);
        }
        for e in reps {
            self.on_rep(e, f.t);
        }
        self.check_quiet(f.t);
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
                if let Some(d) = &self.desktop {
                    let slouched_s = self.tracker_time() - start_s;
                    let _ = d.try_send(crate::alerts::SlouchAlert {
                        slouched_s,
                        tilt_deg,
                    });
                }
                if let Ok(mut p) = self.live.posture.write() {
                    p.alert_start_s = Some(start_s);
                }
                self.publish(LiveEvent::SlouchAlert { start_s, tilt_deg });
            }
            &PostureEvent::SlouchEnded(ep) => {
                if let Ok(mut p) = self.live.posture.write() {
                    p.alert_start_s = None;
                }
                self.store.record_slouch(&self.label, &ep);
                self.publish(LiveEvent::Slouch(ep));
            }
            PostureEvent::SlouchStarted { .. } | PostureEvent::State { .. } => {}
        }
    }

    /// The time of the latest sample (s).
    fn tracker_time(&self) -> f64 {
        self.last_t
    }

    fn on_rep(&mut self, e: RepEvent, t: f64) {
        let Some(set) = &mut self.set else { return };
        set.last_activity = t;
        match e {
            RepEvent::RepDone(rep) => {
                let id = set.id;
                self.store.record_rep(SetId(id), &rep, true);
                self.publish(LiveEvent::Rep { set: id, rep });
            }
            RepEvent::Attempt(rep) => self.store.record_rep(SetId(set.id), &rep, false),
            RepEvent::SetDone { .. } => self.end_set("target_reached"),
            _ => {}
        }
    }

    fn check_quiet(&mut self, t: f64) {
        if self
            .set
            .as_ref()
            .is_some_and(|s| t - s.last_activity > self.cfg.sets.quiet_timeout_s)
        {
            self.end_set("quiet_timeout");
        }
    }

    fn set_status(&self) -> Option<SetStatus> {
        let set = self.set.as_ref()?;
        let p = set.counter.progress();
        Some(SetStatus {
            id: set.id,
            exercise: set.spec.id.clone(),
            name: set.spec.name.clone(),
            strap: self.label.clone(),
            side: self.side.filter(|_| set.spec.target.sides != Sides::None),
            routine: set.routine.clone(),
            reps: p.reps,
            target_reps: set.spec.target.reps,
            hold_s: set.spec.target.hold_s,
            angle_target_deg: set.spec.target.angle_deg,
            tolerance_deg: set.spec.target.tolerance_deg,
            held_s: p.held_s,
            holding: p.holding,
            in_rep: p.in_rep,
            referenced: p.referenced,
            angle_deg: p.angle_deg,
            started_at: set.started_at,
        })
    }

    fn tick(&mut self, t: f64) {
        let set = self.set_status();
        if let Some(s) = &set
            && let Ok(mut live) = self.live.set.write()
        {
            *live = Some(s.clone());
        }
        if let Some(m) = &self.monitor {
            let totals = m.totals();
            let (du, ds) = (
                totals.upright_s - self.posture_saved.upright_s,
                totals.slouched_s - self.posture_saved.slouched_s,
            );
            if du + ds >= 60.0 {
                self.store
                    .add_posture_time((t / 3600.0).floor() as i64 * 3600, du, ds);
                self.posture_saved = totals;
            }
            if let Ok(mut p) = self.live.posture.write() {
                p.state = Some(m.state());
                p.tilt_deg = m.tilt_deg();
                p.tolerance_deg = self.cfg.posture.tolerance_deg;
                p.calibrated = m.reference().is_some();
            }
        }
        if set.is_some() || self.monitor.is_some() {
            // Every tick tells the running set, whichever strap counts it.
            self.publish(LiveEvent::Tick {
                t,
                set: set.or_else(|| self.live.set()),
                posture: self.live.posture(),
            });
        }
    }

    fn start_set(
        &mut self,
        id: i64,
        routine_session: Option<i64>,
        routine: Option<String>,
        spec: ExerciseSpec,
    ) {
        let own_session = routine_session.is_none();
        let session = routine_session.unwrap_or(id);
        let now = super::now_s();
        let side = self.side;
        if own_session {
            self.store.start_session(SessionId(id), now, None);
        }
        self.store.start_set(SetInfo {
            id: SetId(id),
            session: SessionId(session),
            exercise: spec.id.clone(),
            strap: self.label.clone(),
            side: side.filter(|_| spec.target.sides != Sides::None),
            started_at: now,
            target_reps: Some(spec.target.reps),
            note: None,
        });
        self.set = Some(ActiveSet {
            id,
            own_session,
            routine,
            counter: Counter::new(&spec, side, None),
            spec,
            started_at: now,
            // Quiet time is measured on the strap's clock, like everything the
            // detectors do; before any sample, the wall clock stands in.
            last_activity: if self.last_t > 0.0 { self.last_t } else { now },
        });
        if let Some(s) = self.set_status() {
            if let Ok(mut live) = self.live.set.write() {
                *live = Some(s.clone());
            }
            self.publish(LiveEvent::SetStarted(s));
        }
    }

    fn end_set(&mut self, reason: &'static str) {
        let Some(set) = self.set.take() else { return };
        if let Ok(mut live) = self.live.set.write() {
            *live = None;
        }
        tracing::info!(strap = %self.label, set = set.id, reps = set.counter.reps(), reason, "set ended");
        let now = super::now_s();
        let why = EndReason::parse(reason).unwrap_or(EndReason::Stopped);
        self.store
            .end_set(SetId(set.id), now, why, set.counter.reps());
        if set.own_session {
            self.store.end_session(SessionId(set.id), now);
        }
        self.publish(LiveEvent::SetEnded {
            set: set.id,
            reps: set.counter.reps(),
            reason,
        });
    }

    fn on_control(&mut self, c: StrapControl) {
        match c {
            StrapControl::StartSet {
                id,
                session,
                routine,
                spec,
            } => self.start_set(id, session, routine, *spec),
            StrapControl::StopSet => self.end_set("stopped"),
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
                self.desktop = desktop;
            }
            StrapControl::Snooze(until) => {
                if let Some(m) = &mut self.monitor {
                    m.snooze(until);
                }
                if let Ok(mut p) = self.live.posture.write() {
                    p.snoozed_until = Some(until);
                }
            }
        }
    }
}
