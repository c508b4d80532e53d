//! GATT objects as BlueZ exports them: `org.bluez.GattService1`,
//! `org.bluez.GattCharacteristic1` (read, write, notify as PropertiesChanged of
//! Value) and `org.bluez.GattDescriptor1` (the CCC of notifying characteristics).

use std::collections::HashMap;
use std::sync::Arc;

use zbus::zvariant::{OwnedObjectPath, OwnedValue};
use zbus::{Connection, ObjectServer};

use super::world::{CHAR_IFACE, Change, Prop, WriteRecord};
use super::{BluezError, Sim, emit_all, notify};
use crate::strap::{GattError, sig_uuid};

fn path(p: &str) -> OwnedObjectPath {
    OwnedObjectPath::try_from(p.to_owned()).expect("GATT paths are valid object paths")
}

/// A primary service.
#[derive(Debug)]
pub struct Service {
    uuid: String,
    device: String,
}

#[zbus::interface(name = "org.bluez.GattService1")]
impl Service {
    #[zbus(property, name = "UUID")]
    fn uuid(&self) -> String {
        self.uuid.clone()
    }

    #[zbus(property, name = "Primary")]
    fn primary(&self) -> bool {
        true
    }

    #[zbus(property, name = "Device")]
    fn device(&self) -> OwnedObjectPath {
        path(&self.device)
    }

    #[zbus(property, name = "Includes")]
    fn includes(&self) -> Vec<OwnedObjectPath> {
        Vec::new()
    }
}

/// A characteristic of a strap.
#[derive(Debug)]
pub struct Characteristic {
    sim: Arc<Sim>,
    idx: usize,
    uuid: String,
    path: String,
    service: String,
    flags: Vec<&'static str>,
}

impl From<GattError> for BluezError {
    fn from(e: GattError) -> Self {
        match e {
            GattError::InvalidLength { .. } => Self::InvalidValueLength(e.to_string()),
            _ => Self::NotSupported(e.to_string()),
        }
    }
}

impl Characteristic {
    fn require(&self, flags: &[&str], op: &str) -> Result<(), BluezError> {
        if !self.flags.iter().any(|f| flags.contains(f)) {
            return Err(BluezError::NotSupported(format!(
                "{op} not permitted on {}",
                self.uuid
            )));
        }
        if !self.sim.world().straps[self.idx].connected {
            return Err(BluezError::Failed("Not connected".into()));
        }
        Ok(())
    }

    fn changed(&self, props: Vec<(&'static str, Prop)>) -> Change {
        Change {
            path: self.path.clone(),
            iface: CHAR_IFACE,
            props,
        }
    }
}

#[zbus::interface(name = "org.bluez.GattCharacteristic1")]
impl Characteristic {
    /// Reads the current value from the firmware.
    async fn read_value(
        &self,
        _options: HashMap<String, OwnedValue>,
    ) -> Result<Vec<u8>, BluezError> {
        self.require(&["read"], "read")?;
        let mut w = self.sim.world();
        let s = &mut w.straps[self.idx];
        let v = s.firmware.read(&self.uuid)?;
        s.values.insert(self.uuid.clone(), v.clone());
        Ok(v)
    }

    /// Writes (with or without response); the write is recorded for the control
    /// interface and any indication it causes is sent.
    async fn write_value(
        &self,
        value: Vec<u8>,
        _options: HashMap<String, OwnedValue>,
        #[zbus(connection)] conn: &Connection,
    ) -> Result<(), BluezError> {
        self.require(&["write", "write-without-response"], "write")?;
        let sends = {
            let mut w = self.sim.world();
            let t = w.clock.now();
            let s = &mut w.straps[self.idx];
            s.writes.push(WriteRecord {
                uuid: self.uuid.clone(),
                bytes: value.clone(),
                t,
            });
            let indications = s.firmware.write(&self.uuid, &value, t)?;
            let mut sends = Vec::new();
            for n in indications
                .into_iter()
                .filter(|n| s.notifying.contains(&n.uuid))
            {
                if let Some(c) = s.char_by_uuid(&n.uuid) {
                    sends.push((c.path.clone(), n.bytes));
                }
            }
            sends
        };
        for (p, bytes) in sends {
            notify(conn, &p, bytes).await;
        }
        Ok(())
    }

    /// Turns notifications (or indications) on.
    async fn start_notify(&self, #[zbus(connection)] conn: &Connection) -> Result<(), BluezError> {
        self.require(&["notify", "indicate"], "notify")?;
        let newly = {
            let mut w = self.sim.world();
            let t = w.clock.now();
            let s = &mut w.straps[self.idx];
            s.subscribe_calls.push((self.uuid.clone(), t));
            let newly = s.notifying.insert(self.uuid.clone());
            if newly {
                s.firmware.set_notifying(&self.uuid, true, t);
            }
            newly
        };
        if newly {
            emit_all(conn, &[self.changed(vec![("Notifying", Prop::Bool(true))])]).await;
        }
        Ok(())
    }

    /// Turns notifications off.
    async fn stop_notify(&self, #[zbus(connection)] conn: &Connection) -> Result<(), BluezError> {
        let was = {
            let mut w = self.sim.world();
            let t = w.clock.now();
            let s = &mut w.straps[self.idx];
            let was = s.notifying.remove(&self.uuid);
            s.firmware.set_notifying(&self.uuid, false, t);
            was
        };
        if was {
            emit_all(
                conn,
                &[self.changed(vec![("Notifying", Prop::Bool(false))])],
            )
            .await;
        }
        Ok(())
    }

    #[zbus(property, name = "UUID")]
    fn uuid(&self) -> String {
        self.uuid.clone()
    }

    #[zbus(property, name = "Service")]
    fn service(&self) -> OwnedObjectPath {
        path(&self.service)
    }

    #[zbus(property, name = "Value")]
    fn value(&self) -> Vec<u8> {
        self.sim.world().straps[self.idx]
            .values
            .get(&self.uuid)
            .cloned()
            .unwrap_or_default()
    }

    #[zbus(property, name = "Notifying")]
    fn notifying(&self) -> bool {
        self.sim.world().straps[self.idx]
            .notifying
            .contains(&self.uuid)
    }

    #[zbus(property, name = "Flags")]
    fn flags(&self) -> Vec<String> {
        self.flags.iter().map(|f| (*f).to_owned()).collect()
    }

    #[zbus(property, name = "MTU")]
    fn mtu(&self) -> u16 {
        247
    }
}

/// The Client Characteristic Configuration descriptor (0x2902).
#[derive(Debug)]
pub struct Descriptor {
    sim: Arc<Sim>,
    idx: usize,
    char_uuid: String,
    characteristic: String,
}

#[zbus::interface(name = "org.bluez.GattDescriptor1")]
impl Descriptor {
    /// Notifications on = `01 00`.
    async fn read_value(&self, _options: HashMap<String, OwnedValue>) -> Vec<u8> {
        self.value()
    }

    /// BlueZ manages the CCC itself; clients use StartNotify.
    async fn write_value(
        &self,
        _value: Vec<u8>,
        _options: HashMap<String, OwnedValue>,
    ) -> Result<(), BluezError> {
        Err(BluezError::NotSupported("use StartNotify".into()))
    }

    #[zbus(property, name = "UUID")]
    fn uuid(&self) -> String {
        sig_uuid(0x2902)
    }

    #[zbus(property, name = "Characteristic")]
    fn characteristic(&self) -> OwnedObjectPath {
        path(&self.characteristic)
    }

    #[zbus(property, name = "Value")]
    fn value(&self) -> Vec<u8> {
        let on = self.sim.world().straps[self.idx]
            .notifying
            .contains(&self.char_uuid);
        vec![u8::from(on), 0]
    }
}

/// Exports strap `i`'s services, characteristics and descriptors.
pub(crate) async fn export(sim: &Arc<Sim>, server: &ObjectServer, i: usize) {
    let (device, services) = {
        let w = sim.world();
        (w.straps[i].path.clone(), w.straps[i].gatt.clone())
    };
    for s in services {
        add(
            server,
            &s.path,
            Service {
                uuid: s.uuid.clone(),
                device: device.clone(),
            },
        )
        .await;
        for c in s.chars {
            let ch = Characteristic {
                sim: sim.clone(),
                idx: i,
                uuid: c.uuid.clone(),
                path: c.path.clone(),
                service: s.path.clone(),
                flags: c.flags,
            };
            add(server, &c.path, ch).await;
            if let Some(d) = c.ccc_path {
                add(
                    server,
                    &d,
                    Descriptor {
                        sim: sim.clone(),
                        idx: i,
                        char_uuid: c.uuid,
                        characteristic: c.path,
                    },
                )
                .await;
            }
        }
    }
}

async fn add<I: zbus::object_server::Interface>(server: &ObjectServer, p: &str, iface: I) {
    if let Err(e) = server.at(p, iface).await {
        tracing::warn!(path = p, error = %e, "GATT object not exported");
    }
}

/// Removes strap `i`'s GATT objects.
pub(crate) async fn unexport(sim: &Arc<Sim>, server: &ObjectServer, i: usize) {
    let services = sim.world().straps[i].gatt.clone();
    for s in services {
        for c in s.chars {
            if let Some(d) = c.ccc_path {
                let _ = server.remove::<Descriptor, _>(d.as_str()).await;
            }
            let _ = server.remove::<Characteristic, _>(c.path.as_str()).await;
        }
        let _ = server.remove::<Service, _>(s.path.as_str()).await;
    }
}
