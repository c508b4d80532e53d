//! The emulator's state, free of D-Bus: straps with their link state and GATT
//! layout, the adapter's discovery state and the scenario clock. Operations
//! return the property changes the D-Bus layer must signal.

use std::collections::{BTreeSet, HashMap};
use std::time::Instant;

use crate::strap::{Firmware, Motion, StrapInfo};

/// Object path of the emulated adapter.
pub const ADAPTER_PATH: &str = "/org/bluez/hci0";

/// A property value to signal.
#[derive(Debug, Clone, PartialEq)]
pub enum Prop {
    /// `b`
    Bool(bool),
    /// `n`
    I16(i16),
    /// `ay`
    Bytes(Vec<u8>),
    /// `as`
    Strings(Vec<String>),
}

/// One PropertiesChanged to emit.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// Object path.
    pub path: String,
    /// Interface whose properties changed.
    pub iface: &'static str,
    /// Name and new value.
    pub props: Vec<(&'static str, Prop)>,
}

/// Scenario time that runs `speed` times faster than real time.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    origin: Instant,
    base: f64,
    speed: f64,
}

impl Clock {
    /// A clock at 0 s.
    pub fn new(speed: f64) -> Self {
        Self {
            origin: Instant::now(),
            base: 0.0,
            speed,
        }
    }

    /// Scenario seconds now.
    pub fn now(&self) -> f64 {
        self.base + self.origin.elapsed().as_secs_f64() * self.speed
    }

    /// Changes speed from now on.
    pub fn set_speed(&mut self, speed: f64) {
        self.base = self.now();
        self.origin = Instant::now();
        self.speed = speed;
    }
}

/// A characteristic as exported.
#[derive(Debug, Clone)]
pub struct GattChar {
    /// UUID.
    pub uuid: String,
    /// `.../serviceXXXX/charYYYY`.
    pub path: String,
    /// BlueZ flags.
    pub flags: Vec<&'static str>,
    /// Client Characteristic Configuration descriptor path, for notify/indicate.
    pub ccc_path: Option<String>,
}

/// A service as exported.
#[derive(Debug, Clone)]
pub struct GattService {
    /// UUID.
    pub uuid: String,
    /// `.../serviceXXXX`.
    pub path: String,
    /// Characteristics.
    pub chars: Vec<GattChar>,
}

/// A write a client made, kept for the control interface.
#[derive(Debug, Clone, PartialEq)]
pub struct WriteRecord {
    /// Characteristic UUID.
    pub uuid: String,
    /// Bytes written.
    pub bytes: Vec<u8>,
    /// Scenario time of the write.
    pub t: f64,
}

/// How long a `Connect` takes, as real BlueZ does it: the method answers once
/// the link is up (`link_ms`), `ServicesResolved` follows `resolve_ms` later.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectTiming {
    /// From the call to the link being up (and the answer).
    pub link_ms: u32,
    /// From the answer to `ServicesResolved = true`.
    pub resolve_ms: u32,
}

impl Default for ConnectTiming {
    fn default() -> Self {
        Self {
            link_ms: 3,
            resolve_ms: 5,
        }
    }
}

/// One strap and its radio link.
#[derive(Debug)]
pub struct StrapState {
    /// Model and placement.
    pub info: StrapInfo,
    /// Bluetooth address.
    pub address: String,
    /// Device object path.
    pub path: String,
    /// Firmware.
    pub firmware: Firmware,
    /// Advertising and reachable.
    pub in_range: bool,
    /// Signal strength, dBm.
    pub rssi: i16,
    /// Link up.
    pub connected: bool,
    /// A `Connect` is under way (a second one answers InProgress).
    pub connecting: bool,
    /// How long connects take.
    pub timing: ConnectTiming,
    /// Bumped on every link drop, so a connect that was overtaken by a drop
    /// does not resolve services on the next link.
    pub link_epoch: u64,
    /// Services resolved on this link.
    pub resolved: bool,
    /// Device1 object exported.
    pub exported: bool,
    /// GATT objects exported.
    pub gatt_exported: bool,
    /// GATT layout with BlueZ paths.
    pub gatt: Vec<GattService>,
    /// Characteristic UUIDs the client subscribed to (BlueZ's notify sessions:
    /// they survive a disconnect and are re-enabled on the strap at reconnect).
    pub notifying: BTreeSet<String>,
    /// Writes received.
    pub writes: Vec<WriteRecord>,
    /// StartNotify calls received: characteristic UUID and scenario time.
    pub subscribe_calls: Vec<(String, f64)>,
    /// Cut the next data frame to this many bytes.
    pub truncate_next: Option<usize>,
    /// Last value per characteristic UUID.
    pub values: HashMap<String, Vec<u8>>,
}

impl StrapState {
    /// A strap, out of any connection, in range.
    pub fn new(info: StrapInfo, firmware: Firmware) -> Self {
        let n = info.index + 1;
        let address = format!("F0:5E:D0:00:{:02X}:{:02X}", (n >> 8) & 0xFF, n & 0xFF);
        let path = format!("{ADAPTER_PATH}/dev_{}", address.replace(':', "_"));
        let gatt = layout(&path, &firmware);
        Self {
            info,
            address,
            path,
            firmware,
            in_range: true,
            rssi: -52 - 6 * info.index.min(6) as i16,
            connected: false,
            connecting: false,
            timing: ConnectTiming::default(),
            link_epoch: 0,
            resolved: false,
            exported: false,
            gatt_exported: false,
            gatt,
            notifying: BTreeSet::new(),
            writes: Vec::new(),
            subscribe_calls: Vec::new(),
            truncate_next: None,
            values: HashMap::new(),
        }
    }

    /// The characteristic with this UUID.
    pub fn char_by_uuid(&self, uuid: &str) -> Option<&GattChar> {
        self.gatt
            .iter()
            .flat_map(|s| &s.chars)
            .find(|c| c.uuid == uuid)
    }

    /// Drops the link (client disconnect or link loss): returns what to signal.
    /// The client's subscriptions stay, as BlueZ keeps its notify sessions.
    pub fn drop_link(&mut self) -> Vec<Change> {
        if !self.connected {
            return Vec::new();
        }
        self.connected = false;
        self.resolved = false;
        self.link_epoch += 1;
        self.firmware.disconnected();
        vec![Change {
            path: self.path.clone(),
            iface: DEVICE_IFACE,
            props: vec![
                ("ServicesResolved", Prop::Bool(false)),
                ("Connected", Prop::Bool(false)),
            ],
        }]
    }

    /// The link comes up at scenario time `t`: BlueZ re-enables every earlier
    /// subscription on the strap by itself, so notifications flow at once.
    /// Returns what to signal (Connected, and a fresh RSSI as on a real link).
    pub fn link_up(&mut self, t: f64) -> Vec<Change> {
        self.connected = true;
        for uuid in &self.notifying {
            self.firmware.set_notifying(uuid, true, t);
        }
        vec![Change {
            path: self.path.clone(),
            iface: DEVICE_IFACE,
            props: vec![
                ("Connected", Prop::Bool(true)),
                ("RSSI", Prop::I16(self.rssi)),
            ],
        }]
    }
}

/// org.bluez.Device1
pub const DEVICE_IFACE: &str = "org.bluez.Device1";
/// org.bluez.GattCharacteristic1
pub const CHAR_IFACE: &str = "org.bluez.GattCharacteristic1";

/// GATT paths as BlueZ names them: serviceXXXX/charYYYY/descZZZZ with ATT handles.
fn layout(device_path: &str, firmware: &Firmware) -> Vec<GattService> {
    let mut handle: u16 = 0x000a;
    let mut services = Vec::new();
    for s in firmware.services() {
        let path = format!("{device_path}/service{handle:04x}");
        handle += 1;
        let mut chars = Vec::new();
        for c in s.chars {
            let char_path = format!("{path}/char{handle:04x}");
            handle += 2;
            let ccc_path = c
                .flags
                .iter()
                .any(|f| *f == "notify" || *f == "indicate")
                .then(|| {
                    let p = format!("{char_path}/desc{handle:04x}");
                    handle += 1;
                    p
                });
            chars.push(GattChar {
                uuid: c.uuid,
                path: char_path,
                flags: c.flags,
                ccc_path,
            });
        }
        services.push(GattService {
            uuid: s.uuid,
            path,
            chars,
        });
        handle += 1;
    }
    services
}

/// Discovery state of the adapter.
#[derive(Debug, Clone, Default)]
pub struct AdapterState {
    /// Powered.
    pub powered: bool,
    /// Unique bus names of the clients with a discovery session (Discovering =
    /// not empty).
    pub discovery_clients: BTreeSet<String>,
    /// Service UUIDs of the discovery filter (empty = all).
    pub filter_uuids: Vec<String>,
}

/// Everything the emulator knows.
#[derive(Debug)]
pub struct World {
    /// Straps served.
    pub straps: Vec<StrapState>,
    /// The scenario acted out.
    pub motion: Motion,
    /// Scenario clock.
    pub clock: Clock,
    /// Adapter state.
    pub adapter: AdapterState,
}

impl World {
    /// Strap index by address (case-insensitive).
    pub fn strap(&self, address: &str) -> Option<usize> {
        self.straps
            .iter()
            .position(|s| s.address.eq_ignore_ascii_case(address))
    }

    /// Whether strap `i` advertises a service in the discovery filter.
    pub fn passes_filter(&self, i: usize) -> bool {
        let f = &self.adapter.filter_uuids;
        f.is_empty()
            || self.straps[i]
                .firmware
                .advertised()
                .iter()
                .any(|u| f.iter().any(|x| x.eq_ignore_ascii_case(u)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{Placement, Side, StrapKind};

    #[test]
    fn gatt_paths_follow_bluez_naming() {
        let info = StrapInfo {
            kind: StrapKind::HeartRate,
            placement: Placement::Chest,
            side: Side::Left,
            index: 0,
        };
        let s = StrapState::new(info, Firmware::new(info, 1, 0.0));
        assert_eq!(s.path, "/org/bluez/hci0/dev_F0_5E_D0_00_00_01");
        let hr = &s.gatt[0];
        assert_eq!(hr.path, format!("{}/service000a", s.path));
        assert_eq!(hr.chars[0].path, format!("{}/char000b", hr.path));
        assert_eq!(
            hr.chars[0].ccc_path.as_deref(),
            Some(format!("{}/char000b/desc000d", hr.path).as_str())
        );
        assert_eq!(hr.chars[1].path, format!("{}/char000e", hr.path));
        assert_eq!(hr.chars[1].ccc_path, None);
    }
}
