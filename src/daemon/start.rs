//! Starting the daemon: the exercise catalog, the history, Bluetooth, one task
//! per strap, the set coordinator's task, and the [`Daemon`] handle on them.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use tokio::sync::{broadcast, mpsc, watch};
use tokio_util::sync::CancellationToken;

use super::coordinator::{SetsTask, StrapLink, ToSets};
use super::live::{self, Live, LiveEvent, StrapLive};
use super::{Daemon, StrapHandle, set_settings, sets, strap};
use crate::alerts::SlouchAlert;
use crate::config::Config;
use crate::device::Bluetooth;
use crate::store::{SetId, Store};

/// The log target of starting, as it was before this file split off.
const LOG: &str = "postured::daemon";

/// Why the daemon could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// A spec in the user's exercise directory is bad.
    #[error("loading your exercise specs")]
    Exercises(#[source] crate::exercises::SpecError),
    /// The database's directory cannot be made.
    #[error("creating {}", path.display())]
    DatabaseDir {
        /// The directory.
        path: std::path::PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The database cannot be opened.
    #[error("opening the database {}", path.display())]
    Database {
        /// The file.
        path: std::path::PathBuf,
        /// Why.
        #[source]
        source: crate::store::StoreError,
    },
    /// BlueZ cannot be reached.
    #[error("opening Bluetooth")]
    Bluetooth(#[source] crate::device::DeviceError),
    /// BlueZ does not scan.
    #[error("starting discovery")]
    Discovery(#[source] crate::device::DeviceError),
}

/// Opens (or creates) the history database the configuration names.
fn open_store(config: &Config) -> Result<Store, StartError> {
    let db = config.database_path();
    if let Some(dir) = db.parent() {
        std::fs::create_dir_all(dir).map_err(|source| StartError::DatabaseDir {
            path: dir.to_owned(),
            source,
        })?;
    }
    let store = Store::open(&db).map_err(|source| StartError::Database {
        path: db.clone(),
        source,
    })?;
    tracing::info!(target: LOG, database = %db.display(), "history database open");
    Ok(store)
}

/// BlueZ, scanning; none without straps (history and the API still work).
async fn open_bluetooth(config: &Config) -> Result<Option<Bluetooth>, StartError> {
    if config.straps.is_empty() {
        tracing::warn!(
            target: LOG,
            "no straps configured: add [[strap]] entries (`postured scan` lists the straps in range)"
        );
        return Ok(None);
    }
    let bt = Bluetooth::open().await.map_err(StartError::Bluetooth)?;
    bt.start_discovery().await.map_err(StartError::Discovery)?;
    Ok(Some(bt))
}

/// What every strap task is given, before the straps exist.
struct Common {
    store: Store,
    publish: mpsc::UnboundedSender<LiveEvent>,
    sets: mpsc::UnboundedSender<ToSets>,
    running: watch::Receiver<Option<SetId>>,
    desktop: Option<mpsc::Sender<SlouchAlert>>,
}

/// The strap tasks, started.
struct Straps {
    live: Live,
    handles: Vec<StrapHandle>,
    links: HashMap<String, StrapLink>,
    seats: Vec<sets::Seat>,
}

/// Starts one task per configured strap (and its device task when there is
/// Bluetooth).
fn spawn_straps(
    config: &Arc<Config>,
    bt: Option<&Bluetooth>,
    common: &Common,
    cancel: &CancellationToken,
) -> Straps {
    // Every strap's live state first, so that each task can read all of them.
    let channels: Vec<(watch::Sender<StrapLive>, watch::Receiver<StrapLive>)> = config
        .straps
        .iter()
        .map(|cfg| watch::channel(strap::initial(cfg)))
        .collect();
    let mut by_label: Vec<_> = channels.iter().map(|(_, rx)| rx.clone()).collect();
    by_label.sort_by_key(|rx| rx.borrow().status.strap.clone());
    let live = Live::new(by_label);
    let mut out = Straps {
        live: live.clone(),
        handles: Vec::new(),
        links: HashMap::new(),
        seats: Vec::new(),
    };
    for (cfg, (mine, live_rx)) in config.straps.iter().zip(channels) {
        let (strap_tx, strap_rx) = mpsc::channel(1024);
        let (cmd_tx, cmd_rx) = mpsc::channel(16);
        let (ctl_tx, ctl_rx) = mpsc::channel(16);
        if let Some(bt) = bt {
            bt.spawn_strap(cfg.clone(), strap_tx, cmd_rx, cancel.clone());
        }
        let shared = strap::Shared {
            live: live.clone(),
            running: common.running.clone(),
            events: common.publish.clone(),
            sets: common.sets.clone(),
            store: common.store.clone(),
            desktop: common.desktop.clone(),
        };
        let task = strap::StrapTask::new(cfg, config.clone(), shared, mine, cmd_tx);
        tokio::spawn(task.run(strap_rx, ctl_rx, cancel.clone()));
        out.seats.push(sets::Seat {
            strap: cfg.label(),
            placement: cfg.placement,
            side: cfg.side,
            streaming: false,
        });
        let link = StrapLink {
            control: ctl_tx.clone(),
            live: live_rx,
        };
        out.links.insert(cfg.label(), link);
        out.handles.push(StrapHandle {
            placement: cfg.placement,
            control: ctl_tx,
        });
    }
    out
}

/// Connects the configured straps and starts their detectors and the set
/// coordinator; the daemon runs until `cancel`.
pub async fn start(config: Config, cancel: &CancellationToken) -> Result<Daemon, StartError> {
    let config = Arc::new(config);
    let exercises = crate::exercises::Catalog::load(Some(&config.exercises_path()))
        .map_err(StartError::Exercises)?;
    let exercises = Arc::new(exercises);
    let store = open_store(&config)?;
    let bt = open_bluetooth(&config).await?;
    let (events, _) = broadcast::channel(1024);
    let desktop = config
        .alerts
        .desktop
        .then(|| crate::alerts::spawn_desktop(None));
    let (sets_tx, sets_rx) = mpsc::unbounded_channel();
    let (running_tx, running_rx) = watch::channel(None::<SetId>);
    let common = Common {
        store: store.clone(),
        publish: live::ordered_publisher(store.clone(), events.clone()),
        sets: sets_tx.clone(),
        running: running_rx,
        desktop: desktop.clone(),
    };
    let straps = spawn_straps(&config, bt.as_ref(), &common, cancel);
    let task = SetsTask {
        core: sets::Coordinator::new(exercises.clone(), straps.seats, set_settings(&config)),
        straps: straps.links,
        store: store.clone(),
        events: common.publish,
        running: running_tx,
    };
    tokio::spawn(task.run(sets_rx, cancel.clone()));
    let daemon = Daemon {
        live: Arc::new(straps.live),
        events,
        settings: Arc::new(RwLock::new(config.clone())),
        config,
        store,
        exercises,
        stopping: cancel.clone(),
        straps: Arc::new(straps.handles),
        sets: sets_tx,
        desktop: Arc::new(std::sync::Mutex::new(desktop)),
        mqtt: Arc::default(),
    };
    if let Some(mqtt) = &daemon.config.mqtt {
        crate::mqtt::spawn(daemon.clone(), mqtt, cancel);
    }
    Ok(daemon)
}
