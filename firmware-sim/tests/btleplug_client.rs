//! btleplug, unchanged, against the emulated BlueZ: filtered scan, connect,
//! service discovery, PMD control point exchange, a minute of 200 Hz ACC without
//! a lost frame, Open IMU frames and a haptic write, link loss and reconnect,
//! out of range and back, a truncated frame.

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use btleplug::api::{
    Central, CentralEvent, Characteristic, Manager as _, Peripheral as _, ScanFilter, WriteType,
};
use btleplug::platform::{Adapter, Manager, Peripheral};
use firmware_sim::bluez::control::Sim1Proxy;
use futures::{Stream, StreamExt};
use uuid::Uuid;

const HR_SERVICE: Uuid = Uuid::from_u128(0x0000180d_0000_1000_8000_00805f9b34fb);
const OPEN_IMU_SERVICE: Uuid = Uuid::from_u128(0x5a3e0001_7f4c_4e59_9d3b_2c1a8e6f4b70);
const OPEN_IMU_DATA: Uuid = Uuid::from_u128(0x5a3e0002_7f4c_4e59_9d3b_2c1a8e6f4b70);
const OPEN_IMU_HAPTIC: Uuid = Uuid::from_u128(0x5a3e0004_7f4c_4e59_9d3b_2c1a8e6f4b70);
const PMD_CONTROL: Uuid = Uuid::from_u128(0xfb005c81_02e7_f387_1cad_8acd2d8df0c8);
const PMD_DATA: Uuid = Uuid::from_u128(0xfb005c82_02e7_f387_1cad_8acd2d8df0c8);
const BATTERY_LEVEL: Uuid = Uuid::from_u128(0x00002a19_0000_1000_8000_00805f9b34fb);
const HR_MEASUREMENT: Uuid = Uuid::from_u128(0x00002a37_0000_1000_8000_00805f9b34fb);
const START_ACC_200HZ: [u8; 14] = [
    0x02, 0x02, 0x00, 0x01, 0xC8, 0x00, 0x01, 0x01, 0x10, 0x00, 0x02, 0x01, 0x08, 0x00,
];
const SPEED: &str = "20";
const RECONNECT_CYCLES: usize = 30;

#[test]
fn btleplug_client_against_the_emulator() {
    let scenario = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/desk-hour.toml");
    let h = common::Harness::start(
        "btleplug",
        &[
            "--scenario",
            scenario,
            "--strap",
            "polar-h10:chest",
            "--strap",
            "open-imu:thigh",
            "--strap",
            "heart-rate:chest",
            "--speed",
            SPEED,
        ],
    );
    h.run_inner("inner_btleplug_client");
}

#[test]
#[ignore = "run by btleplug_client_against_the_emulator on its private bus"]
fn inner_btleplug_client() {
    if std::env::var_os(common::INNER).is_none() {
        return;
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(client());
}

async fn within<T>(secs: u64, what: &str, f: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(secs), f)
        .await
        .unwrap_or_else(|_| panic!("timed out: {what}"))
}

async fn scan(central: &Adapter, service: Uuid) -> Vec<String> {
    central
        .start_scan(ScanFilter {
            services: vec![service],
        })
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(400)).await;
    central.stop_scan().await.unwrap();
    let mut names = Vec::new();
    for p in central.peripherals().await.unwrap() {
        if let Some(props) = p.properties().await.unwrap() {
            names.push(props.local_name.unwrap_or_default());
        }
    }
    names.sort();
    names
}

async fn find(central: &Adapter, prefix: &str) -> Peripheral {
    for p in central.peripherals().await.unwrap() {
        let name = p
            .properties()
            .await
            .unwrap()
            .and_then(|x| x.local_name)
            .unwrap_or_default();
        if name.starts_with(prefix) {
            return p;
        }
    }
    panic!("no peripheral named {prefix}*");
}

fn char_of(p: &Peripheral, uuid: Uuid) -> Characteristic {
    p.characteristics()
        .into_iter()
        .find(|c| c.uuid == uuid)
        .unwrap_or_else(|| panic!("{uuid} not discovered"))
}

async fn next_on(
    stream: &mut (impl Stream<Item = btleplug::api::ValueNotification> + Unpin),
    uuid: Uuid,
) -> Vec<u8> {
    within(5, "notification", async {
        loop {
            let n = stream.next().await.expect("notification stream ended");
            if n.uuid == uuid {
                return n.value;
            }
        }
    })
    .await
}

type Notes = std::pin::Pin<Box<dyn Stream<Item = btleplug::api::ValueNotification> + Send>>;

async fn client() {
    let manager = Manager::new().await.unwrap();
    let adapters = manager.adapters().await.unwrap();
    let central = adapters.into_iter().next().expect("hci0 listed");
    let mut events = central.events().await.unwrap();
    let conn = zbus::Connection::system().await.unwrap();
    let control = Sim1Proxy::new(&conn).await.unwrap();

    filtered_scan(&central, &mut events).await;
    let h10 = find(&central, "Polar H10").await;
    let mut notes = h10_session(&h10, &control).await;
    heart_rate_strap(&central).await;
    open_imu(&central, &control).await;
    link_loss_and_reconnect(&h10, &control, &mut events, &mut notes).await;
    reconnect_cycles(&h10, &control, &mut events, &mut notes).await;
    out_of_range_and_back(&central, &h10, &control, &mut events).await;
    scenario_and_clock(&control).await;
}

/// The filter is honoured: only the two heart-rate straps advertise 0x180D.
async fn filtered_scan(central: &Adapter, events: &mut (impl Stream<Item = CentralEvent> + Unpin)) {
    let names = scan(central, HR_SERVICE).await;
    assert_eq!(names.len(), 2, "{names:?}");
    assert_eq!(
        discovered_events(events).await,
        2,
        "DeviceDiscovered events for the filtered scan"
    );
    assert!(
        names[0].starts_with("HR Strap") && names[1].starts_with("Polar H10"),
        "{names:?}"
    );
    let names = scan(central, OPEN_IMU_SERVICE).await;
    assert!(names.iter().any(|n| n.starts_with("OpenIMU")), "{names:?}");
}

/// Connect, discover, the PMD exchange, a minute of ACC, stop, battery.
async fn h10_session(h10: &Peripheral, control: &Sim1Proxy<'_>) -> Notes {
    let addr = h10.address().to_string();
    within(10, "connect", h10.connect()).await.unwrap();
    h10.discover_services().await.unwrap();
    let uuids: BTreeSet<Uuid> = h10.services().iter().map(|s| s.uuid).collect();
    assert_eq!(uuids.len(), 4, "{uuids:?}");
    assert_eq!(h10.read(&char_of(h10, BATTERY_LEVEL)).await.unwrap(), [94]);
    let mut notes = h10.notifications().await.unwrap();
    let (cp, data) = (char_of(h10, PMD_CONTROL), char_of(h10, PMD_DATA));
    h10.subscribe(&cp).await.unwrap();
    h10.subscribe(&data).await.unwrap();
    h10.write(&cp, &[0x01, 0x02], WriteType::WithResponse)
        .await
        .unwrap();
    assert_eq!(
        &next_on(&mut notes, PMD_CONTROL).await[..5],
        [0xF0, 0x01, 0x02, 0x00, 0x00]
    );
    h10.write(&cp, &START_ACC_200HZ, WriteType::WithResponse)
        .await
        .unwrap();
    assert_eq!(
        next_on(&mut notes, PMD_CONTROL).await,
        [0xF0, 0x02, 0x02, 0x00, 0x00, 0x01]
    );
    // A second start gets an error status; the stream carries on as configured.
    let bad_rate = [0x02, 0x02, 0x00, 0x01, 0x34, 0x00];
    h10.write(&cp, &bad_rate, WriteType::WithResponse)
        .await
        .unwrap();
    assert_eq!(
        next_on(&mut notes, PMD_CONTROL).await[3],
        6,
        "already in state"
    );

    let (frames, samples) = minute_of_acc(&mut notes).await;
    println!("H10: {frames} ACC frames, {samples} samples at 200 Hz, none lost");

    h10.write(&cp, &[0x03, 0x02], WriteType::WithResponse)
        .await
        .unwrap();
    assert_eq!(
        next_on(&mut notes, PMD_CONTROL).await,
        [0xF0, 0x03, 0x02, 0x00, 0x00]
    );
    let writes = control.writes(&addr).await.unwrap();
    let pmd: Vec<&[u8]> = writes.iter().map(|w| w.1.as_slice()).collect();
    assert_eq!(pmd, [&[1u8, 2][..], &START_ACC_200HZ, &bad_rate, &[3, 2]]);

    // Battery notifications follow the control interface.
    h10.subscribe(&char_of(h10, BATTERY_LEVEL)).await.unwrap();
    control.set_battery(&addr, 42).await.unwrap();
    assert_eq!(next_on(&mut notes, BATTERY_LEVEL).await, [42]);
    notes
}

/// Scenario switch and clock speed.
async fn scenario_and_clock(control: &Sim1Proxy<'_>) {
    let squat = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/squat.toml");
    control.set_scenario(squat).await.unwrap();
    assert!(control.set_scenario("/nonexistent.toml").await.is_err());
    assert!(
        control.drop_link("00:00:00:00:00:00").await.is_err(),
        "unknown strap"
    );
    control.set_speed(1.0).await.unwrap();
    let t0 = control.scenario_time().await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let dt = control.scenario_time().await.unwrap() - t0;
    assert!(
        dt > 0.2 && dt < 1.5,
        "scenario clock at speed 1 moved {dt} s in 0.3 s"
    );
}

/// 60 s of scenario at 200 Hz: frame timestamps must step by exactly 36 samples.
async fn minute_of_acc(
    notes: &mut (impl Stream<Item = btleplug::api::ValueNotification> + Unpin),
) -> (usize, usize) {
    let mut last_ts: Option<u64> = None;
    let (mut frames, mut samples) = (0, 0);
    while samples < 60 * 200 {
        let f = next_on(notes, PMD_DATA).await;
        assert_eq!((f[0], f[9]), (0x02, 0x01), "ACC frame type 1");
        let n = (f.len() - 10) / 6;
        let ts = u64::from_le_bytes(f[1..9].try_into().unwrap());
        if let Some(prev) = last_ts {
            assert_eq!(
                ts - prev,
                n as u64 * 5_000_000,
                "frame lost after {frames} frames"
            );
        }
        let z = i16::from_le_bytes([f[14], f[15]]);
        assert!(z.abs() < 8000);
        last_ts = Some(ts);
        frames += 1;
        samples += n;
    }
    (frames, samples)
}

async fn discovered_events(events: &mut (impl Stream<Item = CentralEvent> + Unpin)) -> usize {
    let mut ids = BTreeSet::new();
    while let Ok(Some(e)) = tokio::time::timeout(Duration::from_millis(300), events.next()).await {
        if let CentralEvent::DeviceDiscovered(id) = e {
            ids.insert(id);
        }
    }
    ids.len()
}

/// The plain strap: Heart Rate Measurements with RR intervals, once a scenario second.
async fn heart_rate_strap(central: &Adapter) {
    let hr = find(central, "HR Strap").await;
    within(10, "connect hr strap", hr.connect()).await.unwrap();
    hr.discover_services().await.unwrap();
    assert_eq!(hr.services().len(), 1);
    let mut notes = hr.notifications().await.unwrap();
    hr.subscribe(&char_of(&hr, HR_MEASUREMENT)).await.unwrap();
    for _ in 0..3 {
        let m = next_on(&mut notes, HR_MEASUREMENT).await;
        assert_eq!(m[0] & 0x16, 0x16, "contact + RR flags: {m:?}");
        assert!((50..130).contains(&m[1]), "bpm {}", m[1]);
        let rr: Vec<u16> = m[2..]
            .chunks(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        assert!(
            !rr.is_empty() && rr.iter().all(|r| (400..1300).contains(r)),
            "{rr:?}"
        );
    }
    hr.disconnect().await.unwrap();
}

async fn open_imu(central: &Adapter, control: &Sim1Proxy<'_>) {
    let imu = find(central, "OpenIMU").await;
    let addr = imu.address().to_string();
    within(10, "connect open imu", imu.connect()).await.unwrap();
    imu.discover_services().await.unwrap();
    let mut notes = imu.notifications().await.unwrap();
    imu.subscribe(&char_of(&imu, OPEN_IMU_DATA)).await.unwrap();
    let mut seq = Vec::new();
    for _ in 0..20 {
        let f = next_on(&mut notes, OPEN_IMU_DATA).await;
        assert_eq!(f[0], 1);
        seq.push(u16::from_le_bytes([f[2], f[3]]));
    }
    assert!(
        seq.windows(2).all(|w| w[1] == w[0].wrapping_add(1)),
        "{seq:?}"
    );
    imu.write(
        &char_of(&imu, OPEN_IMU_HAPTIC),
        &[2, 0xF4, 0x01],
        WriteType::WithoutResponse,
    )
    .await
    .unwrap();
    let writes = within(5, "haptic recorded", async {
        loop {
            let w = control.writes(&addr).await.unwrap();
            if !w.is_empty() {
                return w;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    assert_eq!(writes[0].1, [2, 0xF4, 0x01]);
    control.truncate_next_frame(&addr, 12).await.unwrap();
    let short = within(5, "truncated frame", async {
        loop {
            let f = next_on(&mut notes, OPEN_IMU_DATA).await;
            if f.len() == 12 {
                return f;
            }
        }
    })
    .await;
    assert_eq!(short[0], 1);
    imu.disconnect().await.unwrap();
}

async fn wait_disconnected(
    events: &mut (impl Stream<Item = CentralEvent> + Unpin),
    id: &btleplug::platform::PeripheralId,
) {
    within(10, "DeviceDisconnected", async {
        while let Some(e) = events.next().await {
            if matches!(&e, CentralEvent::DeviceDisconnected(x) if x == id) {
                return;
            }
        }
        panic!("event stream ended");
    })
    .await;
}

async fn start_acc(h10: &Peripheral, notes: &mut Notes) {
    let (cp, data) = (char_of(h10, PMD_CONTROL), char_of(h10, PMD_DATA));
    h10.subscribe(&cp).await.unwrap();
    h10.subscribe(&data).await.unwrap();
    h10.write(&cp, &START_ACC_200HZ, WriteType::WithResponse)
        .await
        .unwrap();
    assert_eq!(
        next_on(notes, PMD_CONTROL).await,
        [0xF0, 0x02, 0x02, 0x00, 0x00, 0x01]
    );
    assert_eq!(next_on(notes, PMD_DATA).await[9], 0x01);
}

/// After a reconnect BlueZ restored the subscriptions by itself. An H10 whose
/// stream ran on through the link loss answers START with "already in state":
/// then STOP and START start it afresh.
async fn restart_acc(h10: &Peripheral, notes: &mut Notes, running: bool) {
    let cp = char_of(h10, PMD_CONTROL);
    if !running {
        h10.write(&cp, &START_ACC_200HZ, WriteType::WithResponse)
            .await
            .unwrap();
        assert_eq!(
            next_on(notes, PMD_CONTROL).await,
            [0xF0, 0x02, 0x02, 0x00, 0x00, 0x01]
        );
        assert_eq!(next_on(notes, PMD_DATA).await[9], 0x01);
        return;
    }
    // Frames flow before anything is asked.
    assert_eq!(next_on(notes, PMD_DATA).await[9], 0x01);
    h10.write(&cp, &START_ACC_200HZ, WriteType::WithResponse)
        .await
        .unwrap();
    assert_eq!(
        next_on(notes, PMD_CONTROL).await,
        [0xF0, 0x02, 0x02, 0x06, 0x00]
    );
    h10.write(&cp, &[0x03, 0x02], WriteType::WithResponse)
        .await
        .unwrap();
    assert_eq!(
        next_on(notes, PMD_CONTROL).await,
        [0xF0, 0x03, 0x02, 0x00, 0x00]
    );
    start_acc(h10, notes).await;
}

/// Link loss, reconnect on the same Peripheral (the notification stream carries
/// on), then a malformed frame injected by the control interface.
async fn link_loss_and_reconnect(
    h10: &Peripheral,
    control: &Sim1Proxy<'_>,
    events: &mut (impl Stream<Item = CentralEvent> + Unpin),
    notes: &mut Notes,
) {
    let addr = h10.address().to_string();
    control.drop_link(&addr).await.unwrap();
    wait_disconnected(events, &h10.id()).await;
    assert!(!h10.is_connected().await.unwrap());
    within(10, "reconnect", h10.connect()).await.unwrap();
    h10.discover_services().await.unwrap();
    // The minute of ACC ended with STOP: nothing runs.
    restart_acc(h10, notes, false).await;
    assert!(
        control
            .inject_frame(&addr, &[0x02, 0xFF, 0x00])
            .await
            .unwrap()
    );
    within(5, "injected frame", async {
        while next_on(notes, PMD_DATA).await != [0x02, 0xFF, 0x00] {}
    })
    .await;
}

/// Repeated link losses with one long-lived event stream and one notification
/// stream (bluez-emulation.md: never create streams per reconnect).
async fn reconnect_cycles(
    h10: &Peripheral,
    control: &Sim1Proxy<'_>,
    events: &mut (impl Stream<Item = CentralEvent> + Unpin),
    notes: &mut Notes,
) {
    let addr = h10.address().to_string();
    for _ in 0..RECONNECT_CYCLES {
        control.drop_link(&addr).await.unwrap();
        wait_disconnected(events, &h10.id()).await;
        within(10, "reconnect cycle", h10.connect()).await.unwrap();
        restart_acc(h10, notes, true).await;
    }
    println!("H10: {RECONNECT_CYCLES} link-loss/reconnect cycles, each streaming again");
}

/// Out of range: the link drops and connecting fails until it is back.
async fn out_of_range_and_back(
    central: &Adapter,
    h10: &Peripheral,
    control: &Sim1Proxy<'_>,
    events: &mut (impl Stream<Item = CentralEvent> + Unpin),
) {
    let addr = h10.address().to_string();
    control.set_in_range(&addr, false).await.unwrap();
    wait_disconnected(events, &h10.id()).await;
    assert!(h10.connect().await.is_err());
    control.set_in_range(&addr, true).await.unwrap();
    within(10, "connect after back in range", h10.connect())
        .await
        .unwrap();
    assert!(h10.is_connected().await.unwrap());
    // BlueZ kept the subscriptions (control point, data, heart rate, battery...).
    let (connected, in_range, notifying) = control.link(&addr).await.unwrap();
    assert!(connected && in_range && notifying >= 2, "{notifying}");
    control.set_rssi(&addr, -83).await.unwrap();
    within(5, "RSSI update", async {
        while h10.properties().await.unwrap().and_then(|p| p.rssi) != Some(-83) {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    assert!(central.peripherals().await.unwrap().len() >= 3);
}
