//! `analyze --plot`: a picture of how a spec counts a recording (see
//! [`crate::plot`]).

use crate::exercises::ExerciseSpec;
use crate::motion::{Counter, Rep, RepEvent, Sample, Settled, Side, Vec3};
use crate::plot::{Plot, Span, thin};

/// A picture of how `spec` counts `samples` (see [`crate::plot`]): for a tilt or
/// hold exercise the angle from the rest pose with the target band; for a count of
/// any movement the signal the settled count used.
pub fn plot(
    spec: &ExerciseSpec,
    samples: &[Sample],
    side: Option<Side>,
    reference: Option<Vec3>,
) -> String {
    let mut counter = Counter::new(spec, side, reference);
    let (mut events, mut angle) = (Vec::new(), Vec::new());
    for s in samples {
        counter.push_into(s, &mut events);
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
