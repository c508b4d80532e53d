//! A private system bus: dbus-daemon with the permissive policy from
//! bluez-emulation.md, listening on `DIR/system_bus_socket`. Stopped on drop.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// Why the bus did not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BusError {
    /// Writing the config file failed.
    #[error("cannot write {path}: {source}")]
    Config {
        /// Config file.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// dbus-daemon could not be run (is the dbus-daemon package installed?).
    #[error("cannot run dbus-daemon: {0}")]
    Spawn(std::io::Error),
    /// dbus-daemon exited without printing its address.
    #[error("dbus-daemon printed no address")]
    NoAddress,
}

/// A running private bus.
#[derive(Debug)]
pub struct PrivateBus {
    child: Child,
    address: String,
    socket: PathBuf,
}

/// The bus config: system type, one unix socket, allow everything.
pub fn config(dir: &Path) -> String {
    format!(
        r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path={}/system_bus_socket</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#,
        dir.display()
    )
}

impl PrivateBus {
    /// Starts dbus-daemon in the foreground (as our child, in a process group of
    /// its own) with its socket in `dir`.
    pub fn start(dir: &Path) -> Result<Self, BusError> {
        let path = dir.join("bus.conf");
        std::fs::create_dir_all(dir)
            .and_then(|()| std::fs::write(&path, config(dir)))
            .map_err(|source| BusError::Config {
                path: path.clone(),
                source,
            })?;
        let mut command = Command::new("dbus-daemon");
        command
            .arg(format!("--config-file={}", path.display()))
            .args(["--nofork", "--nopidfile", "--print-address=1"])
            .stdout(Stdio::piped())
            .stdin(Stdio::null());
        // In a process group of its own, Ctrl-C at a terminal (or `timeout`)
        // stops the programs using the bus, not the bus under them: they stop
        // first, and [`Drop`] stops it last.
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let mut child = command.spawn().map_err(BusError::Spawn)?;
        let stdout = child.stdout.take().ok_or(BusError::NoAddress)?;
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .map_err(BusError::Spawn)?;
        let address = line.trim().to_owned();
        if address.is_empty() {
            let _ = child.kill();
            let _ = child.wait();
            return Err(BusError::NoAddress);
        }
        Ok(Self {
            child,
            address,
            socket: dir.join("system_bus_socket"),
        })
    }

    /// The address to put in `DBUS_SYSTEM_BUS_ADDRESS`.
    pub fn address(&self) -> &str {
        &self.address
    }

    /// For tests: runs the ignored test `test` of the current test binary in a
    /// child process on this bus, with `marker` set in its environment (libdbus
    /// reads `DBUS_SYSTEM_BUS_ADDRESS` once per process, and setting it in-process
    /// needs `unsafe`). Prints the child's output; panics unless its test passed.
    pub fn run_test(&self, test: &str, marker: &str) {
        let out = Command::new(std::env::current_exe().expect("the test binary's path"))
            .args([
                "--exact",
                test,
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("DBUS_SYSTEM_BUS_ADDRESS", self.address())
            .env(marker, "1")
            .output()
            .expect("the test binary runs");
        let stdout = String::from_utf8_lossy(&out.stdout);
        println!("{stdout}");
        eprintln!("{}", String::from_utf8_lossy(&out.stderr));
        assert!(
            out.status.success() && stdout.contains("1 passed"),
            "inner test {test} failed"
        );
    }
}

impl Drop for PrivateBus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        // Killed, dbus-daemon cannot remove its socket itself.
        let _ = std::fs::remove_file(&self.socket);
    }
}
