//! Soak of the device layer against firmware-sim behaving like BlueZ and an H10:
//! link drops, adapter power cycles, straps whose battery runs out and comes
//! back, H10 stop indications and silent streams, one after another as fast as
//! the straps recover. Prints one JSON line; exits 0 only when the bus's match
//! rules for our connection did not grow, resident memory grew by at most
//! `RSS_BOUND_KB`, no sample was duplicated, every gap was marked, and every
//! resume came within 2 s.
//!
//! ```text
//! cargo run --release --example soak [-- DROPS POWER_CYCLES BATTERY_OUTS STALLS]
//! ```
//!
//! It runs postured's device layer (`Bluetooth::spawn_strap`, what `postured
//! run` runs per strap) with btleplug, unchanged, on a private dbus-daemon, with
//! the simulator in the same process: libdbus reads the bus address once per
//! process, so the example re-runs itself as a child on that bus.
//! `tests/soak.rs` runs a short plan of it.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use firmware_sim::bluez::control::Sim1Proxy;
use firmware_sim::bluez::{ServeConfig, Server};
use firmware_sim::scenario::Scenario;
use firmware_sim::strap::StrapInfo;
use postured::config::StrapConfig;
use postured::device::{Bluetooth, Command, LinkState, StrapEvent, StrapEventKind};
use postured::exercises::Placement;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// The H10 and the open IMU strap the simulator serves.
pub const H10: &str = "F0:5E:D0:00:00:01";
/// The open IMU strap.
pub const IMU: &str = "F0:5E:D0:00:00:02";
/// How much resident memory may grow from the start (after warming up) to the
/// end and still count as flat.
pub const RSS_BOUND_KB: u64 = 4096;
/// The longest a stream may take to resume after a fault ends.
pub const MAX_RESUME_S: f64 = 2.0;
/// Set in the child that runs on the private bus.
const INNER: &str = "POSTURED_SOAK_INNER";

/// How many of each fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    /// Link drops (alternating between the straps).
    pub drops: u32,
    /// Adapter power cycles.
    pub power_cycles: u32,
    /// Straps whose battery runs out and comes back (alternating).
    pub battery_outs: u32,
    /// H10 stop indications, and as many silent streams.
    pub stalls: u32,
}

impl Default for Plan {
    fn default() -> Self {
        Self {
            drops: 1000,
            power_cycles: 50,
            battery_outs: 20,
            stalls: 20,
        }
    }
}

/// What the soak measured.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Report {
    /// Link drops done.
    pub drops: u32,
    /// Adapter power cycles done.
    pub power_cycles: u32,
    /// Match rules of our bus connection after warming up.
    pub match_rules_start: usize,
    /// ... and at the end.
    pub match_rules_end: usize,
    /// Resident memory after warming up (kB).
    pub rss_start_kb: u64,
    /// ... and at the end.
    pub rss_end_kb: u64,
    /// Samples at or before the previous sample of their strap.
    pub samples_duplicated: u64,
    /// Streams that resumed after a loss or stall without a gap event first.
    pub gaps_unmarked: u64,
    /// Longest time from a fault's end to the strap's next samples (s).
    pub max_resume_s: f64,
    /// Battery-outs done.
    pub battery_outs: u32,
    /// Stop indications done.
    pub stop_indications: u32,
    /// Silent streams done.
    pub silent_streams: u32,
    /// Faults that never resumed within 10 s.
    pub never_resumed: u32,
    /// Wall time (s).
    pub elapsed_s: f64,
}

impl Report {
    /// Whether the soak passed (see the module docs).
    pub fn passed(&self) -> bool {
        self.match_rules_end <= self.match_rules_start
            && self.rss_end_kb <= self.rss_start_kb + RSS_BOUND_KB
            && self.samples_duplicated == 0
            && self.gaps_unmarked == 0
            && self.never_resumed == 0
            && self.max_resume_s <= MAX_RESUME_S
    }
}

/// One strap as the soak watches it.
#[derive(Debug, Default)]
struct Watched {
    state: Option<LinkState>,
    last_t: f64,
    /// Lost or restarting since the last samples.
    broken: bool,
    /// A gap event came since it broke.
    gap_seen: bool,
    /// When samples came again after it broke.
    resumed_at: Option<Instant>,
}

#[derive(Debug, Default)]
struct Watch {
    straps: HashMap<String, Watched>,
    duplicated: u64,
    unmarked: u64,
}

impl Watch {
    fn on(&mut self, e: StrapEvent) {
        let w = self.straps.entry(e.strap).or_default();
        match e.kind {
            StrapEventKind::State(s) => {
                if matches!(s, LinkState::Lost | LinkState::Restarting) && !w.broken {
                    (w.broken, w.gap_seen, w.resumed_at) = (true, false, None);
                }
                w.state = Some(s);
            }
            StrapEventKind::Gap { .. } => w.gap_seen = true,
            StrapEventKind::Samples(batch) => {
                for s in &batch {
                    if s.t <= w.last_t {
                        self.duplicated += 1;
                    }
                    w.last_t = w.last_t.max(s.t);
                }
                if w.broken {
                    self.unmarked += u64::from(!w.gap_seen);
                    (w.broken, w.resumed_at) = (false, Some(Instant::now()));
                }
            }
            _ => {}
        }
    }
}

/// The rig: simulator control, the watched events, the straps' command senders.
struct Rig {
    control: Sim1Proxy<'static>,
    watch: Arc<Mutex<Watch>>,
    cancel: CancellationToken,
    _commands: Vec<mpsc::Sender<Command>>,
    resumes: Vec<f64>,
    never_resumed: u32,
}

impl Rig {
    fn with<T>(&self, f: impl FnOnce(&mut Watch) -> T) -> T {
        f(&mut self.watch.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// Polls `cond` every 2 ms for up to 10 s.
    async fn until(&self, mut cond: impl FnMut(&mut Watch) -> bool) -> bool {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if self.with(&mut cond) {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        false
    }

    async fn broken(&self, strap: &str) -> bool {
        self.until(|w| w.straps.get(strap).is_some_and(|s| s.broken))
            .await
    }

    /// Waits for `strap` to stream again; records the time from `since`.
    async fn resumed(&mut self, strap: &str, since: Instant) {
        let ok = self
            .until(|w| w.straps.get(strap).is_some_and(|s| s.resumed_at.is_some()))
            .await;
        let at = self.with(|w| w.straps.get(strap).and_then(|s| s.resumed_at));
        match at.filter(|_| ok) {
            Some(at) => self
                .resumes
                .push(at.saturating_duration_since(since).as_secs_f64()),
            None => self.never_resumed += 1,
        }
    }

    async fn drop_link(&mut self, strap: &str) {
        let _ = self.control.drop_link(strap).await;
        let since = Instant::now();
        if self.broken(strap).await {
            self.resumed(strap, since).await;
        } else {
            self.never_resumed += 1;
        }
    }

    async fn power_cycle(&mut self) {
        let _ = self.control.set_adapter_powered(false).await;
        let both = self.broken(H10).await && self.broken(IMU).await;
        tokio::time::sleep(Duration::from_millis(200)).await;
        let _ = self.control.set_adapter_powered(true).await;
        let since = Instant::now();
        if both {
            self.resumed(H10, since).await;
            self.resumed(IMU, since).await;
        } else {
            self.never_resumed += 1;
        }
    }

    async fn battery_out(&mut self, strap: &str) {
        let _ = self.control.set_strap_powered(strap, false).await;
        let broke = self.broken(strap).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let _ = self.control.set_strap_powered(strap, true).await;
        let since = Instant::now();
        if broke {
            self.resumed(strap, since).await;
        } else {
            self.never_resumed += 1;
        }
    }

    /// The H10 stops its stream on its own (`silent`: it goes quiet instead).
    async fn stall(&mut self, silent: bool) {
        let since = Instant::now();
        let _ = if silent {
            self.control.set_stream_silent(H10, true).await
        } else {
            self.control.stop_stream(H10).await
        };
        if self.broken(H10).await {
            self.resumed(H10, since).await;
        } else {
            self.never_resumed += 1;
        }
    }
}

/// Match rules of the connections that listen to `org.bluez` (btleplug's).
pub async fn match_rules() -> usize {
    let Ok(conn) = zbus::Connection::system().await else {
        return usize::MAX;
    };
    let reply = conn
        .call_method(
            Some("org.freedesktop.DBus"),
            "/org/freedesktop/DBus",
            Some("org.freedesktop.DBus.Debug.Stats"),
            "GetAllMatchRules",
            &(),
        )
        .await;
    let Ok(rules) = reply.and_then(|r| r.body().deserialize::<HashMap<String, Vec<String>>>())
    else {
        return usize::MAX;
    };
    rules
        .values()
        .filter(|r| r.iter().any(|m| m.contains("sender='org.bluez'")))
        .map(Vec::len)
        .sum()
}

/// Resident memory of this process (kB).
pub fn rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

async fn start_simulator() -> Server {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("firmware-sim/scenarios/desk-hour.toml");
    let scenario = Scenario::load(&path).expect("the desk-hour scenario");
    let straps = ["polar-h10:chest", "open-imu:thigh"]
        .iter()
        .enumerate()
        .map(|(i, s)| StrapInfo::parse(s, i as u64).expect("a strap"))
        .collect();
    let cfg = ServeConfig {
        scenario,
        straps,
        seed: 1,
        speed: 1.0,
        address: None,
    };
    firmware_sim::bluez::start(cfg)
        .await
        .expect("the simulator takes org.bluez")
}

async fn rig() -> Rig {
    let server = start_simulator().await;
    tokio::spawn(server.run(std::future::pending()));
    let conn = zbus::Connection::system().await.expect("the private bus");
    let control = Sim1Proxy::new(&conn).await.expect("the control interface");
    let bt = Bluetooth::open().await.expect("the simulated adapter");
    bt.start_discovery().await.expect("discovery");
    let (tx, mut events) = mpsc::channel(4096);
    let cancel = CancellationToken::new();
    let mut commands = Vec::new();
    for (address, placement) in [(H10, Placement::Chest), (IMU, Placement::Thigh)] {
        let (ctx, crx) = mpsc::channel(8);
        let cfg = StrapConfig {
            rate_hz: 200,
            ..StrapConfig::by_address(address, placement)
        };
        bt.spawn_strap(cfg, tx.clone(), crx, cancel.clone());
        commands.push(ctx);
    }
    let watch = Arc::new(Mutex::new(Watch::default()));
    let w = watch.clone();
    tokio::spawn(async move {
        while let Some(e) = events.recv().await {
            w.lock().unwrap_or_else(|e| e.into_inner()).on(e);
        }
    });
    Rig {
        control,
        watch,
        cancel,
        _commands: commands,
        resumes: Vec::new(),
        never_resumed: 0,
    }
}

/// Runs `plan` (on the bus in `DBUS_SYSTEM_BUS_ADDRESS`) and reports.
pub async fn soak(plan: Plan) -> Report {
    let started = Instant::now();
    let mut rig = rig().await;
    let streaming = |s: &str| {
        let s = s.to_owned();
        move |w: &mut Watch| {
            w.straps
                .get(&s)
                .is_some_and(|x| x.state == Some(LinkState::Streaming) && x.last_t > 0.0)
        }
    };
    assert!(rig.until(streaming(H10)).await && rig.until(streaming(IMU)).await);
    // Warm up: one of each fault, so pools and caches exist before measuring.
    for strap in [H10, IMU] {
        rig.drop_link(strap).await;
    }
    rig.stall(false).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (match_rules_start, rss_start_kb) = (match_rules().await, rss_kb());
    let total = plan.drops.max(1);
    let every = |n: u32| (n > 0).then(|| (total / n).max(1));
    let (mut power, mut battery, mut stops, mut silences) = (0, 0, 0, 0);
    for i in 0..plan.drops.max(plan.power_cycles) {
        if i < plan.drops {
            rig.drop_link(if i % 2 == 0 { H10 } else { IMU }).await;
        }
        if every(plan.power_cycles).is_some_and(|k| i % k == 0) && power < plan.power_cycles {
            rig.power_cycle().await;
            power += 1;
        }
        if every(plan.battery_outs).is_some_and(|k| i % k == 1 % k) && battery < plan.battery_outs {
            rig.battery_out(if battery % 2 == 0 { H10 } else { IMU })
                .await;
            battery += 1;
        }
        if every(plan.stalls).is_some_and(|k| i % k == 2 % k) && stops < plan.stalls {
            rig.stall(false).await;
            rig.stall(true).await;
            (stops, silences) = (stops + 1, silences + 1);
        }
    }
    // Removing a dropped stream's rule is a spawned task: let them finish.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (match_rules_end, rss_end_kb) = (match_rules().await, rss_kb());
    rig.cancel.cancel();
    let (samples_duplicated, gaps_unmarked) = rig.with(|w| (w.duplicated, w.unmarked));
    Report {
        drops: plan.drops,
        power_cycles: power,
        match_rules_start,
        match_rules_end,
        rss_start_kb,
        rss_end_kb,
        samples_duplicated,
        gaps_unmarked,
        max_resume_s: rig.resumes.iter().copied().fold(0.0, f64::max),
        battery_outs: battery,
        stop_indications: stops,
        silent_streams: silences,
        never_resumed: rig.never_resumed,
        elapsed_s: started.elapsed().as_secs_f64(),
    }
}

#[allow(
    dead_code,
    reason = "tests/soak.rs includes this file without its main"
)]
fn main() -> std::process::ExitCode {
    let args: Vec<u32> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let d = Plan::default();
    let plan = Plan {
        drops: args.first().copied().unwrap_or(d.drops),
        power_cycles: args.get(1).copied().unwrap_or(d.power_cycles),
        battery_outs: args.get(2).copied().unwrap_or(d.battery_outs),
        stalls: args.get(3).copied().unwrap_or(d.stalls),
    };
    if std::env::var_os(INNER).is_none() {
        return on_private_bus();
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let report = runtime.block_on(soak(plan));
    println!("{}", serde_json::to_string(&report).unwrap_or_default());
    if report.passed() {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::FAILURE
    }
}

/// Starts a private bus and re-runs this program on it; its exit code.
fn on_private_bus() -> std::process::ExitCode {
    let dir = std::env::temp_dir().join(format!("postured-soak-{}", std::process::id()));
    let bus = firmware_sim::bus::PrivateBus::start(&dir)
        .expect("dbus-daemon starts (scripts/install-deps.sh installs it)");
    let status = std::process::Command::new(std::env::current_exe().expect("this program"))
        .args(std::env::args().skip(1))
        .env("DBUS_SYSTEM_BUS_ADDRESS", bus.address())
        .env(INNER, "1")
        .status();
    drop(bus);
    let _ = std::fs::remove_dir_all(&dir);
    match status {
        Ok(s) if s.success() => std::process::ExitCode::SUCCESS,
        _ => std::process::ExitCode::FAILURE,
    }
}
