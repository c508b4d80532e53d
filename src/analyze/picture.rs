//! `analyze --plot`: a picture of how a spec counts a recording (see
//! [`crate::plot`]).

use crate::exercises::{CycleAxis, ExerciseSpec, Measure};
use crate::motion::{Counter, Rep, RepEvent, Sample, Settled, Side, Vec3};
use crate::plot::{Plot, Span, thin};

/// A picture of how `spec` counts `samples` (see [`crate::plot`]): for a tilt or
/// hold exercise the angle from the rest pose with the target band; for a count of
/// any movement the signal the settled count used, or for one that stands as
/// counted live (`settle = false`) the signal the live count used.
pub fn plot(
    spec: &ExerciseSpec,
    samples: &[Sample],
    side: Option<Side>,
    reference: Option<Vec3>,
) -> String {
    let mut counter = Counter::new(spec, side, reference);
    let (mut events, mut angle, mut live) = (Vec::new(), Vec::new(), Vec::new());
    for s in samples {
        counter.push_into(s, &mut events);
        if let Some(v) = counter.cycle_signal() {
            live.push((s.t, v));
        }
        let p = counter.progress();
        if p.referenced {
            angle.push((s.t, p.angle_deg));
        }
    }
    let (settled, settle_trace) = counter.settle_traced();
    let (reps, others) = spans(&settled, &events);
    let t = spec.target.tolerance_deg;
    let (y_label, trace, band, rest) = match settle_trace {
        Some(tr) => (
            "movement along its main direction (settled; RMS units)",
            tr,
            None,
            None,
        ),
        None if matches!(spec.measure, Measure::Cycles { .. }) => (
            match spec.measure {
                Measure::Cycles {
                    axis: CycleAxis::Vertical,
                    ..
                } => "vertical speed less its slow mean (live; g s)",
                _ => "movement along its main direction, less its slow mean (live; g)",
            },
            live,
            None,
            None,
        ),
        None => (
            "angle from the rest pose (deg)",
            angle,
            spec.target.angle_deg.map(|[lo, hi]| (lo - t, hi + t)),
            Some(0.0),
        ),
    };
    crate::plot::svg(&Plot {
        title: format!(
            "{}: {} reps counted (live {}), {} not counted{}",
            spec.id,
            settled.reps.len(),
            settled.live_reps,
            others.len(),
            match counter.gaps().len() {
                0 => String::new(),
                1 => ", 1 gap in the samples".into(),
                n => format!(", {n} gaps in the samples"),
            }
        ),
        y_label: y_label.into(),
        trace: thin(trace, 6000),
        band,
        rest,
        reps,
        others,
        gaps: counter.gaps().to_vec(),
    })
}

/// The counted reps, numbered with their flags; then the movements not counted,
/// with the reason.
fn spans(settled: &Settled, events: &[RepEvent]) -> (Vec<Span>, Vec<Span>) {
    let span = |r: &Rep, label: String, note: String| Span {
        start_s: r.start_s,
        end_s: r.end_s,
        hold: r
            .hold
            .filter(|h| h.held_s > 0.0)
            .map(|h| (h.start_s, h.end_s)),
        label,
        note,
    };
    let flags = |r: &Rep| {
        r.flags
            .iter()
            .map(|f| f.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let reps = settled
        .reps
        .iter()
        .map(|r| span(r, r.n.to_string(), flags(r)))
        .collect();
    let mut others: Vec<Span> = events
        .iter()
        .filter_map(|e| match e {
            RepEvent::Attempt(r) => Some(span(r, "-".into(), "short of target".into())),
            _ => None,
        })
        .collect();
    others.extend(
        settled
            .withdrawn
            .iter()
            .map(|w| span(&w.rep, "-".into(), w.reason.as_str().into())),
    );
    (reps, others)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A count that stands as counted live is drawn on the signal it counted,
    /// not on an angle from a rest pose it never used: one rise and fall of
    /// the vertical speed for each of eight presses.
    #[test]
    fn a_live_count_of_cycles_is_drawn_on_the_signal_it_counted() {
        let spec = crate::exercises::parse(
            "id = \"press\"\nname = \"Press\"\ndescription = \"\"\nplacement = [\"wrist\"]\n\
             [measure]\nkind = \"cycles\"\nsettle = false\naxis = \"vertical\"\n\
             [target]\nreps = 8\nmin_rep_s = 1.0\n",
            std::path::Path::new("press.toml"),
        )
        .expect("spec");
        let (period, rise_m, rate) = (2.0, 0.5, 25.0);
        let w = std::f64::consts::TAU / period;
        let samples: Vec<Sample> = (0..(20.0 * rate) as usize)
            .map(|i| {
                let t = i as f64 / rate;
                let tt = t - 2.0;
                let a = if (0.0..8.0 * period).contains(&tt) {
                    rise_m / 2.0 * w * w * (w * tt).cos() / 9.81
                } else {
                    0.0
                };
                Sample {
                    t,
                    accel: [0.0, 0.0, 1.0 + a],
                    gyro: None,
                }
            })
            .collect();
        let svg = plot(&spec, &samples, None, None);
        assert!(svg.contains("vertical speed"), "{}", &svg[..600]);
        assert!(!svg.contains("angle from the rest pose"));
        assert!(!svg.contains("rest pose"));
        // The speed rises and falls with every press, so its line takes many
        // levels, where a line of steps from one rep's angle to the next's
        // would take a few.
        let points = svg
            .split("points=\"")
            .nth(1)
            .and_then(|p| p.split('"').next())
            .expect("a traced line");
        let ys: std::collections::BTreeSet<i64> = points
            .split(' ')
            .filter_map(|xy| xy.split(',').nth(1)?.parse::<f64>().ok())
            .map(|y| y.round() as i64)
            .collect();
        assert!(ys.len() > 50, "{} levels", ys.len());
    }
}
