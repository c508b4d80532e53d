//! BlueZ emulation: owns `org.bluez` on the bus from `DBUS_SYSTEM_BUS_ADDRESS`
//! (or a given address) and serves the simulated straps as BlueZ does, so
//! btleplug talks to them unchanged (see bluez-emulation.md). A control
//! interface, `org.postured.Sim1`, drives what the straps and their links do.

mod adapter;
pub mod control;
mod device;
mod gatt;
mod sim1_proxy;
pub mod world;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use zbus::Connection;
use zbus::zvariant::Value;

use crate::motion::plan::Timeline;
use crate::record::DEFAULT_MOUNT_MAX_DEG;
use crate::scenario::Scenario;
use crate::strap::{Firmware, Motion, StrapInfo};
use world::{ADAPTER_PATH, AdapterState, Change, Clock, Prop, StrapState, World};

/// Well-known name of the control interface's connection.
pub const CONTROL_NAME: &str = "org.postured.Sim1";
/// Object path of the control interface.
pub const CONTROL_PATH: &str = "/org/postured/Sim1";

/// Errors BlueZ answers with (`org.bluez.Error.*`).
#[derive(Debug, zbus::DBusError)]
#[zbus(prefix = "org.bluez.Error")]
pub enum BluezError {
    /// A D-Bus failure.
    #[zbus(error)]
    ZBus(zbus::Error),
    /// Generic failure.
    Failed(String),
    /// Operation already in progress.
    InProgress(String),
    /// Adapter not powered.
    NotReady(String),
    /// Not connected.
    NotConnected(String),
    /// Operation not supported.
    NotSupported(String),
    /// Wrong value length.
    InvalidValueLength(String),
    /// No such object.
    DoesNotExist(String),
}

/// Why the emulator could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    /// Bus connection, object registration or name request failed.
    #[error("D-Bus: {0}")]
    Bus(#[from] zbus::Error),
}

/// The shared emulator state.
#[derive(Debug)]
pub struct Sim {
    world: Mutex<World>,
}

impl Sim {
    /// Locks the world (never held across an await).
    pub fn world(&self) -> MutexGuard<'_, World> {
        self.world.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// What to serve.
#[derive(Debug)]
pub struct ServeConfig {
    /// Scenario to act out (looped).
    pub scenario: Scenario,
    /// Straps, in order.
    pub straps: Vec<StrapInfo>,
    /// Seed for motion, sensors and hearts.
    pub seed: u64,
    /// Scenario seconds per real second.
    pub speed: f64,
    /// Bus address; `None` = `DBUS_SYSTEM_BUS_ADDRESS`.
    pub address: Option<String>,
}

/// A running emulator.
#[derive(Debug)]
pub struct Server {
    sim: Arc<Sim>,
    conn: Connection,
}

/// Connects, registers the adapter, ObjectManager and control objects, then
/// takes the names `org.bluez` and `org.postured.Sim1`.
pub async fn start(cfg: ServeConfig) -> Result<Server, ServeError> {
    let mount = cfg.scenario.mount_max_deg.unwrap_or(DEFAULT_MOUNT_MAX_DEG);
    let straps = cfg
        .straps
        .iter()
        .map(|info| StrapState::new(*info, Firmware::new(*info, cfg.seed, mount)))
        .collect();
    let world = World {
        straps,
        motion: Motion {
            timeline: Timeline::new(&cfg.scenario, cfg.seed),
            start: 0.0,
        },
        clock: Clock::new(cfg.speed),
        adapter: AdapterState {
            powered: true,
            ..AdapterState::default()
        },
    };
    let sim = Arc::new(Sim {
        world: Mutex::new(world),
    });
    let builder = match &cfg.address {
        Some(a) => zbus::connection::Builder::address(a.as_str())?,
        None => zbus::connection::Builder::system()?,
    };
    let conn = builder
        .serve_at("/", zbus::fdo::ObjectManager)?
        .serve_at(ADAPTER_PATH, adapter::Adapter { sim: sim.clone() })?
        .serve_at(
            CONTROL_PATH,
            control::Control {
                sim: sim.clone(),
                seed: cfg.seed,
            },
        )?
        .name("org.bluez")?
        .name(CONTROL_NAME)?
        .build()
        .await?;
    tracing::info!(
        straps = cfg.straps.len(),
        speed = cfg.speed,
        "org.bluez is served"
    );
    Ok(Server { sim, conn })
}

impl Server {
    /// The shared state (for tests and the control interface).
    pub fn sim(&self) -> &Arc<Sim> {
        &self.sim
    }

    /// Runs the notification pump and the advertiser until `shutdown` resolves.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        let mut tick = tokio::time::interval(Duration::from_millis(5));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tokio::pin!(shutdown);
        let mut n: u64 = 0;
        loop {
            tokio::select! {
                _ = &mut shutdown => break,
                _ = tick.tick() => {
                    pump(&self.sim, &self.conn).await;
                    if n.is_multiple_of(100) {
                        adapter::advertise(&self.sim, &self.conn).await;
                    }
                    n += 1;
                }
            }
        }
    }
}

/// Sends every notification due by now.
async fn pump(sim: &Arc<Sim>, conn: &Connection) {
    let sends: Vec<(String, Vec<u8>)> = {
        let mut w = sim.world();
        let t = w.clock.now();
        let World { straps, motion, .. } = &mut *w;
        let mut out = Vec::new();
        // Every strap's firmware runs, linked or not: an H10's ACC stream goes on
        // across a link loss, and what it makes meanwhile is lost on the air.
        for s in straps.iter_mut() {
            let data_uuid = s.firmware.data_uuid();
            for n in s.firmware.tick(motion, t) {
                if !s.connected || !s.notifying.contains(&n.uuid) {
                    continue;
                }
                let mut bytes = n.bytes;
                if n.uuid == data_uuid
                    && let Some(len) = s.truncate_next.take()
                {
                    bytes.truncate(len);
                }
                if let Some(c) = s.char_by_uuid(&n.uuid) {
                    out.push((c.path.clone(), bytes.clone()));
                }
                s.values.insert(n.uuid, bytes);
            }
        }
        out
    };
    for (path, bytes) in sends {
        notify(conn, &path, bytes).await;
    }
}

/// One notification: a PropertiesChanged of `Value` on the characteristic.
pub(crate) async fn notify(conn: &Connection, path: &str, bytes: Vec<u8>) {
    emit(
        conn,
        &Change {
            path: path.to_owned(),
            iface: world::CHAR_IFACE,
            props: vec![("Value", Prop::Bytes(bytes))],
        },
    )
    .await;
}

/// Emits one PropertiesChanged.
pub(crate) async fn emit(conn: &Connection, change: &Change) {
    let props: HashMap<&str, Value<'_>> = change
        .props
        .iter()
        .map(|(k, v)| {
            let v = match v {
                Prop::Bool(b) => Value::from(*b),
                Prop::I16(n) => Value::from(*n),
                Prop::Bytes(b) => Value::from(b.clone()),
                Prop::Strings(v) => Value::from(v.clone()),
            };
            (*k, v)
        })
        .collect();
    let body = (change.iface, props, Vec::<&str>::new());
    let sent = conn
        .emit_signal(
            None::<zbus::names::BusName<'_>>,
            change.path.as_str(),
            "org.freedesktop.DBus.Properties",
            "PropertiesChanged",
            &body,
        )
        .await;
    if let Err(e) = sent {
        tracing::warn!(path = %change.path, error = %e, "PropertiesChanged not sent");
    }
}

/// Emits several changes in order.
pub(crate) async fn emit_all(conn: &Connection, changes: &[Change]) {
    for c in changes {
        emit(conn, c).await;
    }
}
