//! Harness for tests that need a bus: a private dbus-daemon, the simulator binary
//! serving on it, and this test binary re-run with DBUS_SYSTEM_BUS_ADDRESS set
//! (libdbus reads it once per process, and setting it in-process needs unsafe).

use std::path::PathBuf;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use firmware_sim::bus::PrivateBus;

/// Set in the child process that runs the inner test.
#[allow(dead_code)] // not every test binary uses every helper
pub const INNER: &str = "FIRMWARE_SIM_INNER_TEST";

/// A bus with the simulator on it.
pub struct Harness {
    sim: Child,
    bus: PrivateBus,
    dir: PathBuf,
}

impl Harness {
    /// Starts the bus and `firmware-sim serve ARGS`, and waits until both
    /// `org.bluez` and `org.postured.Sim1` have owners.
    pub fn start(name: &str, args: &[&str]) -> Self {
        let dir = std::env::temp_dir().join(format!("fsim-{name}-{}", std::process::id()));
        let bus = PrivateBus::start(&dir)
            .expect("dbus-daemon starts (scripts/install-deps.sh installs it)");
        let sim = Command::new(env!("CARGO_BIN_EXE_firmware-sim"))
            .arg("serve")
            .args(args)
            .env("DBUS_SYSTEM_BUS_ADDRESS", bus.address())
            .env("RUST_LOG", "warn")
            .spawn()
            .expect("simulator starts");
        let h = Self { sim, bus, dir };
        h.wait_ready();
        h
    }

    fn wait_ready(&self) {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let conn = zbus::connection::Builder::address(self.bus.address())
                .unwrap()
                .build()
                .await
                .unwrap();
            let dbus = zbus::fdo::DBusProxy::new(&conn).await.unwrap();
            let deadline = Instant::now() + Duration::from_secs(20);
            loop {
                let mut ready = true;
                for name in ["org.bluez", "org.postured.Sim1"] {
                    let name = zbus::names::BusName::try_from(name).unwrap();
                    ready &= dbus.name_has_owner(name).await.unwrap_or(false);
                }
                if ready {
                    return;
                }
                assert!(
                    Instant::now() < deadline,
                    "simulator did not take org.bluez"
                );
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        });
    }

    /// The bus address.
    #[allow(dead_code)] // not every test binary uses every helper
    pub fn address(&self) -> &str {
        self.bus.address()
    }

    /// Runs the ignored test `inner` of this binary in a child process on the bus;
    /// panics with its output unless it passed.
    #[allow(dead_code)] // not every test binary uses every helper
    pub fn run_inner(&self, inner: &str) {
        self.bus.run_test(inner, INNER);
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        let _ = self.sim.kill();
        let _ = self.sim.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
