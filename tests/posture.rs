//! Slouch episodes and alerts on synthetic trunk motions with known truth.

use postured::motion::{Monitor, PostureConfig, PostureEvent, PostureState, SlouchEpisode};
use postured::synth::{Motion, Sensor};

fn run(
    m: &Motion,
    cfg: PostureConfig,
    sensor: &Sensor,
    exercising: Option<(f64, f64)>,
) -> Vec<PostureEvent> {
    let mut mon = Monitor::new(cfg, None);
    let mut out = Vec::new();
    for s in m.render(sensor) {
        if let Some((a, b)) = exercising {
            mon.set_exercising(s.t >= a && s.t < b);
        }
        mon.push_into(&s, &mut out);
    }
    out.extend(mon.finish(m.duration()));
    out
}

fn episodes(events: &[PostureEvent]) -> Vec<SlouchEpisode> {
    events
        .iter()
        .filter_map(|e| match e {
            PostureEvent::SlouchEnded(ep) => Some(*ep),
            _ => None,
        })
        .collect()
}

fn alerts(events: &[PostureEvent]) -> usize {
    events
        .iter()
        .filter(|e| matches!(e, PostureEvent::SlouchAlert { .. }))
        .count()
}

const CFG: PostureConfig = PostureConfig {
    tolerance_deg: 12.0,
    delay_s: 30.0,
    hysteresis_deg: 3.0,
    lying_deg: 55.0,
    min_episode_s: 3.0,
};

#[test]
fn long_slouch_alerts_once_short_one_does_not() {
    let m = Motion::new()
        .rest(10.0)
        .slouch(22.0, 2.0, 45.0)
        .rest(20.0)
        .slouch(20.0, 2.0, 15.0)
        .rest(10.0);
    let mut rng = postured::synth::Rng::new(7);
    let sensor = Sensor {
        mounting: rng.rotation(180.0),
        tremor_deg: 0.5,
        ..Sensor::default()
    };
    let ev = run(&m, CFG, &sensor, None);
    let eps = episodes(&ev);
    assert_eq!(eps.len(), 2, "{eps:#?}");
    assert_eq!(alerts(&ev), 1);
    for (ep, (start, end, peak)) in eps.iter().zip(&m.truth().slouches) {
        assert!(
            (ep.start_s - start).abs() < 1.0 && (ep.end_s - end).abs() < 1.0,
            "{ep:?} vs {start}..{end}"
        );
        assert!((ep.peak_deg - peak).abs() < 2.5, "{ep:?}");
    }
    let alert = eps[0].alert_s.unwrap();
    assert!((alert - eps[0].start_s - 30.0).abs() < 0.1);
    assert_eq!(eps[1].alert_s, None);
}

#[test]
fn hovering_at_the_tolerance_does_not_flap() {
    // Leaning to just past the tolerance, with sway of +-2 deg around it.
    let mut m = Motion::new().rest(10.0).ramp(13.0, 2.0);
    for _ in 0..10 {
        m = m.ramp(11.0, 1.5).ramp(14.5, 1.5);
    }
    m = m.ramp(0.0, 2.0).rest(5.0);
    let ev = run(&m, CFG, &Sensor::default(), None);
    assert_eq!(episodes(&ev).len(), 1, "{:#?}", episodes(&ev));
}

#[test]
fn quiet_while_walking_lying_or_exercising() {
    let m = Motion::new()
        .rest(10.0)
        .ramp(14.0, 2.0)
        .walk(60.0)
        .ramp(0.0, 2.0)
        .rest(5.0)
        .ramp(85.0, 3.0)
        .rest(60.0)
        .ramp(0.0, 3.0)
        .rest(5.0)
        .ramp(25.0, 2.0)
        .rest(50.0)
        .ramp(0.0, 2.0)
        .rest(5.0);
    let start_ex = 10.0 + 2.0 + 60.0 + 2.0 + 5.0 + 3.0 + 60.0 + 3.0 + 5.0;
    let ev = run(
        &m,
        CFG,
        &Sensor::default(),
        Some((start_ex - 1.0, start_ex + 60.0)),
    );
    assert_eq!(alerts(&ev), 0, "{:#?}", episodes(&ev));
    let states: Vec<_> = ev
        .iter()
        .filter_map(|e| match e {
            PostureEvent::State { state, .. } => Some(*state),
            _ => None,
        })
        .collect();
    for s in [
        PostureState::Moving,
        PostureState::Lying,
        PostureState::Exercising,
    ] {
        assert!(states.contains(&s), "{s:?} not in {states:?}");
    }
}

#[test]
fn snooze_holds_the_alert_back() {
    let m = Motion::new().rest(10.0).slouch(20.0, 2.0, 60.0).rest(5.0);
    let mut mon = Monitor::new(CFG, None);
    mon.snooze(55.0);
    let mut out = Vec::new();
    for s in m.render(&Sensor::default()) {
        mon.push_into(&s, &mut out);
    }
    let alert_t = out.iter().find_map(|e| match e {
        PostureEvent::SlouchAlert { t, .. } => Some(*t),
        _ => None,
    });
    assert!(
        alert_t.is_some_and(|t| (55.0..55.1).contains(&t)),
        "{alert_t:?}"
    );
}

#[test]
fn upright_fraction_counts_sitting_time_only() {
    let m = Motion::new().rest(63.0).slouch(25.0, 1.0, 30.0).rest(30.0);
    let mut mon = Monitor::new(
        PostureConfig {
            delay_s: 1000.0,
            ..CFG
        },
        None,
    );
    for s in m.render(&Sensor::default()) {
        mon.push(&s);
    }
    let f = mon.totals().upright_fraction().unwrap();
    // 3 s go to finding the reference; 90 s upright, ~30 s slouched.
    assert!((f - 90.0 / 120.0).abs() < 0.03, "{f}");
}
