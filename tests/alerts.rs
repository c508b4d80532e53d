//! Desktop notifications reach a notification server on a (private) session bus
//! through `org.freedesktop.Notifications`, as a desktop's would.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use firmware_sim::bus::PrivateBus;
use postured::alerts::{SlouchAlert, spawn_desktop};

/// What was shown: app name, summary, body, the id it replaces.
type Shown = (String, String, String, u32);

#[derive(Clone, Default)]
struct Server {
    shown: Arc<Mutex<Vec<Shown>>>,
}

#[zbus::interface(name = "org.freedesktop.Notifications")]
impl Server {
    #[allow(clippy::too_many_arguments)]
    fn notify(
        &self,
        app_name: String,
        replaces_id: u32,
        _app_icon: String,
        summary: String,
        body: String,
        _actions: Vec<String>,
        _hints: std::collections::HashMap<String, zbus::zvariant::OwnedValue>,
        _expire_timeout: i32,
    ) -> u32 {
        let mut shown = self.shown.lock().unwrap();
        shown.push((app_name, summary, body, replaces_id));
        shown.len() as u32
    }
}

#[tokio::test]
async fn a_slouch_alert_becomes_a_desktop_notification() {
    let dir = std::env::temp_dir().join(format!("postured-alerts-{}", std::process::id()));
    let bus = PrivateBus::start(&dir).expect("dbus-daemon (scripts/install-deps.sh)");
    let server = Server::default();
    let _conn = zbus::connection::Builder::address(bus.address())
        .unwrap()
        .serve_at("/org/freedesktop/Notifications", server.clone())
        .unwrap()
        .name("org.freedesktop.Notifications")
        .unwrap()
        .build()
        .await
        .unwrap();
    let alerts = spawn_desktop(Some(bus.address().to_owned()));
    alerts
        .send(SlouchAlert {
            slouched_s: 61.0,
            tilt_deg: 22.4,
        })
        .await
        .unwrap();
    alerts
        .send(SlouchAlert {
            slouched_s: 60.0,
            tilt_deg: 18.0,
        })
        .await
        .unwrap();
    for _ in 0..100 {
        if server.shown.lock().unwrap().len() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let shown = server.shown.lock().unwrap().clone();
    assert_eq!(shown.len(), 2, "{shown:?}");
    assert_eq!(shown[0].0, "postured");
    assert!(
        shown[0].2.contains("61 s") && shown[0].2.contains("22°"),
        "{shown:?}"
    );
    // The second replaces the first rather than piling up.
    assert_eq!(shown[1].3, 1);
    drop(bus);
    let _ = std::fs::remove_dir_all(&dir);
}
