//! The daemon: the only module that spawns tasks. It wires straps (device layer)
//! to their detectors (one task per strap), the detectors to the live state and
//! event stream, and those to the HTTP API. One cancellation token stops all.

mod coordinator;
pub mod cues;
pub mod live;
pub mod reload;
pub mod sets;
mod start;
mod strap;

use std::sync::{Arc, RwLock};
use std::time::{SystemTime, UNIX_EPOCH};

use tokio::sync::{broadcast, mpsc, oneshot};
use tokio_util::sync::CancellationToken;

use crate::alerts::SlouchAlert;
use crate::config::Config;
use crate::exercises::Placement;
use crate::store::SetId;
use coordinator::ToSets;
pub use live::{Live, LiveEvent, PostureStatus, SetStatus, StrapLive, StrapStatus};
pub use reload::{ConfigFile, ReloadError, Reloaded};
pub use start::{StartError, start};
pub use strap::StrapControl;

/// Wall-clock time (Unix s).
pub fn now_s() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// Why a request to the daemon could not be done.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ControlError {
    /// No built-in exercise of that id.
    #[error("no exercise {0:?}; GET /api/exercises lists them")]
    UnknownExercise(String),
    /// No connected strap sits where the exercise needs one.
    #[error("no strap worn at {} is streaming", placements(.0))]
    NoStrap(Vec<Placement>),
    /// A set is already running.
    #[error("set {} is running; stop it first", .0.0)]
    SetRunning(SetId),
    /// No set is running.
    #[error("no set is running")]
    NoSet,
    /// No configured routine of that name.
    #[error("no routine {0:?} in the configuration ([[routine]] entries)")]
    UnknownRoutine(String),
    /// No trunk strap to calibrate with.
    #[error("no chest or upper-back strap is streaming")]
    NoTrunkStrap,
    /// The daemon is stopping.
    #[error("the daemon is stopping")]
    Stopping,
}

/// `chest or upper-back`.
fn placements(p: &[Placement]) -> String {
    p.iter()
        .map(|p| p.as_str())
        .collect::<Vec<_>>()
        .join(" or ")
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
    straps: Arc<Vec<StrapHandle>>,
    /// The set coordinator's task.
    sets: mpsc::UnboundedSender<ToSets>,
    /// The configuration in force: the start one with what reloads applied.
    settings: Arc<RwLock<Arc<Config>>>,
    /// Desktop notifications, once started.
    desktop: Arc<std::sync::Mutex<Option<mpsc::Sender<SlouchAlert>>>>,
    /// The MQTT link's state (off unless `[mqtt]` is configured).
    pub mqtt: Arc<crate::mqtt::MqttStatus>,
}

impl std::fmt::Debug for Daemon {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Daemon")
            .field("straps", &self.straps.len())
            .finish_non_exhaustive()
    }
}

/// The settings of `config` the set coordinator follows.
fn set_settings(config: &Config) -> sets::Settings {
    sets::Settings {
        quiet_timeout_s: config.sets.quiet_timeout_s,
        routines: config.routines.clone(),
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
        let _ = self
            .sets
            .send(ToSets::Input(sets::Input::Reconfigure(set_settings(
                &in_force,
            ))));
        self.tell_all(|| StrapControl::Reconfigure {
            config: in_force.clone(),
            desktop: desktop.clone(),
        })
        .await;
        Ok(reloaded)
    }

    /// Switches cues during sets (`[cues]`) until the next reload or restart;
    /// the strap tasks follow at once.
    pub async fn set_cues(&self, cues: crate::config::CueConfig) -> Result<(), ReloadError> {
        let mut config = (*self.settings()).clone();
        config.cues = cues;
        self.reload(config).await.map(drop)
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

    /// Asks the set coordinator; its answer is the set's status.
    async fn ask_sets(&self, input: sets::Input) -> Result<SetStatus, ControlError> {
        let (tx, rx) = oneshot::channel();
        self.sets
            .send(ToSets::Command(input, tx))
            .map_err(|_| ControlError::Stopping)?;
        rx.await.map_err(|_| ControlError::Stopping)?
    }

    /// Starts a set of `exercise` on the first streaming strap worn where it needs
    /// one; returns the set's status.
    pub async fn start_set(&self, exercise: &str) -> Result<SetStatus, ControlError> {
        self.ask_sets(sets::Input::StartSet(exercise.to_owned()))
            .await
    }

    /// Starts the configured routine `name`: its first exercise now, each next one
    /// when the previous set reaches its target, all in one session.
    pub async fn start_routine(&self, name: &str) -> Result<SetStatus, ControlError> {
        self.ask_sets(sets::Input::StartRoutine(name.to_owned()))
            .await
    }

    /// Stops the running set (and the routine it belongs to); returns its status
    /// as it stopped.
    pub async fn stop_set(&self) -> Result<SetStatus, ControlError> {
        self.ask_sets(sets::Input::Stop).await
    }

    /// Takes the current pose of the trunk straps as upright.
    pub async fn calibrate(&self) -> Result<(), ControlError> {
        let mut done = false;
        for h in self
            .straps
            .iter()
            .filter(|h| matches!(h.placement, Placement::Chest | Placement::UpperBack))
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
        for h in self.straps.iter() {
            let _ = h.control.send(what()).await;
        }
    }
}
