//! `Connect` as real BlueZ does it, against the simulator over plain D-Bus: the
//! answer comes when the link is up and `ServicesResolved` later; a second
//! `Connect` meanwhile answers InProgress; subscriptions survive a link loss and
//! notifications flow again as soon as the link is back, before anyone asks; an
//! H10's ACC stream runs on across the loss.

mod common;

use std::time::{Duration, Instant};

use firmware_sim::bluez::control::Sim1Proxy;
use futures::StreamExt;
use zbus::Connection;

const H10: &str = "F0:5E:D0:00:00:01";
const DEV: &str = "/org/bluez/hci0/dev_F0_5E_D0_00_00_01";

async fn call(conn: &Connection, path: &str, iface: &str, method: &str) -> Result<(), String> {
    conn.call_method(Some("org.bluez"), path, Some(iface), method, &())
        .await
        .map(|_| ())
        .map_err(|e| match e {
            zbus::Error::MethodError(name, _, _) => name.to_string(),
            other => other.to_string(),
        })
}

async fn prop(
    conn: &Connection,
    path: &str,
    iface: &str,
    name: &str,
) -> zbus::zvariant::OwnedValue {
    let props = zbus::fdo::PropertiesProxy::builder(conn)
        .destination("org.bluez")
        .unwrap()
        .path(path.to_owned())
        .unwrap()
        .build()
        .await
        .unwrap();
    let iface = zbus::names::InterfaceName::try_from(iface.to_owned()).unwrap();
    props.get(iface, name).await.unwrap()
}

async fn resolved(conn: &Connection) -> bool {
    bool::try_from(prop(conn, DEV, "org.bluez.Device1", "ServicesResolved").await).unwrap()
}

/// Waits (5 s at most) for `cond`.
async fn until<F: Future<Output = bool>>(what: &str, mut cond: impl FnMut() -> F) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while !cond().await {
        assert!(Instant::now() < deadline, "{what}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[test]
fn connect_answers_before_services_resolve_and_restores_subscriptions() {
    let scenario = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/desk-hour.toml");
    let h = common::Harness::start(
        "connect",
        &["--scenario", scenario, "--strap", "polar-h10:chest"],
    );
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(connect(h.address()));
}

async fn connect(bus: &str) {
    let conn = zbus::connection::Builder::address(bus)
        .unwrap()
        .build()
        .await
        .unwrap();
    let control = Sim1Proxy::new(&conn).await.unwrap();
    // Discovery exports the device.
    call(
        &conn,
        "/org/bluez/hci0",
        "org.bluez.Adapter1",
        "StartDiscovery",
    )
    .await
    .unwrap();
    until("device exported", || async {
        conn.call_method(
            Some("org.bluez"),
            DEV,
            Some("org.freedesktop.DBus.Properties"),
            "GetAll",
            &("org.bluez.Device1",),
        )
        .await
        .is_ok()
    })
    .await;
    control.set_connect_timing(H10, 300, 300).await.unwrap();
    let (first, second) = tokio::join!(call(&conn, DEV, "org.bluez.Device1", "Connect"), async {
        tokio::time::sleep(Duration::from_millis(100)).await;
        call(&conn, DEV, "org.bluez.Device1", "Connect").await
    });
    assert_eq!(first, Ok(()));
    assert_eq!(second, Err("org.bluez.Error.InProgress".into()));
    assert!(!resolved(&conn).await, "answered before services resolved");
    until("services resolved", || resolved(&conn)).await;

    // Subscribe and start the H10's ACC stream through the GATT objects.
    control.set_connect_timing(H10, 3, 5).await.unwrap();
    let chars: Vec<String> = ["service0024/char0025", "service0024/char0028"]
        .iter()
        .map(|c| format!("{DEV}/{c}"))
        .collect();
    for c in &chars {
        let uuid = String::try_from(prop(&conn, c, "org.bluez.GattCharacteristic1", "UUID").await)
            .unwrap();
        assert!(uuid.starts_with("fb005c8"), "{c} is {uuid}");
        call(&conn, c, "org.bluez.GattCharacteristic1", "StartNotify")
            .await
            .unwrap();
    }
    let start: Vec<u8> = vec![
        0x02, 0x02, 0x00, 0x01, 0xC8, 0x00, 0x01, 0x01, 0x10, 0x00, 0x02, 0x01, 0x08, 0x00,
    ];
    conn.call_method(
        Some("org.bluez"),
        chars[0].as_str(),
        Some("org.bluez.GattCharacteristic1"),
        "WriteValue",
        &(
            start,
            std::collections::HashMap::<String, zbus::zvariant::Value>::new(),
        ),
    )
    .await
    .unwrap();

    // Watch the data characteristic's notifications.
    let rule = zbus::MatchRule::builder()
        .msg_type(zbus::message::Type::Signal)
        .interface("org.freedesktop.DBus.Properties")
        .unwrap()
        .path(chars[1].as_str())
        .unwrap()
        .build();
    let mut data = zbus::MessageStream::for_match_rule(rule, &conn, None)
        .await
        .unwrap();
    tokio::time::timeout(Duration::from_secs(2), data.next())
        .await
        .expect("ACC frames flow");

    // A link loss and a reconnect: nobody subscribes again, yet frames flow.
    control.drop_link(H10).await.unwrap();
    let (connected, _, subscribed) = control.link(H10).await.unwrap();
    assert!(
        !connected && subscribed >= 2,
        "subscriptions kept: {subscribed}"
    );
    while tokio::time::timeout(Duration::from_millis(300), data.next())
        .await
        .is_ok()
    {}
    call(&conn, DEV, "org.bluez.Device1", "Connect")
        .await
        .unwrap();
    tokio::time::timeout(Duration::from_secs(2), data.next())
        .await
        .expect("frames flow again without a new StartNotify");
    let calls = control.subscribe_calls(H10).await.unwrap();
    assert_eq!(calls.len(), 2, "{calls:?}");
    // The stream ran on across the loss: START answers "already in state".
    let writes_before = control.writes(H10).await.unwrap().len();
    assert_eq!(writes_before, 1);
    assert!(
        control.stop_stream(H10).await.unwrap(),
        "a stream was running"
    );
}
