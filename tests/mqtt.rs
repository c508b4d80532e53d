//! MQTT against a real broker: Debian's `mosquitto`, started by each test on a
//! port of its own. Home Assistant's discovery configs appear (and a strap's
//! that is no longer configured go), states follow a simulated slouch and a
//! set, commands work with the API's checks, a broker restart mid-set loses
//! nothing in the store, and a wrong password is reported.
//!
//! The port: mosquitto cannot listen on port 0 and a port found free by
//! binding and releasing it may be taken before mosquitto binds it. So each
//! broker tries a random high port and, when mosquitto exits saying the
//! address is in use, another: once mosquitto runs it holds its port, so there
//! is no race. A restart binds the same port again (mosquitto sets
//! SO_REUSEADDR).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rumqttc::{AsyncClient, Event, MqttOptions, Packet, QoS};
use serde_json::Value;

/// Where Debian installs it (`/usr/sbin` is not on every user's PATH).
fn mosquitto_bin() -> PathBuf {
    let on_path = std::env::var_os("PATH")
        .map(|p| {
            std::env::split_paths(&p)
                .map(|d| d.join("mosquitto"))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    on_path
        .into_iter()
        .chain([PathBuf::from("/usr/sbin/mosquitto")])
        .find(|p| p.is_file())
        .expect("mosquitto is not installed: run scripts/install-deps.sh (it installs Debian's mosquitto)")
}

/// A mosquitto of the test's own.
struct Broker {
    child: Option<Child>,
    port: u16,
    dir: PathBuf,
    conf: String,
}

impl Broker {
    /// Starts mosquitto with `extra` configuration lines in `dir`.
    fn start(dir: &Path, extra: &str) -> Self {
        let mut b = Broker {
            child: None,
            port: 0,
            dir: dir.to_owned(),
            conf: extra.to_owned(),
        };
        for attempt in 0..30u64 {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .subsec_nanos() as u64;
            b.port = 20_000
                + ((nanos / 1000 + attempt * 7919 + u64::from(std::process::id())) % 40_000) as u16;
            if b.run().is_ok() {
                return b;
            }
        }
        panic!("no free port for mosquitto after 30 tries");
    }

    /// Starts mosquitto on `self.port`; `Err` when the port is in use.
    fn run(&mut self) -> Result<(), ()> {
        let conf = self.dir.join("mosquitto.conf");
        std::fs::write(
            &conf,
            format!(
                "listener {} 127.0.0.1\npersistence false\nlog_dest stderr\nlog_type all\nuser root\n{}\n",
                self.port, self.conf
            ),
        )
        .unwrap();
        let log = self.dir.join(format!("mosquitto-{}.log", self.port));
        let mut child = Command::new(mosquitto_bin())
            .arg("-c")
            .arg(&conf)
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("mosquitto starts");
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            if let Some(status) = child.try_wait().unwrap() {
                if text.contains("Address already in use") {
                    return Err(());
                }
                panic!("mosquitto exited with {status}: {text}");
            }
            if text.contains(" running") {
                self.child = Some(child);
                return Ok(());
            }
            assert!(Instant::now() < deadline, "mosquitto did not start: {text}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Its log (`log_type all`: every connection and packet).
    fn log(&self) -> PathBuf {
        self.dir.join(format!("mosquitto-{}.log", self.port))
    }

    fn url(&self) -> String {
        format!("mqtt://127.0.0.1:{}", self.port)
    }

    /// Stops it (SIGTERM) and waits.
    fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            common::send_signal(c.id(), "TERM");
            c.wait().unwrap();
        }
    }

    /// Starts it again on the same port.
    fn restart(&mut self) {
        self.stop();
        let deadline = Instant::now() + Duration::from_secs(30);
        while self.run().is_err() {
            assert!(Instant::now() < deadline, "port {} stayed busy", self.port);
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// One message the watcher saw.
#[derive(Debug, Clone)]
struct Msg {
    topic: String,
    payload: Vec<u8>,
    retained: bool,
}

impl Msg {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.payload)
            .unwrap_or_else(|e| panic!("{}: not JSON ({e}): {:?}", self.topic, self.payload))
    }
}

/// Numbers the watchers: each needs a client id of its own. Two clients with
/// one id take the session from each other (mosquitto closes the older
/// connection when the newer connects), each reconnects, and what is published
/// while one is away is lost to it: two watchers of one test that shared an id
/// did that every 200 ms and missed command results.
static WATCHERS: AtomicUsize = AtomicUsize::new(0);

/// A client that subscribes to `filters` (again after each reconnect) and
/// keeps every message.
struct Watcher {
    seen: Arc<Mutex<Vec<Msg>>>,
    /// Connections made: more than one means messages published while it
    /// was away were missed.
    connections: Arc<AtomicUsize>,
    client: AsyncClient,
}

impl Watcher {
    /// Connects and subscribes; returns once the broker has acknowledged the
    /// subscriptions, so that nothing published from then on is missed.
    async fn new(port: u16, filters: &[String]) -> Self {
        let n = WATCHERS.fetch_add(1, Ordering::Relaxed);
        let id = format!("watcher-{}-{port}-{n}", std::process::id());
        let mut o = MqttOptions::new(id, "127.0.0.1", port);
        o.set_max_packet_size(1 << 20, 1 << 20);
        let (client, mut events) = AsyncClient::new(o, 64);
        let seen = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(AtomicUsize::new(0));
        let (subscribed, ready) = tokio::sync::oneshot::channel();
        let (keep, sub, filters) = (seen.clone(), client.clone(), filters.to_vec());
        let connected = connections.clone();
        tokio::spawn(async move {
            let mut subscribed = Some(subscribed);
            let mut unacked = 0;
            loop {
                match events.poll().await {
                    Ok(Event::Incoming(Packet::ConnAck(_))) => {
                        connected.fetch_add(1, Ordering::Relaxed);
                        for f in &filters {
                            sub.subscribe(f.clone(), QoS::AtLeastOnce).await.unwrap();
                        }
                        unacked = filters.len();
                    }
                    Ok(Event::Incoming(Packet::SubAck(_))) => {
                        unacked = unacked.saturating_sub(1);
                        if unacked == 0
                            && let Some(s) = subscribed.take()
                        {
                            let _ = s.send(());
                        }
                    }
                    Ok(Event::Incoming(Packet::Publish(p))) => keep.lock().unwrap().push(Msg {
                        topic: p.topic,
                        payload: p.payload.to_vec(),
                        retained: p.retain,
                    }),
                    Ok(_) => {}
                    Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
                }
            }
        });
        tokio::time::timeout(Duration::from_secs(30), ready)
            .await
            .expect("the watcher subscribed within 30 s")
            .unwrap();
        Watcher {
            seen,
            connections,
            client,
        }
    }

    /// Waits up to `secs` for `found` to find something in what was seen.
    async fn wait<T>(&self, what: &str, secs: u64, found: impl Fn(&[Msg]) -> Option<T>) -> T {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            if let Some(t) = found(&self.seen.lock().unwrap()) {
                return t;
            }
            if Instant::now() > deadline {
                // Not holding the lock while panicking: the watcher's task
                // would fail on a poisoned lock and add noise.
                let tail: Vec<String> = self
                    .seen
                    .lock()
                    .unwrap()
                    .iter()
                    .rev()
                    .take(30)
                    .map(|m| format!("{} {}", m.topic, String::from_utf8_lossy(&m.payload)))
                    .collect();
                let connections = self.connections.load(Ordering::Relaxed);
                panic!(
                    "waited {secs} s for {what}; the watcher connected {connections} time(s); \
                     last messages, newest first: {tail:#?}"
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits for a message on `topic` whose JSON passes `ok`.
    async fn json_on(&self, topic: &str, secs: u64, ok: impl Fn(&Value) -> bool) -> Value {
        self.wait(topic, secs, |seen| {
            seen.iter()
                .filter(|m| m.topic == topic && !m.payload.is_empty())
                .map(Msg::json)
                .find(|v| ok(v))
        })
        .await
    }

    /// Every payload on `topic`, in order.
    fn payloads(&self, topic: &str) -> Vec<Vec<u8>> {
        let seen = self.seen.lock().unwrap();
        seen.iter()
            .filter(|m| m.topic == topic)
            .map(|m| m.payload.clone())
            .collect()
    }

    /// Waits for `n` JSON messages on `topic`; all of them, in order.
    async fn count(&self, topic: &str, n: usize) -> Vec<Value> {
        self.wait(topic, 30, |s| {
            let all: Vec<Value> = s
                .iter()
                .filter(|m| m.topic == topic)
                .map(Msg::json)
                .collect();
            (all.len() >= n).then_some(all)
        })
        .await
    }

    /// Every JSON message on `topic`, in order.
    fn all(&self, topic: &str) -> Vec<Value> {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .filter(|m| m.topic == topic)
            .map(Msg::json)
            .collect()
    }

    async fn send(&self, topic: &str, payload: &str, retain: bool) {
        self.client
            .publish(topic, QoS::AtLeastOnce, retain, payload.as_bytes().to_vec())
            .await
            .unwrap();
    }
}

/// A metric's value from `/metrics`.
async fn metric(base: &str, name: &str) -> f64 {
    let text = reqwest::get(format!("{base}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or_else(|| panic!("no {name} in {text}"))
}

/// Waits until the metric `name` passes `ok`.
async fn metric_until(base: &str, name: &str, secs: u64, ok: impl Fn(f64) -> bool) -> f64 {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let v = metric(base, name).await;
        if ok(v) {
            return v;
        }
        assert!(Instant::now() < deadline, "{name} stayed {v}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The log of the daemon a test runs in-process (what `postured run` writes
/// to stderr), kept in memory and printed when the test fails.
#[derive(Clone, Default)]
struct DaemonLog(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for DaemonLog {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl DaemonLog {
    /// A two-thread runtime whose threads log here, as does this thread
    /// while the guard lives. Per thread, not for the whole process: other
    /// tests run in parallel in this process.
    fn runtime(&self) -> (tokio::runtime::Runtime, tracing::dispatcher::DefaultGuard) {
        let log = self.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new("info,postured=debug"))
            .with_ansi(false)
            .with_writer(move || log.clone())
            .finish();
        let dispatch = tracing::Dispatch::new(subscriber);
        let guard = tracing::dispatcher::set_default(&dispatch);
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .on_thread_start(move || {
                // For the thread's life (the runtime's).
                std::mem::forget(tracing::dispatcher::set_default(&dispatch));
            })
            .build()
            .unwrap();
        (rt, guard)
    }

    /// Prints the daemon's log, and the broker's connections and
    /// disconnections from its log, if the test fails while the result lives.
    fn print_on_failure(&self, broker: &Broker) -> PrintOnFailure {
        PrintOnFailure {
            log: self.clone(),
            broker_log: broker.log(),
        }
    }
}

/// See [`DaemonLog::print_on_failure`].
struct PrintOnFailure {
    log: DaemonLog,
    broker_log: PathBuf,
}

impl Drop for PrintOnFailure {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            return;
        }
        let log = self.log.0.lock().unwrap_or_else(|e| e.into_inner());
        eprintln!(
            "---- the daemon's log ----\n{}---- end of the daemon's log ----",
            String::from_utf8_lossy(&log)
        );
        let broker = std::fs::read_to_string(&self.broker_log).unwrap_or_default();
        let sessions: Vec<&str> = broker
            .lines()
            .filter(|l| {
                [
                    "New client",
                    "closing old connection",
                    "disconnect",
                    "Socket error",
                ]
                .iter()
                .any(|w| l.contains(w))
            })
            .collect();
        eprintln!(
            "---- the broker's connections ({}) ----\n{}\n---- end ----",
            self.broker_log.display(),
            sessions.join("\n")
        );
    }
}

/// The `[mqtt]` section for `broker` under `base`.
fn mqtt_section(broker: &Broker, base: &str, extra: &str) -> String {
    format!(
        "\n[mqtt]\nurl = \"{}\"\nbase_topic = \"{base}\"\n{extra}\n",
        broker.url()
    )
}

/// Checks a discovery config as Home Assistant reads it.
fn check_discovery(topic: &str, c: &Value, node: &str, base: &str) {
    let component = topic.split('/').nth(1).unwrap();
    assert!(c["name"].is_string(), "{topic}: {c}");
    assert!(
        c["unique_id"].as_str().unwrap().starts_with(node),
        "{topic}: {c}"
    );
    assert_eq!(c["device"]["identifiers"][0], node, "{topic}");
    assert_eq!(
        c["availability_topic"],
        format!("{base}/availability"),
        "{topic}"
    );
    assert_eq!(c["payload_available"], "online", "{topic}");
    let under_base = |k: &str| {
        c[k].as_str()
            .is_some_and(|t| t.starts_with(&format!("{base}/")))
    };
    match component {
        "sensor" | "binary_sensor" => {
            assert!(
                under_base("state_topic") && c["value_template"].is_string(),
                "{topic}: {c}"
            )
        }
        "event" => assert!(
            under_base("state_topic") && c["event_types"].is_array(),
            "{topic}: {c}"
        ),
        "button" => assert!(under_base("command_topic"), "{topic}: {c}"),
        "select" => assert!(
            under_base("command_topic") && !c["options"].as_array().unwrap().is_empty(),
            "{topic}: {c}"
        ),
        other => panic!("unexpected component {other} ({topic})"),
    }
}

#[test]
fn discovery_commands_and_availability_without_straps() {
    let log = DaemonLog::default();
    let (rt, _logging) = log.runtime();
    rt.block_on(discovery_commands_and_availability(&log));
}

async fn discovery_commands_and_availability(log: &DaemonLog) {
    let dir = common::scratch("mqtt-plain");
    let broker = Broker::start(&dir, "allow_anonymous true");
    let _print = log.print_on_failure(&broker);
    let base = "test/plain";
    let watcher = Watcher::new(
        broker.port,
        &["homeassistant/#".into(), format!("{base}/#")],
    )
    .await;
    // A strap that an earlier configuration had, and another instance's entity.
    let stale = "homeassistant/sensor/test_plain/strap_old_battery/config";
    let other = "homeassistant/sensor/test_other/trunk_angle/config";
    watcher
        .send(stale, r#"{"name": "old battery"}"#, true)
        .await;
    watcher.send(other, r#"{"name": "other"}"#, true).await;
    // A command someone left retained: it must not run at each connection.
    let retained_start = format!("{base}/command/start");
    watcher
        .send(&retained_start, r#"{"exercise": "plank"}"#, true)
        .await;
    // `send` only queues: the daemon must not connect before the broker keeps
    // them. The watcher subscribed first, so it sees them once the broker has.
    watcher
        .wait("the broker to have the retained messages", 30, |s| {
            [stale, other, retained_start.as_str()]
                .iter()
                .all(|t| s.iter().any(|m| m.topic == *t))
                .then_some(())
        })
        .await;
    let config = format!(
        "[alerts]\ndesktop = false\n[[routine]]\nname = \"legs\"\nexercises = [\"prone-leg-raise\"]\n{}",
        mqtt_section(&broker, base, "")
    );
    let running = common::TestDaemon::start(&config).await;
    let api = running.base.clone();

    let online = watcher
        .wait("online", 30, |s| {
            s.iter()
                .find(|m| m.topic == format!("{base}/availability") && m.payload == b"online")
                .cloned()
        })
        .await;
    assert_eq!(online.topic, "test/plain/availability");
    // Discovery: every entity of the device, as Home Assistant expects them.
    let configs = watcher
        .wait("discovery configs", 30, |s| {
            let c: Vec<Msg> = s
                .iter()
                .filter(|m| m.topic.contains("/test_plain/") && !m.payload.is_empty())
                .filter(|m| m.topic != stale)
                .cloned()
                .collect();
            (c.len() >= 18).then_some(c)
        })
        .await;
    for m in &configs {
        check_discovery(&m.topic, &m.json(), "test_plain", base);
    }
    let select = watcher
        .json_on(
            "homeassistant/select/test_plain/start_routine/config",
            5,
            |_| true,
        )
        .await;
    assert_eq!(select["options"], serde_json::json!(["legs"]));
    // The stale entity is removed (an empty retained config); the other stays.
    watcher
        .wait("the stale entity removed", 30, |s| {
            s.iter()
                .find(|m| m.topic == stale && m.payload.is_empty())
                .map(|_| ())
        })
        .await;
    assert!(!watcher.payloads(other).iter().any(Vec::is_empty));

    // States: no set, today's totals, posture.
    let set = watcher.json_on(&format!("{base}/set"), 10, |_| true).await;
    assert_eq!(set["running"], false);
    let today = watcher
        .json_on(&format!("{base}/today"), 10, |_| true)
        .await;
    assert_eq!(
        (today["sets"].as_u64(), today["reps"].as_u64()),
        (Some(0), Some(0)),
        "{today}"
    );
    // Retained: a client subscribing now gets them (flagged retained).
    let later = Watcher::new(
        broker.port,
        &[format!("{base}/set"), format!("{base}/today")],
    )
    .await;
    later
        .wait("retained states", 20, |s| {
            (s.iter().filter(|m| m.retained).count() == 2).then_some(())
        })
        .await;

    // Commands: the API's checks, refusals counted, results published.
    let result = format!("{base}/command_result");
    let r = watcher.count(&result, 1).await;
    assert_eq!(r[0]["ok"], false, "{r:?}");
    assert!(
        r[0]["error"].as_str().unwrap().contains("retained"),
        "{r:?}"
    );
    watcher
        .send(&format!("{base}/command/snooze"), "PRESS", false)
        .await;
    let r = watcher.count(&result, 2).await;
    assert_eq!(r[1]["ok"], true, "{r:?}");
    assert!(r[1]["result"]["snoozed_until"].as_f64().unwrap() > 0.0);
    for (cmd, payload) in [
        ("start", r#"{"exercise": "plank"}"#),
        ("start", "plank"),
        ("start", r#"{"exercise": "plank", "routine": "legs"}"#),
        ("calibrate", ""),
        ("stop", "now"),
        ("reboot", ""),
    ] {
        watcher
            .send(&format!("{base}/command/{cmd}"), payload, false)
            .await;
    }
    let r = watcher.count(&result, 8).await;
    assert!(r[2..].iter().all(|r| r["ok"] == false), "{r:?}");
    let says = |i: usize, what: &str| {
        let e = r[i]["error"].as_str().unwrap();
        assert!(e.contains(what), "result {i}: {e:?} does not say {what:?}");
    };
    says(2, "no strap worn at");
    says(3, "takes");
    says(4, "not both");
    says(5, "chest or upper-back");
    says(6, "no payload");
    says(7, "no command");
    assert_eq!(
        metric(&api, "postured_mqtt_commands_refused_total").await,
        7.0
    );
    assert_eq!(metric(&api, "postured_mqtt_commands_total").await, 8.0);
    assert_eq!(metric(&api, "postured_mqtt_connected").await, 1.0);
    let health = common::get_json(format!("{api}/api/health")).await;
    assert_eq!(health["mqtt"]["connected"], true, "{health}");
    // Nothing changed: no set runs.
    assert!(
        reqwest::get(format!("{api}/api/sets/current"))
            .await
            .unwrap()
            .status()
            == 404
    );

    // A reload that changes the routines changes the routine select, and one
    // that removes them removes it.
    let select = "homeassistant/select/test_plain/start_routine/config";
    let reload = |routines: &str| {
        let text = format!("[alerts]\ndesktop = false\n{routines}");
        postured::config::Config::parse(&text, Path::new("reload.toml")).unwrap()
    };
    let two = "[[routine]]\nname = \"legs\"\nexercises = [\"prone-leg-raise\"]\n\
               [[routine]]\nname = \"back\"\nexercises = [\"cobra\"]\n";
    running.daemon.reload(reload(two)).await.unwrap();
    watcher
        .json_on(select, 30, |c| {
            c["options"] == serde_json::json!(["legs", "back"])
        })
        .await;
    running.daemon.reload(reload("")).await.unwrap();
    watcher
        .wait("the routine select removed", 30, |s| {
            s.iter()
                .rev()
                .find(|m| m.topic == select)
                .filter(|m| m.payload.is_empty())
                .map(|_| ())
        })
        .await;

    // A clean stop says offline, retained.
    running.stop().await;
    let off = watcher
        .wait("offline", 20, |s| {
            s.iter()
                .rev()
                .find(|m| m.topic == format!("{base}/availability"))
                .filter(|m| m.payload == b"offline")
                .cloned()
        })
        .await;
    assert!(!off.payload.is_empty());
    drop(broker);
    let _ = std::fs::remove_dir_all(&dir);
}

/// More retained messages at connection than the link from the connection to
/// the publisher holds (256): none is lost. Each stale entity is cleared and
/// the retained command among them is answered.
#[test]
fn a_burst_of_retained_messages_loses_none() {
    let log = DaemonLog::default();
    let (rt, _logging) = log.runtime();
    rt.block_on(async {
        const STALE: usize = 1000;
        let dir = common::scratch("mqtt-burst");
        let broker = Broker::start(&dir, "allow_anonymous true");
        let _print = log.print_on_failure(&broker);
        let base = "test/burst";
        let watcher = Watcher::new(
            broker.port,
            &["homeassistant/+/test_burst/#".into(), format!("{base}/#")],
        )
        .await;
        let stale = |i: usize| format!("homeassistant/sensor/test_burst/strap_gone_{i}/config");
        for i in 0..STALE {
            watcher.send(&stale(i), r#"{"name": "gone"}"#, true).await;
        }
        let command = format!("{base}/command/stop");
        watcher.send(&command, "PRESS", true).await;
        watcher
            .wait("the broker to have the retained messages", 60, |s| {
                (s.iter().filter(|m| m.topic.contains("strap_gone_")).count() == STALE
                    && s.iter().any(|m| m.topic == command))
                .then_some(())
            })
            .await;
        let running = common::TestDaemon::start(&format!(
            "[alerts]\ndesktop = false\n{}",
            mqtt_section(&broker, base, "")
        ))
        .await;
        let result = watcher.count(&format!("{base}/command_result"), 1).await;
        assert!(
            result[0]["error"].as_str().unwrap().contains("retained"),
            "{result:?}"
        );
        watcher
            .wait("every stale entity removed", 60, |s| {
                let removed: std::collections::HashSet<&str> = s
                    .iter()
                    .filter(|m| m.topic.contains("strap_gone_") && m.payload.is_empty())
                    .map(|m| m.topic.as_str())
                    .collect();
                (removed.len() == STALE).then_some(())
            })
            .await;
        running.stop().await;
        drop(broker);
        let _ = std::fs::remove_dir_all(&dir);
    });
}

/// `postured run` with `config` until its log has a line containing `wanted`
/// (within `secs`); the line.
fn run_until_logged(config: &Path, wanted: &str, secs: u64) -> String {
    use std::io::BufRead;
    let mut child = Command::new(env!("CARGO_BIN_EXE_postured"))
        .args(["run", "--config", config.to_str().unwrap()])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            let _ = tx.send(line);
        }
    });
    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut log = Vec::new();
    let found = loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(line) if line.contains(wanted) => break Some(line),
            Ok(line) => log.push(line),
            Err(_) => break None,
        }
    };
    common::send_signal(child.id(), "TERM");
    let _ = child.wait();
    found.unwrap_or_else(|| panic!("no log line with {wanted:?} in {secs} s: {log:#?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_is_reported_and_the_right_one_connects() {
    let dir = common::scratch("mqtt-password");
    let passwd = dir.join("passwd");
    let made = Command::new("mosquitto_passwd")
        .args(["-b", "-c"])
        .arg(&passwd)
        .args(["postured", "right horse battery"])
        .status()
        .expect("mosquitto_passwd is not installed: run scripts/install-deps.sh");
    assert!(made.success());
    let broker = Broker::start(
        &dir,
        &format!("allow_anonymous false\npassword_file {}", passwd.display()),
    );
    let base = "test/password";
    let wrong = format!(
        "[alerts]\ndesktop = false\n{}",
        mqtt_section(
            &broker,
            base,
            "username = \"postured\"\npassword = \"wrong\""
        )
    );
    let running = common::TestDaemon::start(&wrong).await;
    let api = running.base.clone();
    let deadline = Instant::now() + Duration::from_secs(30);
    let health = loop {
        let h = common::get_json(format!("{api}/api/health")).await;
        if h["mqtt"]["error"].is_string() {
            break h;
        }
        assert!(Instant::now() < deadline, "{h}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let error = health["mqtt"]["error"].as_str().unwrap();
    assert!(
        error.contains("refused the user name or password"),
        "{health}"
    );
    assert_eq!(health["mqtt"]["connected"], false);
    assert_eq!(metric(&api, "postured_mqtt_connected").await, 0.0);
    running.stop().await;

    // The log says so too, naming the broker.
    let config = dir.join("wrong.toml");
    std::fs::write(
        &config,
        format!(
            "database = {:?}\n[http]\nlisten = \"127.0.0.1:0\"\n{wrong}",
            dir.join("cli.db")
        ),
    )
    .unwrap();
    let line = run_until_logged(&config, "refused the user name or password", 60);
    assert!(
        line.contains(&broker.url()) && line.contains("ERROR"),
        "{line}"
    );

    // The right password, from a file.
    let file = dir.join("password");
    std::fs::write(&file, "right horse battery\n").unwrap();
    let right = mqtt_section(
        &broker,
        base,
        &format!("username = \"postured\"\npassword_file = {file:?}"),
    );
    let running = common::TestDaemon::start(&format!("[alerts]\ndesktop = false\n{right}")).await;
    metric_until(&running.base, "postured_mqtt_connected", 30, |v| v == 1.0).await;
    let health = common::get_json(format!("{}/api/health", running.base)).await;
    assert_eq!(
        health["mqtt"],
        serde_json::json!({"connected": true, "error": null})
    );
    running.stop().await;
    drop(broker);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn states_follow_a_slouch_and_a_set_through_a_broker_restart() {
    common::on_private_bus("inner_slouch_and_set");
}

/// The JSON of the messages on `topic`, in order.
fn on(seen: &[Msg], topic: &str) -> Vec<Value> {
    seen.iter()
        .filter(|m| m.topic == topic && !m.payload.is_empty())
        .map(Msg::json)
        .collect()
}

/// Stops or restarts the broker without holding up the runtime.
fn blocking<T>(f: impl FnOnce() -> T) -> T {
    tokio::task::block_in_place(f)
}

#[test]
#[ignore = "run by states_follow_a_slouch_and_a_set_through_a_broker_restart on its private bus"]
fn inner_slouch_and_set() {
    if !common::is_inner() {
        return;
    }
    let log = DaemonLog::default();
    let (rt, _logging) = log.runtime();
    rt.block_on(async {
        let dir = common::scratch("mqtt-bus");
        let mut broker = Broker::start(&dir, "allow_anonymous true");
        let _print = log.print_on_failure(&broker);
        let base = "test/bus";
        let t = |rest: &str| format!("{base}/{rest}");
        let watcher = Watcher::new(broker.port, &["homeassistant/#".into(), t("#")]).await;
        let scenario = firmware_sim::scenario::Scenario::parse(
            include_str!("fixtures/e2e-scenario.toml"),
            Path::new("fixtures/e2e-scenario.toml"),
        )
        .unwrap();
        let _sim =
            common::simulate(scenario, &["polar-h10:chest", "open-imu:thigh:left"], 8.0).await;
        let config = format!(
            "{}\n[alerts]\ndesktop = false\n{}",
            include_str!("fixtures/e2e-config.toml"),
            mqtt_section(&broker, base, "")
        );
        let running = common::TestDaemon::start(&config).await;
        let api = running.base.clone();

        // Each strap's entities, and its link, battery and heart rate.
        for s in ["f0_5e_d0_00_00_01", "f0_5e_d0_00_00_02"] {
            for (component, what) in [("binary_sensor", "link"), ("sensor", "battery")] {
                let topic = format!("homeassistant/{component}/test_bus/strap_{s}_{what}/config");
                let c = watcher.json_on(&topic, 30, |_| true).await;
                check_discovery(&topic, &c, "test_bus", base);
            }
            let strap = watcher
                .json_on(&t(&format!("strap/{s}")), 60, |v| v["connected"] == true)
                .await;
            assert!(strap["battery"].is_u64(), "{strap}");
        }
        let chest = t("strap/f0_5e_d0_00_00_01");
        watcher
            .json_on(&chest, 60, |v| v["heart_rate"].is_u64())
            .await;

        // The slouch: the posture state, one alert event, the episode's end.
        let slouched = watcher
            .json_on(&t("posture"), 60, |v| v["slouching"] == true)
            .await;
        assert_eq!(slouched["state"], "slouched");
        assert!(
            slouched["trunk_angle_deg"].as_f64().unwrap() > 10.0,
            "{slouched}"
        );
        let alert = watcher
            .json_on(&t("event/slouch_alert"), 60, |_| true)
            .await;
        assert_eq!(alert["event_type"], "slouch_alert");
        watcher.json_on(&t("event/slouch"), 60, |_| true).await;

        // The set, started over MQTT as from Home Assistant's select.
        watcher
            .send(
                &t("command/start"),
                r#"{"exercise": "prone-leg-raise"}"#,
                false,
            )
            .await;
        let r = watcher.count(&t("command_result"), 1).await;
        assert_eq!(r[0]["ok"], true, "{r:?}");
        assert_eq!(r[0]["result"]["exercise"], "prone-leg-raise");
        let set = watcher
            .json_on(&t("set"), 30, |v| v["running"] == true)
            .await;
        assert_eq!(
            (set["exercise"].as_str(), set["target_reps"].as_u64()),
            (Some("prone-leg-raise"), Some(5))
        );
        watcher.count(&t("event/rep"), 2).await;
        watcher
            .json_on(&t("set"), 30, |v| v["reps"].as_u64() >= Some(2))
            .await;

        // The broker goes away mid-set and comes back.
        blocking(|| broker.stop());
        metric_until(&api, "postured_mqtt_connected", 60, |v| v == 0.0).await;
        // A rep is counted while it is away: its event cannot be sent.
        let reps_now = || async {
            let s = common::get_json(format!("{api}/api/sets/current")).await;
            s["reps"].as_u64().unwrap_or(u64::MAX)
        };
        let before = reps_now().await;
        let deadline = Instant::now() + Duration::from_secs(60);
        while reps_now().await <= before {
            assert!(
                Instant::now() < deadline,
                "no rep while the broker was away"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        blocking(|| broker.restart());
        metric_until(&api, "postured_mqtt_connections_total", 60, |v| v >= 2.0).await;

        // The set was counted to its end and stored whole.
        let deadline = Instant::now() + Duration::from_secs(120);
        let stored = loop {
            let page = common::get_json(format!("{api}/api/sessions")).await;
            let set = page["items"][0]["sets"][0].clone();
            if set["end_reason"].is_string() {
                break set;
            }
            assert!(Instant::now() < deadline, "the set did not end: {page}");
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        assert_eq!(
            (
                stored["counted_reps"].as_u64(),
                stored["end_reason"].as_str()
            ),
            (Some(5), Some("target_reached")),
            "{stored}"
        );
        // The broker has the latest states again: no set, today's totals.
        watcher
            .wait("the set's end on the set topic", 60, |s| {
                on(s, &t("set"))
                    .last()
                    .filter(|v| v["running"] == false)
                    .cloned()
            })
            .await;
        let today = watcher.json_on(&t("today"), 60, |v| v["sets"] == 1).await;
        assert_eq!(today["reps"], 5, "{today}");
        // Nothing replayed: each rep at most once, in order; the one counted
        // while the broker was away was dropped and counted, not sent late.
        let reps: Vec<u64> = watcher
            .all(&t("event/rep"))
            .iter()
            .map(|v| v["n"].as_u64().unwrap())
            .collect();
        assert!(reps.windows(2).all(|w| w[0] < w[1]), "{reps:?}");
        let ended = watcher.all(&t("event/set_ended"));
        assert!(ended.len() <= 1, "{ended:?}");
        let dropped = metric(&api, "postured_mqtt_events_dropped_total").await;
        if let Some(e) = ended.first() {
            assert_eq!(
                (e["reps"].as_u64(), e["reason"].as_str()),
                (Some(5), Some("target_reached")),
                "{e}"
            );
            assert!((0.0..=1.0).contains(&e["score"].as_f64().unwrap()), "{e}");
        }
        assert!(reps.len() < 5, "{reps:?}");
        assert!(
            dropped >= 1.0,
            "reps {reps:?}, ended {ended:?}, dropped {dropped}"
        );
        println!(
            "rep events {reps:?}, set_ended events {}, dropped {dropped}",
            ended.len()
        );

        // Calibrate and snooze over MQTT, on the chest strap.
        watcher.send(&t("command/calibrate"), "PRESS", false).await;
        watcher.send(&t("command/snooze"), "", false).await;
        let r = watcher.count(&t("command_result"), 3).await;
        assert_eq!(
            (r[1]["command"].as_str(), r[1]["ok"].as_bool()),
            (Some("calibrate"), Some(true)),
            "{r:?}"
        );
        assert_eq!(
            (r[2]["command"].as_str(), r[2]["ok"].as_bool()),
            (Some("snooze"), Some(true)),
            "{r:?}"
        );
        watcher
            .json_on(&t("posture"), 30, |v| v["snoozed_until"].is_number())
            .await;

        running.stop().await;
        watcher
            .wait("offline", 20, |s| {
                s.iter()
                    .rev()
                    .find(|m| m.topic == t("availability"))
                    .filter(|m| m.payload == b"offline")
                    .cloned()
            })
            .await;
        drop(broker);
        let _ = std::fs::remove_dir_all(&dir);
    });
}

#[test]
fn the_demo_publishes_to_a_broker() {
    let dir = common::scratch("mqtt-demo");
    let broker = Broker::start(&dir, "allow_anonymous true");
    let base = format!("postured/{}", postured::config::hostname());
    let rt = common::runtime();
    let watcher = rt.block_on(Watcher::new(broker.port, &[format!("{base}/#")]));
    let mut child = Command::new(env!("CARGO_BIN_EXE_postured"))
        .args(["demo", "--listen", "127.0.0.1:0", "--mqtt", &broker.url()])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    rt.block_on(async {
        let chest = watcher
            .json_on(&format!("{base}/strap/f0_5e_d0_00_00_01"), 60, |v| {
                v["connected"] == true
            })
            .await;
        assert_eq!(chest["placement"], "chest");
        watcher
            .json_on(&format!("{base}/posture"), 60, |v| v["state"].is_string())
            .await;
    });
    common::send_signal(child.id(), "TERM");
    let status = child.wait().unwrap();
    assert!(status.success(), "{status}");
    rt.block_on(async {
        watcher
            .wait("offline", 20, |s| {
                s.iter()
                    .rev()
                    .find(|m| m.topic == format!("{base}/availability"))
                    .filter(|m| m.payload == b"offline")
                    .cloned()
            })
            .await;
    });
    drop(broker);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Runs `openssl ARGS` in `dir`, which must succeed.
fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl is not installed: run scripts/install-deps.sh");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A CA (`ca.pem`) and a certificate for 127.0.0.1 it signed (`server.pem`,
/// `server.key`) in `dir`.
fn make_certificates(dir: &Path) {
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    openssl(
        dir,
        &[
            &["req", "-x509"][..],
            &ec,
            &[
                "-keyout",
                "ca.key",
                "-out",
                "ca.pem",
                "-days",
                "2",
                "-subj",
                "/CN=postured test CA",
            ],
        ]
        .concat(),
    );
    openssl(
        dir,
        &[
            &["req"][..],
            &ec,
            &[
                "-keyout",
                "server.key",
                "-out",
                "server.csr",
                "-subj",
                "/CN=127.0.0.1",
            ],
        ]
        .concat(),
    );
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "server.pem",
            "-days",
            "2",
            "-extfile",
            "server.ext",
        ],
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mqtts_with_a_ca_file_connects_and_an_unknown_ca_is_reported() {
    let dir = common::scratch("mqtt-tls");
    make_certificates(&dir);
    let d = dir.display();
    let broker = Broker::start(
        &dir,
        &format!(
            "allow_anonymous true\ncafile {d}/ca.pem\ncertfile {d}/server.pem\nkeyfile {d}/server.key"
        ),
    );
    let url = format!("mqtts://127.0.0.1:{}", broker.port);
    let section = |extra: &str| {
        format!(
            "[alerts]\ndesktop = false\n[mqtt]\nurl = \"{url}\"\nbase_topic = \"test/tls\"\n{extra}\n"
        )
    };
    let ca = dir.join("ca.pem");
    let running = common::TestDaemon::start(&section(&format!("ca_file = {ca:?}"))).await;
    metric_until(&running.base, "postured_mqtt_connected", 30, |v| v == 1.0).await;
    running.stop().await;

    // The system's roots do not know this CA: refused, and said so.
    let running = common::TestDaemon::start(&section("")).await;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let h = common::get_json(format!("{}/api/health", running.base)).await;
        if let Some(e) = h["mqtt"]["error"].as_str() {
            assert!(
                e.contains("TLS") && e.to_lowercase().contains("certificate"),
                "{h}"
            );
            break;
        }
        assert!(Instant::now() < deadline, "{h}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    running.stop().await;
    drop(broker);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn check_config_names_the_broker_and_a_missing_password_file() {
    let dir = common::scratch("mqtt-check");
    let file = dir.join("config.toml");
    let check = |text: &str| {
        std::fs::write(&file, text).unwrap();
        Command::new(env!("CARGO_BIN_EXE_postured"))
            .args(["check-config", "--config", file.to_str().unwrap()])
            .output()
            .unwrap()
    };
    let ok = check("[mqtt]\nurl = \"mqtt://broker.local\"\nbase_topic = \"clinic/station-1\"\n");
    assert!(ok.status.success());
    let said = String::from_utf8_lossy(&ok.stdout);
    assert!(
        said.contains("MQTT to mqtt://broker.local under clinic/station-1"),
        "{said}"
    );
    let missing = dir.join("no-such-password");
    let bad = check(&format!(
        "[mqtt]\nurl = \"mqtt://broker.local\"\nusername = \"u\"\npassword_file = {missing:?}\n"
    ));
    assert!(!bad.status.success());
    let said = String::from_utf8_lossy(&bad.stderr);
    assert!(said.contains("mqtt.password_file"), "{said}");
    let bad = check("[mqtt]\nurl = \"http://broker.local\"\n");
    let said = String::from_utf8_lossy(&bad.stderr);
    assert!(
        !bad.status.success() && said.contains("config.toml:2:") && said.contains("mqtt.url"),
        "{said}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
