//! Discovery sessions are per client, as in BlueZ: the same client starting
//! twice gets InProgress, a second client joins, and a client that left without
//! StopDiscovery does not block the next one (a restarted daemon must scan).

mod common;

use zbus::Connection;

const ADAPTER: &str = "/org/bluez/hci0";

async fn call(conn: &Connection, method: &str) -> Result<(), String> {
    conn.call_method(
        Some("org.bluez"),
        ADAPTER,
        Some("org.bluez.Adapter1"),
        method,
        &(),
    )
    .await
    .map(|_| ())
    .map_err(|e| match e {
        zbus::Error::MethodError(name, _, _) => name.to_string(),
        other => other.to_string(),
    })
}

async fn discovering(conn: &Connection) -> bool {
    let props = zbus::fdo::PropertiesProxy::builder(conn)
        .destination("org.bluez")
        .unwrap()
        .path(ADAPTER)
        .unwrap()
        .build()
        .await
        .unwrap();
    let iface = zbus::names::InterfaceName::try_from("org.bluez.Adapter1").unwrap();
    bool::try_from(props.get(iface, "Discovering").await.unwrap()).unwrap()
}

async fn client(address: &str) -> Connection {
    zbus::connection::Builder::address(address)
        .unwrap()
        .build()
        .await
        .unwrap()
}

#[test]
fn discovery_is_a_session_per_client() {
    let scenario = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/plank.toml");
    let h = common::Harness::start("discovery", &["--scenario", scenario]);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(sessions(h.address()));
}

async fn sessions(bus: &str) {
    let a = client(bus).await;
    let b = client(bus).await;
    assert!(!discovering(&a).await);
    assert_eq!(
        call(&a, "StopDiscovery").await,
        Err("org.bluez.Error.Failed".into())
    );
    call(&a, "StartDiscovery").await.unwrap();
    assert_eq!(
        call(&a, "StartDiscovery").await,
        Err("org.bluez.Error.InProgress".into())
    );
    call(&b, "StartDiscovery").await.unwrap();
    assert!(discovering(&b).await);
    call(&b, "StopDiscovery").await.unwrap();
    assert!(discovering(&b).await, "a still discovers");
    // `a` goes away without stopping; a new client can still start and stop.
    drop(a);
    let c = client(bus).await;
    call(&c, "StartDiscovery").await.unwrap();
    call(&c, "StopDiscovery").await.unwrap();
    assert!(!discovering(&c).await, "a's stale session was dropped");
}
