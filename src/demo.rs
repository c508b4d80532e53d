//! `postured demo`: the whole product on a machine with no Bluetooth. A private
//! D-Bus with firmware-sim serving BlueZ's API on it, and `postured run` talking to
//! the simulated straps through btleplug exactly as it would to real ones.
//!
//! The daemon runs as a child process because libdbus reads the bus address from
//! the environment once per process, and setting it in-process needs `unsafe`.

use std::net::SocketAddr;
use std::path::Path;
use std::process::Stdio;

use anyhow::{Context, bail};
use firmware_sim::bluez::ServeConfig;
use firmware_sim::bus::PrivateBus;
use firmware_sim::scenario::Scenario;
use firmware_sim::strap::StrapInfo;
use tokio_util::sync::CancellationToken;

/// Set for the child daemon: exit cleanly when the parent goes away (stdin closes).
pub const EXIT_WITH_PARENT: &str = "POSTURED_EXIT_WITH_PARENT";

/// The simulated straps: a Polar H10 on the chest, an open IMU strap on the left thigh.
const STRAPS: [&str; 2] = ["polar-h10:chest", "open-imu:thigh:left"];

macro_rules! embed {
    ($name:literal) => {
        (
            $name,
            include_str!(concat!("../firmware-sim/scenarios/", $name, ".toml")),
        )
    };
}

/// The scenarios of `firmware-sim/scenarios`, embedded so that the demo works
/// wherever the binary is (a Debian package has no source tree).
const SCENARIOS: &[(&str, &str)] = &[
    embed!("back-extension"),
    embed!("ball-bridge"),
    embed!("cat-cow"),
    embed!("childs-pose"),
    embed!("cobra"),
    embed!("crunch"),
    embed!("demo"),
    embed!("desk-hour"),
    embed!("hamstring-stretch"),
    embed!("knees-to-chest"),
    embed!("pectoral-stretch"),
    embed!("pelvic-tilt"),
    embed!("plank"),
    embed!("prone-leg-raise"),
    embed!("prone-scapular-squeeze"),
    embed!("shoulder-rolls"),
    embed!("side-plank"),
    embed!("squat"),
    embed!("supine-leg-raise"),
    embed!("upright-back-stretch"),
    embed!("wall-slide"),
];

/// The scenario `name`: an embedded one by its name, else a file.
fn load_scenario(name: &str) -> anyhow::Result<Scenario> {
    if let Some((_, text)) = SCENARIOS.iter().find(|(n, _)| *n == name) {
        let path = Path::new("firmware-sim/scenarios").join(format!("{name}.toml"));
        return Scenario::parse(text, &path).with_context(|| format!("scenario {name}"));
    }
    let path = Path::new(name);
    if path.extension().is_none() && path.components().count() == 1 {
        let known: Vec<&str> = SCENARIOS.iter().map(|(n, _)| *n).collect();
        bail!(
            "no scenario {name:?}: give a file or one of {}",
            known.join(", ")
        );
    }
    Scenario::load(path).with_context(|| format!("loading scenario {}", path.display()))
}

fn config_text(db: &Path, listen: SocketAddr, mqtt: Option<&str>) -> String {
    let mqtt = mqtt.map_or(String::new(), |url| format!("\n[mqtt]\nurl = {url:?}\n"));
    format!(
        "database = {db:?}\n\n[http]\nlisten = \"{listen}\"\n\n[posture]\ndelay_s = 30.0\n\n\
         [[strap]]\naddress = \"F0:5E:D0:00:00:01\"\nplacement = \"chest\"\n\n\
         [[strap]]\naddress = \"F0:5E:D0:00:00:02\"\nplacement = \"thigh\"\nside = \"left\"\n\n\
         [[routine]]\nname = \"back care\"\nexercises = [\"prone-leg-raise\", \"pectoral-stretch\"]\n{mqtt}"
    )
}

/// Runs the demo until Ctrl-C; with `mqtt`, publishing to that broker too.
pub fn run(listen: SocketAddr, scenario: &str, mqtt: Option<&str>) -> anyhow::Result<()> {
    let scenario = load_scenario(scenario)?;
    if let Some(url) = mqtt {
        postured::config::BrokerUrl::parse(url).map_err(|e| anyhow::anyhow!("--mqtt {e}"))?;
    }
    let dir = std::env::temp_dir().join(format!("postured-demo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))?;
    }
    let result = run_in(&dir, listen, scenario, mqtt);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

/// The demo's private bus: Debian's dbus-daemon when it is installed (the bus
/// real systems have), else busd, a D-Bus broker in Rust, in this process.
enum Bus {
    Daemon(PrivateBus),
    InProcess(String),
}

impl Bus {
    fn start(dir: &Path) -> anyhow::Result<Self> {
        match PrivateBus::start(dir) {
            Ok(bus) => return Ok(Bus::Daemon(bus)),
            Err(e) => tracing::info!("no dbus-daemon ({e}); using the built-in bus"),
        }
        std::fs::create_dir_all(dir)?;
        let address = format!("unix:path={}", dir.join("system_bus_socket").display());
        let (tx, rx) = std::sync::mpsc::channel();
        let listen = address.clone();
        // busd runs on its own runtime; the thread ends with the process.
        std::thread::spawn(move || {
            zruntime::block_on(async move {
                match busd::bus::Bus::for_address(Some(&listen)).await {
                    Ok(mut bus) => {
                        let _ = tx.send(Ok(()));
                        if let Err(e) = bus.run().await {
                            tracing::error!("the built-in bus stopped: {e}");
                        }
                    }
                    Err(e) => {
                        let _ = tx.send(Err(e));
                    }
                }
            });
        });
        rx.recv()
            .context("the built-in bus did not start")?
            .context("starting the built-in bus")?;
        Ok(Bus::InProcess(address))
    }

    fn address(&self) -> &str {
        match self {
            Bus::Daemon(b) => b.address(),
            Bus::InProcess(a) => a,
        }
    }
}

fn run_in(
    dir: &Path,
    listen: SocketAddr,
    scenario: Scenario,
    mqtt: Option<&str>,
) -> anyhow::Result<()> {
    let bus = Bus::start(&dir.join("bus")).context("starting a private D-Bus for the simulator")?;
    let config = dir.join("config.toml");
    std::fs::write(&config, config_text(&dir.join("postured.db"), listen, mqtt))?;
    let rt = tokio::runtime::Runtime::new()?;
    rt.block_on(async {
        let (stop_sim, sim) = simulate(scenario, bus.address()).await?;
        // The daemon tells its readiness and the address it bound (port 0
        // picks a free one) on this socket, as it would tell systemd.
        let notify_path = dir.join("notify");
        let notify = tokio::net::UnixDatagram::bind(&notify_path)
            .context("binding the daemon's notify socket")?;
        let mut child = spawn_daemon(&config, bus.address(), &notify_path)?;
        // Held here: `wait` would close it, and its closing is the stop signal.
        let stdin = child.stdin.take();
        intro(mqtt)?;
        tokio::spawn(async move {
            if let Some(url) = api_url(&notify).await {
                // Nobody may be reading any more (`postured demo | head -1`).
                let _ = outln!("Dashboard and API: {url}  (Ctrl-C to stop)");
            }
        });
        let status = tokio::select! {
            s = child.wait() => Some(s?),
            () = crate::service::wait_for_signal() => None,
        };
        // Closing the daemon's stdin asks it to stop cleanly.
        drop(stdin);
        let status = match status {
            Some(s) => s,
            None => tokio::time::timeout(std::time::Duration::from_secs(5), child.wait())
                .await
                .context("the daemon did not stop")??,
        };
        stop_sim.cancel();
        let _ = sim.await;
        if !status.success() {
            bail!("the daemon exited with {status}");
        }
        Ok(())
    })
}

/// The simulated straps acting out `scenario` on the bus at `address`, until
/// the token is cancelled.
async fn simulate(
    scenario: Scenario,
    address: &str,
) -> anyhow::Result<(CancellationToken, tokio::task::JoinHandle<()>)> {
    let straps = STRAPS
        .iter()
        .enumerate()
        .map(|(i, s)| StrapInfo::parse(s, i as u64))
        .collect::<Option<Vec<_>>>();
    let cfg = ServeConfig {
        scenario,
        straps: straps.context("strap list")?,
        seed: 1,
        speed: 1.0,
        address: Some(address.to_owned()),
    };
    let server = firmware_sim::bluez::start(cfg)
        .await
        .context("starting the simulated straps")?;
    let stop = CancellationToken::new();
    let token = stop.clone();
    let sim = tokio::spawn(server.run(async move { token.cancelled().await }));
    Ok((stop, sim))
}

/// `postured run --config CONFIG` on the private bus, telling its readiness
/// on `notify`.
fn spawn_daemon(config: &Path, bus: &str, notify: &Path) -> anyhow::Result<tokio::process::Child> {
    tokio::process::Command::new(std::env::current_exe()?)
        .arg("run")
        .arg("--config")
        .arg(config)
        .env("DBUS_SYSTEM_BUS_ADDRESS", bus)
        .env("NOTIFY_SOCKET", notify)
        .env(EXIT_WITH_PARENT, "1")
        .stdin(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .context("starting the daemon")
}

/// What the demo shows, and where it publishes.
fn intro(mqtt: Option<&str>) -> std::io::Result<()> {
    outln!(
        "postured demo: a simulated Polar H10 on the chest and an open IMU strap on the left thigh."
    )?;
    if let Some(url) = mqtt {
        let base = format!("postured/{}", postured::config::hostname());
        outln!(
            "Publishing to MQTT at {url} under {base}/, Home Assistant discovery under homeassistant/."
        )?;
    }
    Ok(())
}

/// The daemon's `http://ADDR/` from its readiness message on `notify`
/// (`READY=1` with `STATUS=running; API on http://ADDR/`); `None` if the
/// socket fails.
async fn api_url(notify: &tokio::net::UnixDatagram) -> Option<String> {
    let mut buf = vec![0; 4096];
    loop {
        let n = notify.recv(&mut buf).await.ok()?;
        if let Some(url) = ready_url(&String::from_utf8_lossy(&buf[..n])) {
            return Some(url);
        }
    }
}

/// The API's URL in a readiness message, if it is one.
fn ready_url(message: &str) -> Option<String> {
    if !message.lines().any(|l| l == "READY=1") {
        return None;
    }
    let status = message.lines().find_map(|l| l.strip_prefix("STATUS="))?;
    let at = status.find("http://")?;
    status[at..].split_whitespace().next().map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_scenario_file_is_embedded_and_parses() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("firmware-sim/scenarios");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| {
                let name = e.unwrap().file_name().into_string().unwrap();
                name.strip_suffix(".toml").map(str::to_owned)
            })
            .collect();
        files.sort();
        let embedded: Vec<&str> = SCENARIOS.iter().map(|(n, _)| *n).collect();
        assert_eq!(files, embedded);
        for (name, _) in SCENARIOS {
            load_scenario(name).unwrap();
        }
    }

    #[test]
    fn the_api_url_is_read_from_the_readiness_message() {
        let ready = "READY=1\nSTATUS=running; API on http://127.0.0.1:40123/\n";
        assert_eq!(ready_url(ready).as_deref(), Some("http://127.0.0.1:40123/"));
        assert_eq!(ready_url("STOPPING=1\n"), None);
        assert_eq!(
            ready_url("READY=1\nSTATUS=running; configuration reloaded\n"),
            None
        );
    }

    #[test]
    fn the_demo_config_parses_with_and_without_mqtt() {
        let listen = "127.0.0.1:0".parse().unwrap();
        let plain = config_text(Path::new("/tmp/d.db"), listen, None);
        let c = postured::config::Config::parse(&plain, Path::new("demo.toml")).unwrap();
        assert!(c.mqtt.is_none());
        let text = config_text(
            Path::new("/tmp/d.db"),
            listen,
            Some("mqtt://127.0.0.1:1883"),
        );
        let c = postured::config::Config::parse(&text, Path::new("demo.toml")).unwrap();
        assert_eq!(c.mqtt.unwrap().url, "mqtt://127.0.0.1:1883");
        assert_eq!(c.routines.len(), 1);
    }

    #[test]
    fn an_unknown_name_lists_the_embedded_ones() {
        let err = load_scenario("nope").unwrap_err().to_string();
        assert!(err.contains("desk-hour"), "{err}");
    }
}
