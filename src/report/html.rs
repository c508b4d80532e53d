//! The report as one HTML page: plain string building, every stored text
//! escaped ([`crate::plot::escape`]), print CSS for A4, no scripts.

use std::fmt::Write as _;

use super::svg::{self, Line};
use super::{ADVISED_PER_DAY, Exercise, Input, Summary, civil, iso_date, summarize};
use crate::plot::escape;

/// The page's style: screen and A4 print (`@page`, `@media print`).
const STYLE: &str = include_str!("style.css");

/// The page for `input`.
pub fn render(input: &Input<'_>) -> String {
    let sum = summarize(input);
    let off = input.utc_offset_s;
    let period = format!(
        "{} to {}",
        iso_date(input.from, off),
        iso_date((input.to - 1.0).max(input.from), off)
    );
    let mut s = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>postured report, {period}</title><style>{STYLE}</style></head><body>\
         <header><h1>Back care: exercise and posture report</h1>\
         <p class=\"muted\">{period} · made by postured on {} from the wearer's straps. \
         Counts are automatic; the wearer's corrections are listed at the end.</p></header>",
        iso_date(input.generated_at, off)
    );
    adherence(&mut s, &sum, off);
    exercises(&mut s, &sum, input);
    felt(&mut s, &sum, input);
    posture(&mut s, &sum, off);
    corrections(&mut s, &sum, off);
    s.push_str("</body></html>\n");
    s
}

/// `2 Dec`.
fn short_date(t: f64, off: f64) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let (_, m, d) = civil(t, off);
    format!("{d} {}", MONTHS[(m as usize).saturating_sub(1) % 12])
}

fn figure(s: &mut String, value: impl std::fmt::Display, what: &str) {
    let _ = write!(s, "<div><strong>{value}</strong>{}</div>", escape(what));
}

fn adherence(s: &mut String, sum: &Summary, off: f64) {
    let n = sum.days.len().max(1);
    let total: u32 = sum.days.iter().map(|d| d.sessions).sum();
    let active = sum.days.iter().filter(|d| d.sessions > 0).count();
    let full = sum
        .days
        .iter()
        .filter(|d| d.sessions >= ADVISED_PER_DAY)
        .count();
    s.push_str("<section><h2>Adherence</h2><div class=\"figures\">");
    figure(s, total, "sessions");
    figure(
        s,
        format!("{:.1}", f64::from(total) / n as f64),
        "sessions a day (advised: 3 a day)",
    );
    figure(s, format!("{active} of {n}"), "days with a session");
    figure(s, format!("{full} of {n}"), "days with 3 or more");
    s.push_str("</div>");
    let values: Vec<f64> = sum.days.iter().map(|d| f64::from(d.sessions)).collect();
    let labels: Vec<String> = sum.days.iter().map(|d| short_date(d.start, off)).collect();
    let top = values.iter().copied().fold(4.0, f64::max);
    s.push_str(&svg::bars(
        "Sessions a day",
        "sessions",
        &values,
        &labels,
        top,
        Some(3.0),
    ));
    s.push_str(
        "<p class=\"legend\">Bars: sessions a day. Dashed line: the 3 a day advised for stretching \
         (morning, during the day, before bed).</p></section>",
    );
}

fn exercises(s: &mut String, sum: &Summary, input: &Input<'_>) {
    s.push_str("<section><h2>Exercises</h2>");
    if sum.exercises.is_empty() {
        s.push_str("<p class=\"muted\">No sets in this period.</p>");
    }
    s.push_str(
        "<table><thead><tr><th>Exercise</th><th class=\"num\">Sets</th><th class=\"num\">Reps</th>\
         <th class=\"num\">Holds on target</th><th>Most often missed</th></tr></thead><tbody>",
    );
    for e in &sum.exercises {
        let holds = if e.holds > 0 {
            format!(
                "{} of {} ({:.0}%)",
                e.holds_on_target,
                e.holds,
                100.0 * f64::from(e.holds_on_target) / f64::from(e.holds)
            )
        } else {
            "–".into()
        };
        let _ = write!(
            s,
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{holds}</td><td>{}</td></tr>",
            escape(&e.name),
            e.sets,
            e.reps,
            missed(e)
        );
    }
    s.push_str("</tbody></table>");
    for e in sum.exercises.iter().filter(|e| !e.peaks.is_empty()) {
        range_of_motion(s, e, input);
    }
    s.push_str("</section>");
}

/// `Short hold (4), Partial range (1)`.
fn missed(e: &Exercise) -> String {
    let words: Vec<String> = e
        .missed
        .iter()
        .take(3)
        .map(|(f, n)| format!("{} ({n})", flag_words(f.as_str())))
        .collect();
    if words.is_empty() {
        "nothing".into()
    } else {
        words.join(", ")
    }
}

/// `short_hold` -> `Short hold`.
fn flag_words(flag: &str) -> String {
    let text = flag.replace('_', " ");
    let mut c = text.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

fn range_of_motion(s: &mut String, e: &Exercise, input: &Input<'_>) {
    let best: Vec<(f64, f64)> = e.peaks.iter().map(|p| (p.0, p.1)).collect();
    let mean: Vec<(f64, f64)> = e.peaks.iter().map(|p| (p.0, p.2)).collect();
    let top = e
        .peaks
        .iter()
        .map(|p| p.1)
        .chain(e.band.map(|b| b[1]))
        .fold(10.0, f64::max);
    let series = [
        Line::new("best peak of the week", "#1f5fbf", "", best),
        Line::new("mean peak", "#9a6700", "5 4", mean),
    ];
    let labels = e
        .peaks
        .iter()
        .map(|p| (p.0, short_date(p.0, input.utc_offset_s)))
        .collect();
    let last = e.peaks.last().map_or(input.from, |p| p.0);
    let span = (input.from - 86_400.0, last.max(input.from) + 86_400.0);
    let _ = write!(
        s,
        "<div class=\"exercise\"><h3>Range of motion, week by week: {}</h3>",
        escape(&e.name)
    );
    let title = format!(
        "{}: peak angle by week (labels: first day of the week)",
        e.name
    );
    s.push_str(&svg::lines(
        &title,
        "degrees",
        &series,
        span,
        (0.0, top * 1.1),
        e.band,
        labels,
    ));
    s.push_str(&svg::legend(&series));
    if let Some([lo, hi]) = e.band {
        let _ = write!(
            s,
            "<p class=\"legend\">Shaded: the target, {lo:.0}–{hi:.0}°.</p>"
        );
    }
    s.push_str("</div>");
}

/// A day with feedback: (midday, mean pain, highest pain, mean effort).
type FeltDay = (f64, Option<f64>, Option<f64>, Option<f64>);

/// The days with feedback.
fn felt_by_day(sum: &Summary) -> Vec<FeltDay> {
    let Some(first) = sum.days.first().map(|d| d.start) else {
        return Vec::new();
    };
    // Pain and effort given each day of the period.
    let mut by_day: Vec<(Vec<f64>, Vec<f64>)> = vec![Default::default(); sum.days.len()];
    for f in sum.felt.iter().map(|x| &x.feedback) {
        let k = ((f.at - first) / 86_400.0).floor();
        if let Some(day) = (k >= 0.0).then(|| by_day.get_mut(k as usize)).flatten() {
            day.0.extend(f.pain.map(f64::from));
            day.1.extend(f.effort.map(f64::from));
        }
    }
    let mean = |v: &[f64]| (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64);
    sum.days
        .iter()
        .zip(by_day)
        .filter(|(_, (p, e))| !p.is_empty() || !e.is_empty())
        .map(|(d, (p, e))| {
            let top = p.iter().copied().reduce(f64::max);
            (d.start + 43_200.0, mean(&p), top, mean(&e))
        })
        .collect()
}

fn felt(s: &mut String, sum: &Summary, input: &Input<'_>) {
    let off = input.utc_offset_s;
    s.push_str("<section><h2>Pain and effort</h2>");
    if sum.felt.is_empty() {
        s.push_str("<p class=\"muted\">No pain or effort given in this period.</p></section>");
        return;
    }
    let days = felt_by_day(sum);
    let pick =
        |f: fn(&FeltDay) -> Option<f64>| days.iter().filter_map(|d| Some((d.0, f(d)?))).collect();
    let series = [
        Line::new("highest pain of the day", "#c0362c", "", pick(|d| d.2)),
        Line::new("mean pain", "#e8a09a", "2 3", pick(|d| d.1)),
        Line::new("mean effort", "#1f5fbf", "6 4", pick(|d| d.3)),
    ];
    let labels = sum
        .days
        .iter()
        .map(|d| (d.start + 43_200.0, short_date(d.start, off)))
        .collect();
    let span = (
        sum.days[0].start,
        sum.days[sum.days.len() - 1].start + 86_400.0,
    );
    let chart = svg::lines(
        "Pain and effort by day",
        "0–10",
        &series,
        span,
        (0.0, 10.0),
        None,
        labels,
    );
    s.push_str(&chart);
    s.push_str(&svg::legend(&series));
    notes(s, sum, off);
    s.push_str("</section>");
}

/// The feedback with a note, or with pain of 7 or more.
fn notes(s: &mut String, sum: &Summary, off: f64) {
    let shown: Vec<_> = sum
        .felt
        .iter()
        .filter(|x| x.feedback.note.is_some() || x.feedback.pain.is_some_and(|p| p >= 7))
        .collect();
    if shown.is_empty() {
        s.push_str("<p class=\"muted\">No notes, and no pain of 7 or more, in this period.</p>");
        return;
    }
    s.push_str(
        "<h3>Notes, and pain of 7 or more</h3><table><thead><tr><th>Date</th><th>For</th><th class=\"num\">Pain</th><th class=\"num\">Effort</th><th>Note</th></tr></thead><tbody>",
    );
    let score = |v: Option<u8>| v.map_or("–".to_owned(), |v| v.to_string());
    for x in shown {
        let f = &x.feedback;
        let _ = write!(
            s,
            "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"note\">{}</td></tr>",
            iso_date(f.at, off),
            escape(x.exercise.as_deref().unwrap_or("whole session")),
            score(f.pain),
            score(f.effort),
            escape(f.note.as_deref().unwrap_or(""))
        );
    }
    s.push_str("</tbody></table>");
}

fn posture(s: &mut String, sum: &Summary, off: f64) {
    s.push_str("<section><h2>Posture</h2>");
    let measured: Vec<_> = sum
        .days
        .iter()
        .filter(|d| d.upright_s + d.slouched_s > 0.0)
        .collect();
    let up: f64 = measured.iter().map(|d| d.upright_s).sum();
    let all: f64 = measured.iter().map(|d| d.upright_s + d.slouched_s).sum();
    let alerts: u32 = sum.days.iter().map(|d| d.alerts).sum();
    s.push_str("<div class=\"figures\">");
    figure(s, format!("{:.0} h", all / 3600.0), "posture measured");
    figure(
        s,
        if all > 0.0 {
            format!("{:.0}%", 100.0 * up / all)
        } else {
            "–".into()
        },
        "of it upright",
    );
    figure(s, alerts, "slouch alerts");
    s.push_str("</div>");
    let share: Vec<f64> = sum
        .days
        .iter()
        .map(|d| {
            let t = d.upright_s + d.slouched_s;
            if t > 0.0 {
                100.0 * d.upright_s / t
            } else {
                f64::NAN
            }
        })
        .collect();
    let labels: Vec<String> = sum.days.iter().map(|d| short_date(d.start, off)).collect();
    s.push_str(&svg::bars(
        "Upright share by day",
        "% upright",
        &share,
        &labels,
        100.0,
        None,
    ));
    s.push_str("<p class=\"legend\">Share of the measured time spent upright; no bar: no posture measured that day.</p>");
    let per_day: Vec<f64> = sum.days.iter().map(|d| f64::from(d.alerts)).collect();
    let top = per_day.iter().copied().fold(4.0, f64::max);
    s.push_str("<h3>Slouch alerts by day</h3>");
    s.push_str(&svg::bars(
        "Slouch alerts by day",
        "alerts",
        &per_day,
        &labels,
        top,
        None,
    ));
    s.push_str("</section>");
}

fn corrections(s: &mut String, sum: &Summary, off: f64) {
    s.push_str("<section><h2>Corrections to automatic counts</h2>");
    if sum.corrections.is_empty() {
        s.push_str(
            "<p class=\"muted\">The wearer corrected no counts in this period.</p></section>",
        );
        return;
    }
    s.push_str(
        "<table><thead><tr><th>Date</th><th>Exercise</th><th class=\"num\">Counted</th><th class=\"num\">Corrected to</th></tr></thead><tbody>",
    );
    for c in &sum.corrections {
        let _ = write!(
            s,
            "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            iso_date(c.at, off),
            escape(&c.exercise),
            c.counted,
            c.corrected
        );
    }
    s.push_str("</tbody></table></section>");
}
