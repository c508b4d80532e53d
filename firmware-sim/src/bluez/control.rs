//! `org.postured.Sim1` on `/org/postured/Sim1`: what a test or a demo does to the
//! world behind the emulated BlueZ — switch the scenario, change the clock speed,
//! drop links, move straps out of range and back, change RSSI and battery,
//! inject malformed or truncated frames, read back what clients wrote, and
//! cause what real hardware does at a chosen moment: slow connects, a strap's
//! battery running out, an H10 stopping or silencing its stream, control point
//! answers split with the "more" flag. The client side is [`Sim1Proxy`].

use std::path::PathBuf;
use std::sync::Arc;

use zbus::Connection;

pub use super::sim1_proxy::Sim1Proxy;
use super::world::{ADAPTER_PATH, Change, ConnectTiming, DEVICE_IFACE, Prop};
use super::{Sim, emit_all, notify};
use crate::motion::plan::Timeline;
use crate::scenario::Scenario;
use crate::strap::{BATTERY_LEVEL, sig_uuid};

/// Errors of the control interface.
#[derive(Debug, zbus::DBusError)]
#[zbus(prefix = "org.postured.Sim1.Error")]
pub enum ControlError {
    /// A D-Bus failure.
    #[zbus(error)]
    ZBus(zbus::Error),
    /// No strap has that address.
    UnknownStrap(String),
    /// The scenario file could not be loaded.
    BadScenario(String),
    /// A value out of range.
    InvalidArgument(String),
}

/// The control object.
#[derive(Debug)]
pub struct Control {
    pub(crate) sim: Arc<Sim>,
    pub(crate) seed: u64,
}

impl Control {
    fn strap(&self, address: &str) -> Result<usize, ControlError> {
        self.sim
            .world()
            .strap(address)
            .ok_or_else(|| ControlError::UnknownStrap(address.to_owned()))
    }
}

#[zbus::interface(name = "org.postured.Sim1")]
impl Control {
    /// (address, name, kind, placement) of every strap.
    fn straps(&self) -> Vec<(String, String, String, String)> {
        let w = self.sim.world();
        w.straps
            .iter()
            .map(|s| {
                (
                    s.address.clone(),
                    s.firmware.name(),
                    format!("{:?}", s.info.kind),
                    format!("{:?}", s.info.placement),
                )
            })
            .collect()
    }

    /// Current scenario time, seconds.
    fn scenario_time(&self) -> f64 {
        self.sim.world().clock.now()
    }

    /// Scenario seconds per real second from now on.
    fn set_speed(&self, speed: f64) -> Result<(), ControlError> {
        if !(0.01..=1000.0).contains(&speed) {
            return Err(ControlError::InvalidArgument(
                "speed must be in 0.01..=1000".into(),
            ));
        }
        self.sim.world().clock.set_speed(speed);
        Ok(())
    }

    /// Loads a scenario file and starts it now (looped).
    fn set_scenario(&self, path: &str) -> Result<(), ControlError> {
        let sc = Scenario::load(&PathBuf::from(path))
            .map_err(|e| ControlError::BadScenario(e.to_string()))?;
        let mut w = self.sim.world();
        w.motion.timeline = Timeline::new(&sc, self.seed);
        w.motion.start = w.clock.now();
        tracing::info!(%path, "scenario switched");
        Ok(())
    }

    /// Adapter power, as `bluetoothctl power off/on`: off drops every link and
    /// ends discovery, and connects fail until it is on again.
    async fn set_adapter_powered(
        &self,
        on: bool,
        #[zbus(connection)] conn: &Connection,
    ) -> Result<(), ControlError> {
        let changes = {
            let mut w = self.sim.world();
            w.adapter.powered = on;
            let adapter = |props| Change {
                path: ADAPTER_PATH.to_owned(),
                iface: "org.bluez.Adapter1",
                props,
            };
            let mut changes = vec![adapter(vec![("Powered", Prop::Bool(on))])];
            if !on {
                w.adapter.discovery_clients.clear();
                changes.push(adapter(vec![("Discovering", Prop::Bool(false))]));
                for s in &mut w.straps {
                    changes.extend(s.drop_link());
                }
            }
            changes
        };
        emit_all(conn, &changes).await;
        Ok(())
    }

    /// Link loss: the strap drops the connection (Connected = false).
    async fn drop_link(
        &self,
        address: String,
        #[zbus(connection)] conn: &Connection,
    ) -> Result<(), ControlError> {
        let i = self.strap(&address)?;
        let changes = self.sim.world().straps[i].drop_link();
        emit_all(conn, &changes).await;
        Ok(())
    }

    /// Out of range: the link drops and connects fail until back in range. Back
    /// in range, an RSSI update is signalled, as BlueZ does on the next advert.
    async fn set_in_range(
        &self,
        address: String,
        in_range: bool,
        #[zbus(connection)] conn: &Connection,
    ) -> Result<(), ControlError> {
        let i = self.strap(&address)?;
        let changes = {
            let mut w = self.sim.world();
            let s = &mut w.straps[i];
            s.in_range = in_range;
            if !in_range {
                s.drop_link()
            } else if s.exported {
                // Back in range: its advertisements are heard again, which BlueZ
                // reports as a fresh RSSI.
                vec![Change {
                    path: s.path.clone(),
                    iface: DEVICE_IFACE,
                    props: vec![("RSSI", Prop::I16(s.rssi))],
                }]
            } else {
                Vec::new()
            }
        };
        emit_all(conn, &changes).await;
        Ok(())
    }

    /// Sets the RSSI the adapter reports.
    async fn set_rssi(
        &self,
        address: String,
        rssi: i16,
        #[zbus(connection)] conn: &Connection,
    ) -> Result<(), ControlError> {
        let i = self.strap(&address)?;
        let change = {
            let mut w = self.sim.world();
            let s = &mut w.straps[i];
            s.rssi = rssi;
            s.exported.then(|| Change {
                path: s.path.clone(),
                iface: DEVICE_IFACE,
                props: vec![("RSSI", Prop::I16(rssi))],
            })
        };
        emit_all(conn, change.as_slice()).await;
        Ok(())
    }

    /// Sets the battery level; notifies it when the client subscribed.
    async fn set_battery(
        &self,
        address: String,
        percent: u8,
        #[zbus(connection)] conn: &Connection,
    ) -> Result<(), ControlError> {
        let i = self.strap(&address)?;
        let send = {
            let mut w = self.sim.world();
            let s = &mut w.straps[i];
            let n = s.firmware.set_battery(percent);
            let path = s
                .char_by_uuid(&sig_uuid(BATTERY_LEVEL))
                .map(|c| c.path.clone());
            n.filter(|_| s.connected && s.notifying.contains(&sig_uuid(BATTERY_LEVEL)))
                .zip(path)
        };
        if let Some((n, path)) = send {
            notify(conn, &path, n.bytes).await;
        }
        Ok(())
    }

    /// Sends raw bytes on the strap's data characteristic (PMD data, IMU data or
    /// Heart Rate Measurement). Returns false when no client is subscribed.
    async fn inject_frame(
        &self,
        address: String,
        bytes: Vec<u8>,
        #[zbus(connection)] conn: &Connection,
    ) -> Result<bool, ControlError> {
        let i = self.strap(&address)?;
        let path = {
            let w = self.sim.world();
            let s = &w.straps[i];
            let uuid = s.firmware.data_uuid();
            s.char_by_uuid(&uuid)
                .filter(|_| s.connected && s.notifying.contains(&uuid))
                .map(|c| c.path.clone())
        };
        let Some(path) = path else { return Ok(false) };
        notify(conn, &path, bytes).await;
        Ok(true)
    }

    /// Cuts the strap's next data frame to `length` bytes.
    fn truncate_next_frame(&self, address: &str, length: u32) -> Result<(), ControlError> {
        let i = self.strap(address)?;
        self.sim.world().straps[i].truncate_next = Some(length as usize);
        Ok(())
    }

    /// Every write clients made to the strap: (characteristic UUID, bytes, scenario time).
    fn writes(&self, address: &str) -> Result<Vec<(String, Vec<u8>, f64)>, ControlError> {
        let i = self.strap(address)?;
        Ok(self.sim.world().straps[i]
            .writes
            .iter()
            .map(|w| (w.uuid.clone(), w.bytes.clone(), w.t))
            .collect())
    }

    /// Forgets the recorded writes (and StartNotify calls).
    fn clear_writes(&self, address: &str) -> Result<(), ControlError> {
        let i = self.strap(address)?;
        let mut w = self.sim.world();
        w.straps[i].writes.clear();
        w.straps[i].subscribe_calls.clear();
        Ok(())
    }

    /// Every StartNotify a client made: (characteristic UUID, scenario time).
    fn subscribe_calls(&self, address: &str) -> Result<Vec<(String, f64)>, ControlError> {
        let i = self.strap(address)?;
        Ok(self.sim.world().straps[i].subscribe_calls.clone())
    }

    /// How long a `Connect` to the strap takes: link up and answer after
    /// `link_ms`, `ServicesResolved` `resolve_ms` later.
    fn set_connect_timing(
        &self,
        address: &str,
        link_ms: u32,
        resolve_ms: u32,
    ) -> Result<(), ControlError> {
        let i = self.strap(address)?;
        self.sim.world().straps[i].timing = ConnectTiming {
            link_ms,
            resolve_ms,
        };
        Ok(())
    }

    /// The strap's battery runs out (false) or it is powered again (true): off
    /// drops the link and stops everything; on, it advertises again.
    async fn set_strap_powered(
        &self,
        address: String,
        on: bool,
        #[zbus(connection)] conn: &Connection,
    ) -> Result<(), ControlError> {
        let i = self.strap(&address)?;
        if !on {
            let changes = {
                let mut w = self.sim.world();
                let s = &mut w.straps[i];
                let changes = s.drop_link();
                s.firmware.power_off();
                changes
            };
            emit_all(conn, &changes).await;
        }
        self.set_in_range(address, on, conn).await
    }

    /// The H10 stops its ACC stream on its own and indicates `01 02`. Returns
    /// whether a stream was running.
    async fn stop_stream(
        &self,
        address: String,
        #[zbus(connection)] conn: &Connection,
    ) -> Result<bool, ControlError> {
        let i = self.strap(&address)?;
        let (stopped, send) = {
            let mut w = self.sim.world();
            let s = &mut w.straps[i];
            let was = s.firmware.stop_on_its_own();
            let path = was.as_ref().and_then(|n| {
                s.char_by_uuid(&n.uuid)
                    .filter(|_| s.connected && s.notifying.contains(&n.uuid))
                    .map(|c| (c.path.clone(), n.bytes.clone()))
            });
            (was.is_some(), path)
        };
        if let Some((path, bytes)) = send {
            notify(conn, &path, bytes).await;
        }
        Ok(stopped)
    }

    /// The H10's running ACC stream goes silent (true) or speaks again (false);
    /// STOP, START or a power cycle also end the silence. False for other straps.
    fn set_stream_silent(&self, address: &str, silent: bool) -> Result<bool, ControlError> {
        let i = self.strap(address)?;
        Ok(self.sim.world().straps[i].firmware.set_silent(silent))
    }

    /// Splits the H10's control point answers over packets of at most `max`
    /// bytes with the "more" flag (0: never split). False for other straps.
    fn set_max_control_packet(&self, address: &str, max: u32) -> Result<bool, ControlError> {
        let i = self.strap(address)?;
        let max = (max > 0).then_some(max as usize);
        Ok(self.sim.world().straps[i].firmware.set_max_packet(max))
    }

    /// (connected, in range, notifying characteristic count) of a strap.
    fn link(&self, address: &str) -> Result<(bool, bool, u32), ControlError> {
        let i = self.strap(address)?;
        let w = self.sim.world();
        let s = &w.straps[i];
        Ok((s.connected, s.in_range, s.notifying.len() as u32))
    }
}
