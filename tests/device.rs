//! The device layer as the daemon uses it: btleplug against firmware-sim serving
//! BlueZ's D-Bus API on a private bus, behaving as real BlueZ and an H10 do
//! (docs/bluez-and-h10.md). Scanning, a minute of 200 Hz from two straps, link
//! loss and reconnect, malformed frames, stalled streams restarted, split
//! control point answers, and 300 reconnect cycles with notifications flowing
//! during each connect and the bus's match rules and our memory kept flat.

mod common;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use postured::config::StrapConfig;
use postured::device::{Bluetooth, LinkState, StrapEvent, StrapEventKind};
use postured::exercises::Placement;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

const H10: &str = "F0:5E:D0:00:00:01";
const IMU: &str = "F0:5E:D0:00:00:02";

fn runtime() -> tokio::runtime::Runtime {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_test_writer()
        .try_init();
    common::runtime()
}

/// Straps under test and their events.
struct Rig {
    events: mpsc::Receiver<StrapEvent>,
    cancel: CancellationToken,
    _commands: Vec<mpsc::Sender<postured::device::Command>>,
}

async fn rig(straps: &[(&str, Placement, u16)]) -> Rig {
    let bt = Bluetooth::open().await.unwrap();
    bt.start_discovery().await.unwrap();
    let (tx, events) = mpsc::channel(4096);
    let cancel = CancellationToken::new();
    let mut commands = Vec::new();
    for &(address, placement, rate_hz) in straps {
        let (ctx, crx) = mpsc::channel(8);
        let cfg = StrapConfig {
            rate_hz,
            ..StrapConfig::by_address(address, placement)
        };
        bt.spawn_strap(cfg, tx.clone(), crx, cancel.clone());
        commands.push(ctx);
    }
    Rig {
        events,
        cancel,
        _commands: commands,
    }
}

impl Rig {
    /// Next event, or a panic after `secs`.
    async fn next(&mut self, secs: u64) -> StrapEvent {
        tokio::time::timeout(Duration::from_secs(secs), self.events.recv())
            .await
            .expect("an event in time")
            .expect("event channel open")
    }

    /// Waits (10 s at most) until every strap in `straps` has reached `state`.
    async fn until_all(&mut self, straps: &[&str], state: LinkState) {
        let mut left: Vec<&str> = straps.to_vec();
        let deadline = Instant::now() + Duration::from_secs(10);
        while !left.is_empty() {
            assert!(
                Instant::now() < deadline,
                "{left:?} did not reach {state:?}"
            );
            let e = self.next(10).await;
            if e.kind == StrapEventKind::State(state) {
                left.retain(|s| *s != e.strap);
            }
        }
    }

    /// Waits (10 s at most) for `state` on `strap`, handing every event on the way
    /// to `seen`.
    async fn until_state(
        &mut self,
        strap: &str,
        state: LinkState,
        mut seen: impl FnMut(&StrapEvent),
    ) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            assert!(Instant::now() < deadline, "{strap} did not reach {state:?}");
            let e = self.next(10).await;
            seen(&e);
            if e.strap == strap && e.kind == StrapEventKind::State(state) {
                return;
            }
        }
    }
}

#[test]
fn scan_lists_the_simulated_straps() {
    common::on_private_bus("inner_scan");
}

#[test]
#[ignore = "run by scan_lists_the_simulated_straps on its private bus"]
fn inner_scan() {
    if !common::is_inner() {
        return;
    }
    runtime().block_on(async {
        let _sim = common::simulator(
            "desk-hour",
            &["polar-h10:chest", "open-imu:thigh", "heart-rate:chest"],
            1.0,
        )
        .await;
        let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_postured"))
            .args(["scan", "--timeout", "1", "--format", "json"])
            .output()
            .await
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let found: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let kinds: HashMap<String, String> = found
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["address"].as_str().unwrap().to_owned(),
                    f["kind"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        assert_eq!(kinds.len(), 3, "{found}");
        assert_eq!(kinds[H10], "polar-h10");
        assert_eq!(kinds[IMU], "open-imu");
        assert_eq!(kinds["F0:5E:D0:00:00:03"], "heart-rate");
        assert!(found[0]["rssi"].is_i64() && found[0]["name"].is_string());
    });
}

#[test]
fn a_minute_at_200_hz_from_two_straps() {
    common::on_private_bus("inner_minute");
}

#[test]
#[ignore = "run by a_minute_at_200_hz_from_two_straps on its private bus"]
fn inner_minute() {
    if !common::is_inner() {
        return;
    }
    runtime().block_on(async {
        // Scenario time runs 20 times faster than real time: a minute in 3 s.
        let _sim = common::simulator("desk-hour", &["polar-h10:chest", "open-imu:thigh"], 20.0).await;
        let control = common::control().await;
        let mut rig = rig(&[(H10, Placement::Chest, 200), (IMU, Placement::Thigh, 200)]).await;
        // Each strap's samples are counted against the span of their own
        // timestamps, from its first sample: the straps connect one after the
        // other, and how soon the samples arrive depends on the machine's load,
        // not on whether any were lost.
        let (mut samples, mut first_t, mut last_t) =
            (HashMap::<String, u64>::new(), HashMap::<String, f64>::new(), HashMap::<String, f64>::new());
        let (mut heart, mut gyro) = (0, 0);
        let span = |first: &HashMap<String, f64>, last: &HashMap<String, f64>, strap: &str| {
            last.get(strap).zip(first.get(strap)).map_or(0.0, |(l, f)| l - f)
        };
        while [H10, IMU].iter().any(|s| span(&first_t, &last_t, s) < 60.0) {
            let e = rig.next(10).await;
            match &e.kind {
                StrapEventKind::Samples(batch) => {
                    for s in batch {
                        first_t.entry(e.strap.clone()).or_insert(s.t);
                        let last = last_t.insert(e.strap.clone(), s.t).unwrap_or(f64::NEG_INFINITY);
                        assert!(s.t > last, "{}: sample at {} after {last}", e.strap, s.t);
                        assert!((0.5..1.5).contains(&postured::motion::vec3::norm(s.accel)), "{s:?}");
                        gyro += usize::from(s.gyro.is_some());
                    }
                    *samples.entry(e.strap.clone()).or_default() += batch.len() as u64;
                }
                StrapEventKind::HeartRate(hr) => {
                    assert!((40..200).contains(&hr.bpm), "{hr:?}");
                    heart += 1;
                }
                StrapEventKind::Gap { lost_frames } => panic!("{}: gap of {lost_frames} frames", e.strap),
                StrapEventKind::BadFrame(why) => panic!("{}: bad frame {why}", e.strap),
                // Connecting and streaming, before its first sample.
                StrapEventKind::State(_) if !first_t.contains_key(&e.strap) => {}
                StrapEventKind::State(s) => panic!("{}: state {s:?} mid-stream", e.strap),
                _ => {}
            }
        }
        for strap in [H10, IMU] {
            let n = samples[strap] as f64;
            let span = span(&first_t, &last_t, strap);
            // 200 a second over the span, every one of them (no gap was reported
            // either); a sample or two of rounding in the strap's clock.
            let want = span * 200.0 + 1.0;
            assert!((n - want).abs() <= 2.0, "{strap}: {n} samples over {span:.3} s, want {want:.0}");
        }
        assert!(heart >= 50, "heart rate readings: {heart}");
        assert!(gyro > 0, "open IMU samples carry gyro");
        println!(
            "H10 {} and open IMU {} samples over {:.1} and {:.1} s of their clocks, {heart} heart rates, none lost",
            samples[H10],
            samples[IMU],
            span(&first_t, &last_t, H10),
            span(&first_t, &last_t, IMU)
        );
        rig.cancel.cancel();
        rig.until_state(H10, LinkState::Stopped, |_| {}).await;
        // Stopping sent STOP to the H10, as a real one needs.
        let writes = control.writes(H10).await.unwrap();
        assert_eq!(writes.last().map(|w| w.1.clone()), Some(vec![0x03, 0x02]), "{writes:?}");
    });
}

#[test]
fn link_loss_reconnect_and_bad_frames() {
    common::on_private_bus("inner_link_loss");
}

#[test]
#[ignore = "run by link_loss_reconnect_and_bad_frames on its private bus"]
fn inner_link_loss() {
    if !common::is_inner() {
        return;
    }
    runtime().block_on(async {
        let _sim =
            common::simulator("desk-hour", &["polar-h10:chest", "open-imu:thigh"], 1.0).await;
        let control = common::control().await;
        let mut rig = rig(&[(H10, Placement::Chest, 100), (IMU, Placement::Thigh, 100)]).await;
        rig.until_all(&[H10, IMU], LinkState::Streaming).await;
        let mut last = HashMap::<String, f64>::new();
        let mut track = |e: &StrapEvent| {
            if let StrapEventKind::Samples(b) = &e.kind {
                for s in b {
                    let prev = last
                        .insert(e.strap.clone(), s.t)
                        .unwrap_or(f64::NEG_INFINITY);
                    assert!(
                        s.t > prev,
                        "{}: duplicate or reordered sample {} after {prev}",
                        e.strap,
                        s.t
                    );
                }
            }
        };
        tokio::time::sleep(Duration::from_millis(500)).await;

        // A dropped link: lost, a gap marked, streaming again.
        control.drop_link(H10).await.unwrap();
        let mut gap = false;
        rig.until_state(H10, LinkState::Lost, &mut track).await;
        rig.until_state(H10, LinkState::Streaming, |e| {
            gap |= e.strap == H10 && matches!(e.kind, StrapEventKind::Gap { .. });
            track(e);
        })
        .await;
        assert!(gap, "the gap is marked");

        // Out of range for a while, then back: reconnected within 2 s.
        control.set_in_range(IMU, false).await.unwrap();
        rig.until_state(IMU, LinkState::Lost, &mut track).await;
        tokio::time::sleep(Duration::from_secs(3)).await;
        let back = Instant::now();
        control.set_in_range(IMU, true).await.unwrap();
        rig.until_state(IMU, LinkState::Streaming, &mut track).await;
        let took = back.elapsed();
        assert!(
            took < Duration::from_secs(2),
            "reconnected {took:?} after coming back"
        );
        println!("reconnected {took:?} after the strap came back in range");

        // Malformed and truncated frames are counted and skipped; the stream goes on.
        assert!(
            control
                .inject_frame(IMU, &[0x07, 0x00, 0x01])
                .await
                .unwrap()
        );
        control.truncate_next_frame(H10, 12).await.unwrap();
        let (mut bad, mut after) = (HashMap::<String, u32>::new(), HashMap::<String, u32>::new());
        while after.get(H10).copied().unwrap_or(0) < 5 || after.get(IMU).copied().unwrap_or(0) < 5 {
            let e = rig.next(5).await;
            track(&e);
            match &e.kind {
                StrapEventKind::BadFrame(_) => *bad.entry(e.strap.clone()).or_default() += 1,
                StrapEventKind::Samples(_) if bad.contains_key(&e.strap) => {
                    *after.entry(e.strap.clone()).or_default() += 1
                }
                _ => {}
            }
        }
        assert_eq!((bad[H10], bad[IMU]), (1, 1));

        // The adapter powered off (`bluetoothctl power off`) and on again: both
        // straps stream again within 2 s of the power coming back.
        control.set_adapter_powered(false).await.unwrap();
        rig.until_all(&[H10, IMU], LinkState::Lost).await;
        tokio::time::sleep(Duration::from_secs(3)).await;
        while let Ok(e) = rig.events.try_recv() {
            assert_ne!(
                e.kind,
                StrapEventKind::State(LinkState::Streaming),
                "{} streams with the adapter off",
                e.strap
            );
        }
        let on = Instant::now();
        control.set_adapter_powered(true).await.unwrap();
        rig.until_all(&[H10, IMU], LinkState::Streaming).await;
        let took = on.elapsed();
        assert!(
            took < Duration::from_secs(2),
            "streaming again {took:?} after power on"
        );
        println!("streaming again {took:?} after the adapter powered on");
    });
}

#[test]
fn three_hundred_reconnects_keep_match_rules_and_memory_flat() {
    common::on_private_bus("inner_reconnects");
}

#[test]
#[ignore = "run by three_hundred_reconnects_keep_match_rules_and_memory_flat on its private bus"]
fn inner_reconnects() {
    if !common::is_inner() {
        return;
    }
    runtime().block_on(async {
        let _sim = common::simulator("desk-hour", &["polar-h10:chest"], 1.0).await;
        let control = common::control().await;
        // 200 Hz: ACC frames (and heart rate) flow during and right after every
        // connect, since the H10's stream runs on and BlueZ restores the
        // subscriptions; each connect drops a stream inside btleplug just then.
        let mut rig = rig(&[(H10, Placement::Chest, 200)]).await;
        rig.until_state(H10, LinkState::Streaming, |_| {}).await;
        let mut rules = Vec::new();
        let mut rss = Vec::new();
        let started = Instant::now();
        for cycle in 1..=300 {
            control.drop_link(H10).await.unwrap();
            rig.until_state(H10, LinkState::Lost, |_| {}).await;
            rig.until_state(H10, LinkState::Streaming, |_| {}).await;
            if cycle == 30 || cycle == 300 {
                // Removing a dropped stream's rule is a spawned task.
                tokio::time::sleep(Duration::from_millis(200)).await;
                rules.push(common::bluez_client_match_rules().await);
                rss.push(common::rss_kb());
            }
        }
        println!(
            "300 reconnects in {:?}; match rules {rules:?}; RSS kB {rss:?}",
            started.elapsed()
        );
        assert_eq!(rules[0], rules[1], "match rules grew");
        assert!(
            rss[1] < rss[0] + 4096,
            "memory grew from {} to {} kB",
            rss[0],
            rss[1]
        );
    });
}

#[test]
fn stalled_streams_are_restarted_and_split_answers_joined() {
    common::on_private_bus("inner_stalls");
}

#[test]
#[ignore = "run by stalled_streams_are_restarted_and_split_answers_joined on its private bus"]
fn inner_stalls() {
    if !common::is_inner() {
        return;
    }
    runtime().block_on(async {
        let _sim = common::simulator("desk-hour", &["polar-h10:chest"], 1.0).await;
        let control = common::control().await;
        // Answers longer than 10 bytes come in pieces with the "more" flag: the
        // settings query's 27 bytes take three.
        assert!(control.set_max_control_packet(H10, 10).await.unwrap());
        let mut rig = rig(&[(H10, Placement::Chest, 200)]).await;
        rig.until_state(H10, LinkState::Streaming, |_| {}).await;

        // Polar's order: control point indications, data notifications, then
        // the settings query and START.
        let subs = control.subscribe_calls(H10).await.unwrap();
        let writes = control.writes(H10).await.unwrap();
        let at = |uuid: &str| subs.iter().find(|s| s.0.starts_with(uuid)).map(|s| s.1);
        let (cp, data) = (at("fb005c81").unwrap(), at("fb005c82").unwrap());
        assert_eq!(writes[0].1, [0x01, 0x02], "{writes:?}");
        assert!(cp < data && data < writes[0].2, "{subs:?} {writes:?}");
        assert_eq!(
            writes[1].1[0], 0x02,
            "START after the joined settings answer"
        );

        for (what, stall) in [("stop indication", 0), ("silence", 1)] {
            let since = Instant::now();
            if stall == 0 {
                assert!(control.stop_stream(H10).await.unwrap());
            } else {
                assert!(control.set_stream_silent(H10, true).await.unwrap());
            }
            let (mut gap, mut restarting) = (false, false);
            rig.until_state(H10, LinkState::Streaming, |e| {
                restarting |= e.kind == StrapEventKind::State(LinkState::Restarting);
                gap |= restarting && matches!(e.kind, StrapEventKind::Gap { .. });
                assert_ne!(
                    e.kind,
                    StrapEventKind::State(LinkState::Lost),
                    "{what}: no reconnect needed"
                );
            })
            .await;
            assert!(restarting && gap, "{what}: reported and the gap marked");
            // Samples again.
            loop {
                if matches!(rig.next(5).await.kind, StrapEventKind::Samples(_)) {
                    break;
                }
            }
            println!(
                "{what}: streaming again {:?} after it began",
                since.elapsed()
            );
        }
        let stalls = postured::device::recovery::stalls();
        let s = stalls[H10];
        assert_eq!((s.stopped_by_strap, s.silent, s.restart_failed), (1, 1, 0));
        assert!(postured::device::recovery::metrics().contains(&format!(
            "postured_strap_stream_stalls_total{{strap=\"{H10}\",reason=\"silent\"}} 1"
        )));
    });
}
