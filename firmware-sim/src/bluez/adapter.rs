//! `org.bluez.Adapter1` on `/org/bluez/hci0`: power, discovery filter, discovery,
//! and the "radio" that turns advertising straps into Device1 objects.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use zbus::message::Header;
use zbus::object_server::SignalEmitter;
use zbus::zvariant::{OwnedObjectPath, OwnedValue};
use zbus::{Connection, ObjectServer};

use super::world::{Change, DEVICE_IFACE, Prop};
use super::{BluezError, Sim, device};

/// The emulated hci0.
#[derive(Debug)]
pub struct Adapter {
    pub(crate) sim: Arc<Sim>,
}

#[zbus::interface(name = "org.bluez.Adapter1")]
impl Adapter {
    /// Sets the filter used by the next discovery: only `UUIDs` is honoured
    /// (btleplug does not filter by service itself on Linux).
    async fn set_discovery_filter(
        &self,
        filter: HashMap<String, OwnedValue>,
    ) -> Result<(), BluezError> {
        let uuids = match filter.get("UUIDs") {
            Some(v) => Vec::<String>::try_from(v.try_clone().map_err(zbus::Error::from)?)
                .map_err(|e| BluezError::Failed(format!("UUIDs: {e}")))?,
            None => Vec::new(),
        };
        tracing::debug!(?uuids, "discovery filter");
        self.sim.world().adapter.filter_uuids =
            uuids.iter().map(|u| u.to_ascii_lowercase()).collect();
        Ok(())
    }

    /// Starts discovery for the calling client (BlueZ keeps one session per
    /// client: the same client twice gets InProgress, another client joins).
    /// Advertising straps that pass the filter appear at once.
    async fn start_discovery(
        &self,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &Connection,
        #[zbus(signal_emitter)] emitter: SignalEmitter<'_>,
    ) -> Result<(), BluezError> {
        let sender = sender_of(&header);
        let clients = self.sim.world().adapter.discovery_clients.clone();
        let live = live_clients(conn, clients).await;
        let was = {
            let mut w = self.sim.world();
            if !w.adapter.powered {
                return Err(BluezError::NotReady("Resource Not Ready".into()));
            }
            let was = !w.adapter.discovery_clients.is_empty();
            w.adapter.discovery_clients.retain(|c| live.contains(c));
            if !w.adapter.discovery_clients.insert(sender) {
                return Err(BluezError::InProgress(
                    "Operation already in progress".into(),
                ));
            }
            was
        };
        if !was {
            self.discovering_changed(&emitter).await?;
        }
        advertise(&self.sim, conn).await;
        Ok(())
    }

    /// Ends the calling client's discovery session.
    async fn stop_discovery(
        &self,
        #[zbus(header)] header: Header<'_>,
        #[zbus(signal_emitter)] emitter: SignalEmitter<'_>,
    ) -> Result<(), BluezError> {
        let stopped = {
            let mut w = self.sim.world();
            if !w.adapter.discovery_clients.remove(&sender_of(&header)) {
                return Err(BluezError::Failed("No discovery started".into()));
            }
            w.adapter.discovery_clients.is_empty()
        };
        if stopped {
            self.discovering_changed(&emitter).await?;
        }
        Ok(())
    }

    /// Forgets a device that is not connected.
    async fn remove_device(
        &self,
        device: OwnedObjectPath,
        #[zbus(object_server)] server: &ObjectServer,
    ) -> Result<(), BluezError> {
        let i = {
            let mut w = self.sim.world();
            let i = w
                .straps
                .iter()
                .position(|s| s.path == device.as_str())
                .ok_or_else(|| BluezError::DoesNotExist("Does Not Exist".into()))?;
            let s = &mut w.straps[i];
            s.exported = false;
            s.gatt_exported = false;
            i
        };
        device::unexport(&self.sim, server, i).await;
        Ok(())
    }

    /// The filter keys BlueZ supports.
    fn get_discovery_filters(&self) -> Vec<String> {
        [
            "UUIDs",
            "RSSI",
            "Pathloss",
            "Transport",
            "DuplicateData",
            "Discoverable",
            "Pattern",
        ]
        .map(String::from)
        .to_vec()
    }

    #[zbus(property, name = "Address")]
    fn address(&self) -> String {
        "00:1A:7D:DA:71:13".into()
    }

    #[zbus(property, name = "AddressType")]
    fn address_type(&self) -> String {
        "public".into()
    }

    #[zbus(property, name = "Name")]
    fn name(&self) -> String {
        "postured-sim".into()
    }

    #[zbus(property, name = "Alias")]
    fn alias(&self) -> String {
        "postured-sim".into()
    }

    #[zbus(property, name = "Class")]
    fn class(&self) -> u32 {
        0
    }

    #[zbus(property, name = "Powered")]
    fn powered(&self) -> bool {
        self.sim.world().adapter.powered
    }

    #[zbus(property, name = "Powered")]
    fn set_powered(&mut self, on: bool) {
        self.sim.world().adapter.powered = on;
    }

    #[zbus(property, name = "Discoverable")]
    fn discoverable(&self) -> bool {
        false
    }

    #[zbus(property, name = "Pairable")]
    fn pairable(&self) -> bool {
        false
    }

    #[zbus(property, name = "Discovering")]
    fn discovering(&self) -> bool {
        !self.sim.world().adapter.discovery_clients.is_empty()
    }

    #[zbus(property, name = "UUIDs")]
    fn uuids(&self) -> Vec<String> {
        vec![
            "00001801-0000-1000-8000-00805f9b34fb".into(),
            "00001800-0000-1000-8000-00805f9b34fb".into(),
        ]
    }

    #[zbus(property, name = "Modalias")]
    fn modalias(&self) -> String {
        "usb:v1D6Bp0246d0540".into()
    }

    #[zbus(property, name = "Roles")]
    fn roles(&self) -> Vec<String> {
        vec!["central".into(), "peripheral".into()]
    }
}

/// One round of advertisements: while discovering, each in-range strap that
/// passes the filter is exported (InterfacesAdded) or, if already known, gets an
/// RSSI update.
pub(crate) async fn advertise(sim: &Arc<Sim>, conn: &Connection) {
    let (new, seen): (Vec<usize>, Vec<Change>) = {
        let mut w = sim.world();
        if w.adapter.discovery_clients.is_empty() {
            return;
        }
        let mut new = Vec::new();
        let mut seen = Vec::new();
        for i in 0..w.straps.len() {
            if !w.straps[i].in_range || !w.passes_filter(i) {
                continue;
            }
            let s = &mut w.straps[i];
            if s.exported {
                seen.push(Change {
                    path: s.path.clone(),
                    iface: DEVICE_IFACE,
                    props: vec![("RSSI", Prop::I16(s.rssi))],
                });
            } else {
                s.exported = true;
                new.push(i);
            }
        }
        (new, seen)
    };
    for i in new {
        device::export(sim, conn.object_server(), i).await;
    }
    super::emit_all(conn, &seen).await;
}

fn sender_of(header: &Header<'_>) -> String {
    header.sender().map(|s| s.to_string()).unwrap_or_default()
}

/// The clients among `clients` still on the bus (a client that went away
/// without StopDiscovery leaves its session behind otherwise).
async fn live_clients(conn: &Connection, clients: BTreeSet<String>) -> BTreeSet<String> {
    let Ok(dbus) = zbus::fdo::DBusProxy::new(conn).await else {
        return clients;
    };
    let mut live = BTreeSet::new();
    for c in clients {
        let Ok(name) = zbus::names::BusName::try_from(c.as_str()) else {
            continue;
        };
        if dbus.name_has_owner(name).await.unwrap_or(true) {
            live.insert(c);
        }
    }
    live
}
