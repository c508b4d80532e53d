//! The client side of `org.postured.Sim1` (see [`super::control`]), for tests,
//! the demo and tools.

/// Client side of the control interface, for tests and tools.
#[zbus::proxy(
    interface = "org.postured.Sim1",
    default_service = "org.postured.Sim1",
    default_path = "/org/postured/Sim1",
    gen_blocking = false
)]
pub trait Sim1 {
    /// (address, name, kind, placement) of every strap.
    fn straps(&self) -> zbus::Result<Vec<(String, String, String, String)>>;
    /// Current scenario time.
    fn scenario_time(&self) -> zbus::Result<f64>;
    /// Scenario seconds per real second.
    fn set_speed(&self, speed: f64) -> zbus::Result<()>;
    /// Switch scenario.
    fn set_scenario(&self, path: &str) -> zbus::Result<()>;
    /// Link loss.
    fn drop_link(&self, address: &str) -> zbus::Result<()>;
    /// Out of range / back.
    fn set_in_range(&self, address: &str, in_range: bool) -> zbus::Result<()>;
    /// Adapter power.
    fn set_adapter_powered(&self, on: bool) -> zbus::Result<()>;
    /// RSSI.
    fn set_rssi(&self, address: &str, rssi: i16) -> zbus::Result<()>;
    /// Battery percent.
    fn set_battery(&self, address: &str, percent: u8) -> zbus::Result<()>;
    /// Raw bytes on the data characteristic.
    fn inject_frame(&self, address: &str, bytes: &[u8]) -> zbus::Result<bool>;
    /// Cut the next data frame.
    fn truncate_next_frame(&self, address: &str, length: u32) -> zbus::Result<()>;
    /// Writes received: (UUID, bytes, scenario time).
    fn writes(&self, address: &str) -> zbus::Result<Vec<(String, Vec<u8>, f64)>>;
    /// StartNotify calls: (UUID, scenario time).
    fn subscribe_calls(&self, address: &str) -> zbus::Result<Vec<(String, f64)>>;
    /// Forget writes.
    fn clear_writes(&self, address: &str) -> zbus::Result<()>;
    /// (connected, in range, notifying count).
    fn link(&self, address: &str) -> zbus::Result<(bool, bool, u32)>;
    /// Connect timing: link up after `link_ms`, services `resolve_ms` later.
    fn set_connect_timing(&self, address: &str, link_ms: u32, resolve_ms: u32) -> zbus::Result<()>;
    /// Strap power (battery out / back).
    fn set_strap_powered(&self, address: &str, on: bool) -> zbus::Result<()>;
    /// The H10 stops its stream itself; whether one was running.
    fn stop_stream(&self, address: &str) -> zbus::Result<bool>;
    /// The H10's stream goes silent or speaks again.
    fn set_stream_silent(&self, address: &str, silent: bool) -> zbus::Result<bool>;
    /// Split control point answers (0: never).
    fn set_max_control_packet(&self, address: &str, max: u32) -> zbus::Result<bool>;
}
