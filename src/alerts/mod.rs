//! Alerts that leave the daemon: desktop notifications over the session bus
//! (`org.freedesktop.Notifications`), when there is one. Strap vibrations go
//! through the device layer; live events through the HTTP stream.

use tokio::sync::mpsc;

/// A slouch alert to show.
#[derive(Debug, Clone, PartialEq)]
pub struct SlouchAlert {
    /// How long the wearer has slouched (s).
    pub slouched_s: f64,
    /// Tilt from upright (deg).
    pub tilt_deg: f64,
}

#[zbus::proxy(
    interface = "org.freedesktop.Notifications",
    default_service = "org.freedesktop.Notifications",
    default_path = "/org/freedesktop/Notifications"
)]
trait Notifications {
    #[allow(clippy::too_many_arguments)]
    fn notify(
        &self,
        app_name: &str,
        replaces_id: u32,
        app_icon: &str,
        summary: &str,
        body: &str,
        actions: &[&str],
        hints: std::collections::HashMap<&str, zbus::zvariant::Value<'_>>,
        expire_timeout: i32,
    ) -> zbus::Result<u32>;
}

/// The text of a notification.
pub fn text(alert: &SlouchAlert) -> (String, String) {
    (
        "Time to sit up".to_owned(),
        format!(
            "You have been slouching for {:.0} s ({:.0}° forward). Roll your shoulders back.",
            alert.slouched_s, alert.tilt_deg
        ),
    )
}

/// Starts a task that shows desktop notifications on the session bus at
/// `address` (or `DBUS_SESSION_BUS_ADDRESS`); returns where to send alerts.
/// Without a session bus, alerts are logged once and dropped: a system service
/// has no desktop.
pub fn spawn_desktop(address: Option<String>) -> mpsc::Sender<SlouchAlert> {
    let (tx, mut rx) = mpsc::channel::<SlouchAlert>(8);
    tokio::spawn(async move {
        let conn = match &address {
            Some(a) => match zbus::connection::Builder::address(a.as_str()) {
                Ok(b) => b.build().await,
                Err(e) => Err(e),
            },
            None => zbus::Connection::session().await,
        };
        let proxy = match conn {
            Ok(c) => NotificationsProxy::new(&c).await.ok(),
            Err(e) => {
                tracing::info!("no desktop notifications (no session bus: {e})");
                None
            }
        };
        let mut last_id = 0;
        while let Some(alert) = rx.recv().await {
            let Some(p) = &proxy else { continue };
            let (summary, body) = text(&alert);
            match p
                .notify(
                    "postured",
                    last_id,
                    "dialog-information",
                    &summary,
                    &body,
                    &[],
                    Default::default(),
                    10_000,
                )
                .await
            {
                Ok(id) => last_id = id,
                Err(e) => tracing::warn!("desktop notification failed: {e}"),
            }
        }
    });
    tx
}
