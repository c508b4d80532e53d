//! `org.bluez.Device1` objects, one per discovered strap: connect, disconnect,
//! service resolution and the advertised data.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use zbus::zvariant::{OwnedObjectPath, OwnedValue, Value};
use zbus::{Connection, ObjectServer};

use super::world::{ADAPTER_PATH, Change, DEVICE_IFACE, Prop};
use super::{BluezError, Sim, emit_all, gatt};
use crate::scenario::StrapKind;

/// Polar Electro's Bluetooth company id.
const POLAR_COMPANY_ID: u16 = 0x006B;

/// One strap as a BlueZ device.
#[derive(Debug)]
pub struct Device {
    pub(crate) sim: Arc<Sim>,
    pub(crate) idx: usize,
}

impl Device {
    fn get<T>(&self, f: impl FnOnce(&super::world::StrapState) -> T) -> T {
        f(&self.sim.world().straps[self.idx])
    }
}

#[zbus::interface(name = "org.bluez.Device1")]
impl Device {
    /// Connects as BlueZ does: fails when the strap is out of range, answers
    /// InProgress while another attempt is under way, answers once the link is
    /// up (subscriptions restored, notifications flowing) and resolves services
    /// a little later.
    async fn connect(&self, #[zbus(connection)] conn: &Connection) -> Result<(), BluezError> {
        let timing = {
            let mut w = self.sim.world();
            if !w.adapter.powered {
                return Err(BluezError::Failed("Resource Not Ready".into()));
            }
            let s = &mut w.straps[self.idx];
            if s.connecting {
                return Err(BluezError::InProgress("In Progress".into()));
            }
            if s.connected {
                return Ok(());
            }
            s.connecting = true;
            s.timing
        };
        tokio::time::sleep(Duration::from_millis(timing.link_ms.into())).await;
        let up = {
            let mut w = self.sim.world();
            let t = w.clock.now();
            let powered = w.adapter.powered;
            let s = &mut w.straps[self.idx];
            s.connecting = false;
            (powered && s.in_range).then(|| (s.link_up(t), s.link_epoch))
        };
        let Some((changes, epoch)) = up else {
            return Err(BluezError::Failed("le-connection-abort-by-local".into()));
        };
        emit_all(conn, &changes).await;
        tracing::info!(strap = self.idx, "connected");
        let (sim, conn, idx) = (self.sim.clone(), conn.clone(), self.idx);
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(timing.resolve_ms.into())).await;
            resolve_services(&sim, &conn, idx, epoch).await;
        });
        Ok(())
    }

    /// Disconnects; an H10's ACC stream runs on, as on a real strap.
    async fn disconnect(&self, #[zbus(connection)] conn: &Connection) -> Result<(), BluezError> {
        let changes = self.sim.world().straps[self.idx].drop_link();
        emit_all(conn, &changes).await;
        tracing::info!(strap = self.idx, "disconnected by the client");
        Ok(())
    }

    /// Pairing is not emulated.
    async fn pair(&self) -> Result<(), BluezError> {
        Err(BluezError::NotSupported("Pairing is not emulated".into()))
    }

    #[zbus(property, name = "Address")]
    fn address(&self) -> String {
        self.get(|s| s.address.clone())
    }

    #[zbus(property, name = "AddressType")]
    fn address_type(&self) -> String {
        "public".into()
    }

    #[zbus(property, name = "Name")]
    fn name(&self) -> String {
        self.get(|s| s.firmware.name())
    }

    #[zbus(property, name = "Alias")]
    fn alias(&self) -> String {
        self.get(|s| s.firmware.name())
    }

    #[zbus(property, name = "Paired")]
    fn paired(&self) -> bool {
        false
    }

    #[zbus(property, name = "Bonded")]
    fn bonded(&self) -> bool {
        false
    }

    #[zbus(property, name = "Trusted")]
    fn trusted(&self) -> bool {
        false
    }

    #[zbus(property, name = "Blocked")]
    fn blocked(&self) -> bool {
        false
    }

    #[zbus(property, name = "LegacyPairing")]
    fn legacy_pairing(&self) -> bool {
        false
    }

    #[zbus(property, name = "Connected")]
    fn connected(&self) -> bool {
        self.get(|s| s.connected)
    }

    #[zbus(property, name = "ServicesResolved")]
    fn services_resolved(&self) -> bool {
        self.get(|s| s.resolved)
    }

    #[zbus(property, name = "RSSI")]
    fn rssi(&self) -> i16 {
        self.get(|s| s.rssi)
    }

    #[zbus(property, name = "UUIDs")]
    fn uuids(&self) -> Vec<String> {
        self.get(|s| {
            let mut u = s.firmware.advertised();
            if s.resolved {
                u.extend(s.gatt.iter().map(|g| g.uuid.clone()));
                u.dedup();
            }
            u
        })
    }

    #[zbus(property, name = "Adapter")]
    fn adapter(&self) -> OwnedObjectPath {
        OwnedObjectPath::try_from(ADAPTER_PATH).expect("valid adapter path")
    }

    #[zbus(property, name = "ManufacturerData")]
    fn manufacturer_data(&self) -> HashMap<u16, OwnedValue> {
        let polar = self.get(|s| s.info.kind == StrapKind::PolarH10);
        let mut m = HashMap::new();
        if polar && let Ok(v) = OwnedValue::try_from(Value::from(vec![0x3Fu8, 0x00, 0x00, 0x00])) {
            m.insert(POLAR_COMPANY_ID, v);
        }
        m
    }

    #[zbus(property, name = "ServiceData")]
    fn service_data(&self) -> HashMap<String, OwnedValue> {
        HashMap::new()
    }
}

/// Services resolved on the link of `epoch` (if it is still up): the GATT tree
/// is exported the first time, then `ServicesResolved` and `UUIDs` change.
async fn resolve_services(sim: &Arc<Sim>, conn: &Connection, i: usize, epoch: u64) {
    let export = {
        let mut w = sim.world();
        let s = &mut w.straps[i];
        if !s.connected || s.link_epoch != epoch {
            return;
        }
        !std::mem::replace(&mut s.gatt_exported, true)
    };
    if export {
        gatt::export(sim, conn.object_server(), i).await;
    }
    let changes = {
        let mut w = sim.world();
        let s = &mut w.straps[i];
        if !s.connected || s.link_epoch != epoch {
            return;
        }
        s.resolved = true;
        let mut uuids = s.firmware.advertised();
        uuids.extend(s.gatt.iter().map(|g| g.uuid.clone()));
        uuids.dedup();
        vec![
            Change {
                path: s.path.clone(),
                iface: DEVICE_IFACE,
                props: vec![("ServicesResolved", Prop::Bool(true))],
            },
            Change {
                path: s.path.clone(),
                iface: DEVICE_IFACE,
                props: vec![("UUIDs", Prop::Strings(uuids))],
            },
        ]
    };
    emit_all(conn, &changes).await;
}

/// Exports strap `i`'s Device1 object (InterfacesAdded via the ObjectManager).
pub(crate) async fn export(sim: &Arc<Sim>, server: &ObjectServer, i: usize) {
    let path = sim.world().straps[i].path.clone();
    match server
        .at(
            path.as_str(),
            Device {
                sim: sim.clone(),
                idx: i,
            },
        )
        .await
    {
        Ok(_) => tracing::info!(%path, "device discovered"),
        Err(e) => tracing::warn!(%path, error = %e, "device not exported"),
    }
}

/// Removes strap `i`'s device and GATT objects.
pub(crate) async fn unexport(sim: &Arc<Sim>, server: &ObjectServer, i: usize) {
    gatt::unexport(sim, server, i).await;
    let path = sim.world().straps[i].path.clone();
    if let Err(e) = server.remove::<Device, _>(path.as_str()).await {
        tracing::warn!(%path, error = %e, "device not removed");
    }
}
