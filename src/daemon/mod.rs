//! The daemon: the only module that spawns tasks. It wires straps (device layer)
//! to their detectors (one task per strap), the detectors to the live state and
//! event stream, and those to the HTTP API. One cancellation token stops all.

pub mod live;
pub mod reload;
mod service;
mod strap;

use std::sync::{Arc, RwLock};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::Context;
use tokio::sync::{broadcast, mpsc, oneshot};
use tokio_util::sync::CancellationToken;

use crate::alerts::SlouchAlert;
use crate::config::Config;
use crate::device::{Bluetooth, LinkState};
use crate::exercises::{ExerciseSpec, Placement};
pub use live::{Live, LiveEvent, PostureStatus, SetStatus, StrapStatus};
pub use reload::{ConfigFile, ReloadError, Reloaded};
pub use service::{run, wait_for_signal};
pub use strap::StrapControl;

/// Wall-clock time (Unix s).
pub fn now_s() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// Why a request to the daemon could not be done.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ControlError {
    /// No built-in exercise of that id.
    #[error("no exercise {0:?}; GET /api/exercises lists them")]
    UnknownExercise(String),
    /// No connected strap sits where the exercise needs one.
    #[error("no strap worn at {0} is streaming")]
    NoStrap(String),
    /// A set is already running.
    #[error("set {0} is running; stop it first")]
    SetRunning(i64),
    /// No set is running.
    #[error("no set is running")]
    NoSet,
    /// No configured routine of that name.
    #[error("no routine {0:?} in the configuration ([[routine]] entries)")]
    UnknownRoutine(String),
    /// No trunk strap to calibrate with.
    #[error("no chest or upper-back strap is streaming")]
    NoTrunkStrap,
}

struct StrapHandle {
    placement: Placement,
    control: mpsc::Sender<StrapControl>,
}

/// What the API may ask of the running daemon.
#[derive(Clone)]
pub struct Daemon {
    /// Live state.
    pub live: Arc<Live>,
    /// Live events.
    pub events: broadcast::Sender<LiveEvent>,
    /// The configuration the daemon started with: the database, HTTP and straps
    /// come from it. Settings that a reload changes: [`Daemon::settings`].
    pub config: Arc<Config>,
    /// History.
    pub store: crate::store::Store,
    /// The exercises: built-in and the user's.
    pub exercises: Arc<crate::exercises::Catalog>,
    /// Cancelled when the daemon stops: long-lived responses (the live stream)
    /// end with it, so a graceful shutdown does not wait on open dashboards.
    pub stopping: CancellationToken,
    straps: Arc<Vec<(String, StrapHandle)>>,
    routine: Arc<std::sync::Mutex<Option<RoutineRun>>>,
    /// The configuration in force: the start one with what reloads applied.
    settings: Arc<RwLock<Arc<Config>>>,
    /// Desktop notifications, once started.
    desktop: Arc<std::sync::Mutex<Option<mpsc::Sender<SlouchAlert>>>>,
}

/// A routine being followed.
#[derive(Debug, Clone)]
struct RoutineRun {
    name: String,
    exercises: Vec<String>,
    next: usize,
    session: i64,
}

impl std::fmt::Debug for Daemon {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Daemon")
            .field("straps", &self.straps.len())
            .finish_non_exhaustive()
    }
}

impl Daemon {
    /// The configuration in force (reloads change posture, alerts, sets and
    /// routines).
    pub fn settings(&self) -> Arc<Config> {
        self.settings
            .read()
            .map_or_else(|_| self.config.clone(), |c| c.clone())
    }

    /// Applies a new configuration's live settings to the strap tasks without
    /// touching their connections; see [`reload`].
    pub async fn reload(&self, new: Config) -> Result<Reloaded, ReloadError> {
        let (in_force, reloaded) = reload::merge(&self.settings(), new);
        for r in &in_force.routines {
            if let Some(bad) = r
                .exercises
                .iter()
                .find(|id| self.exercises.get(id).is_none())
            {
                return Err(ReloadError::NotLoaded {
                    routine: r.name.clone(),
                    exercise: bad.clone(),
                });
            }
        }
        if reloaded.applied.is_empty() {
            return Ok(reloaded);
        }
        let desktop = self.desktop_for(&in_force);
        let in_force = Arc::new(in_force);
        if let Ok(mut s) = self.settings.write() {
            *s = in_force.clone();
        }
        self.tell_all(|| StrapControl::Reconfigure {
            config: in_force.clone(),
            desktop: desktop.clone(),
        })
        .await;
        Ok(reloaded)
    }

    /// Where slouch alerts go as desktop notifications under `config`; starts
    /// the notifier the first time it is wanted.
    fn desktop_for(&self, config: &Config) -> Option<mpsc::Sender<SlouchAlert>> {
        if !config.alerts.desktop {
            return None;
        }
        let mut d = self.desktop.lock().ok()?;
        Some(
            d.get_or_insert_with(|| crate::alerts::spawn_desktop(None))
                .clone(),
        )
    }

    fn streaming(&self, label: &str) -> bool {
        self.live.straps.read().is_ok_and(|m| {
            m.get(label)
                .is_some_and(|s| s.state == LinkState::Streaming)
        })
    }

    /// Starts a set of `exercise` on the first streaming strap worn where it needs
    /// one; returns the set's status.
    pub async fn start_set(&self, exercise: &str) -> Result<SetStatus, ControlError> {
        self.start_set_in(exercise, None).await
    }

    /// Starts the configured routine `name`: its first exercise now, each next one
    /// when the previous set reaches its target, all in one session.
    pub async fn start_routine(&self, name: &str) -> Result<SetStatus, ControlError> {
        let settings = self.settings();
        let routine = settings
            .routines
            .iter()
            .find(|r| r.name == name)
            .ok_or_else(|| ControlError::UnknownRoutine(name.to_owned()))?;
        if let Some(s) = self.live.set() {
            return Err(ControlError::SetRunning(s.id));
        }
        let first = routine
            .exercises
            .first()
            .ok_or_else(|| ControlError::UnknownRoutine(name.to_owned()))?;
        let session = (now_s() * 1000.0) as i64;
        if let Ok(mut r) = self.routine.lock() {
            *r = Some(RoutineRun {
                name: name.to_owned(),
                exercises: routine.exercises.clone(),
                next: 1,
                session,
            });
        }
        self.store
            .start_session(crate::store::SessionId(session), now_s(), Some(name));
        match self.start_set_in(first, Some(session)).await {
            Ok(s) => Ok(s),
            Err(e) => {
                self.end_routine(false);
                Err(e)
            }
        }
    }

    /// Ends the running routine, if any, and its session.
    fn end_routine(&self, completed: bool) {
        let run = self.routine.lock().ok().and_then(|mut r| r.take());
        if let Some(run) = run {
            self.store
                .end_session(crate::store::SessionId(run.session), now_s());
            tracing::info!(routine = %run.name, completed, "routine ended");
            let _ = self.events.send(LiveEvent::RoutineEnded {
                name: run.name,
                completed,
            });
        }
    }

    /// After a set ended: the routine's next exercise, or the routine's end.
    async fn after_set(&self, reason: &str) {
        let next = self.routine.lock().ok().and_then(|mut r| {
            let run = r.as_mut()?;
            let exercise = run.exercises.get(run.next).cloned()?;
            run.next += 1;
            Some((exercise, run.session))
        });
        match next {
            Some((exercise, session)) if reason == "target_reached" => {
                if let Err(e) = self.start_set_in(&exercise, Some(session)).await {
                    tracing::warn!("routine: cannot start {exercise}: {e}");
                    self.end_routine(false);
                }
            }
            Some(_) => self.end_routine(false),
            None => self.end_routine(reason == "target_reached"),
        }
    }

    async fn start_set_in(
        &self,
        exercise: &str,
        session: Option<i64>,
    ) -> Result<SetStatus, ControlError> {
        if let Some(s) = self.live.set() {
            return Err(ControlError::SetRunning(s.id));
        }
        let spec: ExerciseSpec = self
            .exercises
            .get(exercise)
            .cloned()
            .ok_or_else(|| ControlError::UnknownExercise(exercise.to_owned()))?;
        let fits =
            |p: Placement| spec.placement.contains(&Placement::Any) || spec.placement.contains(&p);
        let (label, handle) = self
            .straps
            .iter()
            .find(|(label, h)| fits(h.placement) && self.streaming(label))
            .ok_or_else(|| {
                ControlError::NoStrap(
                    spec.placement
                        .iter()
                        .map(|p| format!("{p:?}").to_lowercase())
                        .collect::<Vec<_>>()
                        .join(" or "),
                )
            })?;
        let id = (now_s() * 1000.0) as i64;
        let _ = handle
            .control
            .send(StrapControl::StartSet {
                id,
                session,
                routine: self
                    .routine
                    .lock()
                    .ok()
                    .and_then(|r| r.as_ref().map(|r| r.name.clone()))
                    .filter(|_| session.is_some()),
                spec: Box::new(spec.clone()),
            })
            .await;
        self.tell_all(|| StrapControl::Exercising(true)).await;
        tracing::info!(strap = %label, set = id, exercise, "set started");
        // The strap task publishes the set's status; wait for it briefly.
        for _ in 0..50 {
            if let Some(s) = self.live.set() {
                return Ok(s);
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        self.live.set().ok_or(ControlError::NoSet)
    }

    /// Stops the running set (and the routine it belongs to).
    pub async fn stop_set(&self) -> Result<SetStatus, ControlError> {
        let set = self.live.set().ok_or(ControlError::NoSet)?;
        if let Some((_, h)) = self.straps.iter().find(|(l, _)| *l == set.strap) {
            let _ = h.control.send(StrapControl::StopSet).await;
        }
        self.tell_all(|| StrapControl::Exercising(false)).await;
        Ok(set)
    }

    /// Takes the current pose of the trunk straps as upright.
    pub async fn calibrate(&self) -> Result<(), ControlError> {
        let mut done = false;
        for (_, h) in self
            .straps
            .iter()
            .filter(|(_, h)| matches!(h.placement, Placement::Chest | Placement::UpperBack))
        {
            let (tx, rx) = oneshot::channel();
            let _ = h.control.send(StrapControl::Calibrate(tx)).await;
            done |= rx.await.unwrap_or(false);
        }
        if done {
            Ok(())
        } else {
            Err(ControlError::NoTrunkStrap)
        }
    }

    /// Silences slouch alerts for the configured snooze; returns until when.
    pub async fn snooze(&self) -> f64 {
        let until = now_s() + self.settings().alerts.snooze_min * 60.0;
        self.tell_all(|| StrapControl::Snooze(until)).await;
        until
    }

    async fn tell_all(&self, what: impl Fn() -> StrapControl) {
        for (_, h) in self.straps.iter() {
            let _ = h.control.send(what()).await;
        }
    }
}

/// Connects the configured straps and starts their detectors.
pub async fn start(config: Config, cancel: &CancellationToken) -> anyhow::Result<Daemon> {
    let config = Arc::new(config);
    if config.straps.is_empty() {
        tracing::warn!(
            "no straps configured: add [[strap]] entries (`postured scan` lists the straps in range)"
        );
    }
    let exercises = crate::exercises::Catalog::load(Some(&config.exercises_path()))
        .context("loading your exercise specs")?;
    let db = config.database_path();
    if let Some(dir) = db.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let store = crate::store::Store::open(&db)
        .with_context(|| format!("opening the database {}", db.display()))?;
    tracing::info!(database = %db.display(), "history database open");
    // Without straps there is nothing to connect: history and the API still work.
    let bt = if config.straps.is_empty() {
        None
    } else {
        let bt = Bluetooth::open().await.context("opening Bluetooth")?;
        bt.start_discovery().await.context("starting discovery")?;
        Some(bt)
    };
    let live = Arc::new(Live::default());
    let (events, _) = broadcast::channel(1024);
    let desktop = config
        .alerts
        .desktop
        .then(|| crate::alerts::spawn_desktop(None));
    let mut straps = Vec::new();
    for cfg in &config.straps {
        let label = cfg.label();
        live.straps
            .write()
            .map_err(|_| anyhow::anyhow!("live state poisoned"))?
            .insert(
                label.clone(),
                StrapStatus {
                    strap: label.clone(),
                    kind: None,
                    address: cfg.address.clone(),
                    name: cfg.name.clone(),
                    state: LinkState::Scanning,
                    battery: None,
                    placement: cfg.placement,
                    side: cfg.side,
                    heart_rate: None,
                    bad_frames: 0,
                    lost_frames: 0,
                },
            );
        let (strap_tx, strap_rx) = mpsc::channel(1024);
        let (cmd_tx, cmd_rx) = mpsc::channel(16);
        let (ctl_tx, ctl_rx) = mpsc::channel(16);
        if let Some(bt) = &bt {
            bt.spawn_strap(cfg.clone(), strap_tx, cmd_rx, cancel.clone());
        }
        let shared = strap::Shared {
            live: live.clone(),
            events: events.clone(),
            store: store.clone(),
            desktop: desktop.clone(),
        };
        let task = strap::StrapTask::new(cfg, config.clone(), shared, cmd_tx);
        tokio::spawn(task.run(strap_rx, ctl_rx, cancel.clone()));
        straps.push((
            label,
            StrapHandle {
                placement: cfg.placement,
                control: ctl_tx,
            },
        ));
    }
    let daemon = Daemon {
        live,
        events,
        settings: Arc::new(RwLock::new(config.clone())),
        config,
        store,
        exercises: Arc::new(exercises),
        stopping: cancel.clone(),
        straps: Arc::new(straps),
        routine: Arc::default(),
        desktop: Arc::new(std::sync::Mutex::new(desktop)),
    };
    tokio::spawn(end_of_set_watch(daemon.clone(), cancel.clone()));
    Ok(daemon)
}

/// When a set ends by itself (target reached, quiet), posture alerts resume.
async fn end_of_set_watch(daemon: Daemon, cancel: CancellationToken) {
    let mut rx = daemon.events.subscribe();
    loop {
        tokio::select! {
            () = cancel.cancelled() => return,
            e = rx.recv() => match e {
                Ok(LiveEvent::SetEnded { reason, .. }) => {
                    daemon.tell_all(|| StrapControl::Exercising(false)).await;
                    daemon.after_set(reason).await;
                }
                Err(broadcast::error::RecvError::Closed) => return,
                _ => {}
            },
        }
    }
}
