//! A picture of a count (`postured analyze --plot out.svg`): the signal the counter
//! used over time, the rest pose, the target band, each counted rep numbered with
//! its hold shaded and its flags, and each movement that was not counted with the
//! reason, and any time the strap sent no samples. Plain SVG, written here, viewable in any browser.

use std::fmt::Write as _;

/// A stretch of time to mark on the plot.
#[derive(Debug, Clone, PartialEq)]
pub struct Span {
    /// Start (s).
    pub start_s: f64,
    /// End (s).
    pub end_s: f64,
    /// The hold within it (s), if any.
    pub hold: Option<(f64, f64)>,
    /// Shown above the span: the rep's number, or `-`.
    pub label: String,
    /// Shown under the label: flags, or why it was not counted.
    pub note: String,
}

/// What to draw.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plot {
    /// The title line.
    pub title: String,
    /// What the signal is (the y axis).
    pub y_label: String,
    /// The signal: (time s, value).
    pub trace: Vec<(f64, f64)>,
    /// The target band with its tolerance, in the signal's units.
    pub band: Option<(f64, f64)>,
    /// The rest pose's level, in the signal's units.
    pub rest: Option<f64>,
    /// Counted reps.
    pub reps: Vec<Span>,
    /// Movements not counted.
    pub others: Vec<Span>,
    /// Times with no samples (s): the strap's link dropped.
    pub gaps: Vec<(f64, f64)>,
}

const W: f64 = 1200.0;
const H: f64 = 380.0;
const LEFT: f64 = 60.0;
const RIGHT: f64 = 20.0;
const TOP: f64 = 64.0;
const BOTTOM: f64 = 40.0;

struct Scale {
    t: (f64, f64),
    y: (f64, f64),
}

impl Scale {
    fn new(p: &Plot) -> Self {
        let t0 = p.trace.first().map_or(0.0, |x| x.0);
        let t1 = p.trace.last().map_or(1.0, |x| x.0).max(t0 + 1e-3);
        let values = p.trace.iter().map(|x| x.1);
        let extra = p.band.into_iter().flat_map(|(a, b)| [a, b]).chain(p.rest);
        let (lo, hi) = values
            .chain(extra)
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                (lo.min(v), hi.max(v))
            });
        let (lo, hi) = if lo.is_finite() { (lo, hi) } else { (0.0, 1.0) };
        let pad = ((hi - lo) * 0.08).max(1e-3);
        Self {
            t: (t0, t1),
            y: (lo - pad, hi + pad),
        }
    }

    fn x(&self, t: f64) -> f64 {
        LEFT + (t - self.t.0) / (self.t.1 - self.t.0) * (W - LEFT - RIGHT)
    }

    fn y(&self, v: f64) -> f64 {
        H - BOTTOM - (v - self.y.0) / (self.y.1 - self.y.0) * (H - TOP - BOTTOM)
    }
}

/// A round step giving about `n` ticks over `span` (also the report's charts').
pub fn tick_step(span: f64, n: f64) -> f64 {
    let raw = span / n;
    let mag = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag)
}

/// `s` safe in HTML or SVG text and quoted attribute values.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn axes(s: &mut String, sc: &Scale, y_label: &str) {
    let step = tick_step(sc.t.1 - sc.t.0, 12.0);
    let mut t = (sc.t.0 / step).ceil() * step;
    while t <= sc.t.1 {
        let x = sc.x(t);
        let _ = write!(
            s,
            r##"<line x1="{x:.1}" y1="{TOP}" x2="{x:.1}" y2="{:.1}" stroke="#eee"/><text x="{x:.1}" y="{:.1}" text-anchor="middle" class="tick">{t}</text>"##,
            H - BOTTOM,
            H - BOTTOM + 16.0
        );
        t += step;
    }
    let step = tick_step(sc.y.1 - sc.y.0, 5.0);
    let mut v = (sc.y.0 / step).ceil() * step;
    while v <= sc.y.1 {
        let y = sc.y(v);
        let _ = write!(
            s,
            r##"<line x1="{LEFT}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#eee"/><text x="{:.1}" y="{:.1}" text-anchor="end" class="tick">{}</text>"##,
            W - RIGHT,
            LEFT - 6.0,
            y + 4.0,
            (v * 1000.0).round() / 1000.0 + 0.0
        );
        v += step;
    }
    let _ = write!(
        s,
        r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" class="tick">time (s)</text><text x="14" y="{:.1}" transform="rotate(-90 14 {:.1})" text-anchor="middle" class="tick">{}</text>"##,
        (LEFT + W - RIGHT) / 2.0,
        H - 6.0,
        (TOP + H - BOTTOM) / 2.0,
        (TOP + H - BOTTOM) / 2.0,
        escape(y_label)
    );
}

fn span(s: &mut String, sc: &Scale, sp: &Span, counted: bool) {
    let (x0, x1) = (sc.x(sp.start_s), sc.x(sp.end_s));
    let (fill, text) = if counted {
        ("#dbe9f7", "#1f4e79")
    } else {
        ("#eeeeee", "#777777")
    };
    let _ = write!(
        s,
        r#"<rect x="{x0:.1}" y="{TOP}" width="{:.1}" height="{:.1}" fill="{fill}"/>"#,
        (x1 - x0).max(1.0),
        H - TOP - BOTTOM
    );
    let _ = write!(
        s,
        r#"<line x1="{x0:.1}" y1="{TOP}" x2="{x0:.1}" y2="{:.1}" stroke="white" stroke-width="1.5"/>"#,
        H - BOTTOM
    );
    if let Some((a, b)) = sp.hold {
        let _ = write!(
            s,
            r##"<rect x="{:.1}" y="{TOP}" width="{:.1}" height="{:.1}" fill="#9cc3e6"/>"##,
            sc.x(a),
            (sc.x(b) - sc.x(a)).max(1.0),
            H - TOP - BOTTOM
        );
    }
    let mid = (x0 + x1) / 2.0;
    let _ = write!(
        s,
        r#"<text x="{mid:.1}" y="{:.1}" text-anchor="middle" class="n" fill="{text}">{}</text><text x="{mid:.1}" y="{:.1}" text-anchor="middle" class="note" fill="{}">{}</text>"#,
        TOP - 22.0,
        escape(&sp.label),
        TOP - 8.0,
        if counted { "#b00020" } else { text },
        escape(&sp.note)
    );
}

/// The plot as an SVG document.
pub fn svg(p: &Plot) -> String {
    let sc = Scale::new(p);
    let mut s = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" font-family="sans-serif"><style>.tick{{font-size:11px;fill:#555}}.n{{font-size:13px;font-weight:bold}}.note{{font-size:9px}}.title{{font-size:14px}}</style><rect width="{W}" height="{H}" fill="white"/><text x="{LEFT}" y="18" class="title">{}</text>"#,
        escape(&p.title)
    );
    for o in &p.others {
        span(&mut s, &sc, o, false);
    }
    for r in &p.reps {
        span(&mut s, &sc, r, true);
    }
    if let Some((a, b)) = p.band {
        let (ya, yb) = (sc.y(b), sc.y(a));
        let _ = write!(
            s,
            r##"<rect x="{LEFT}" y="{ya:.1}" width="{:.1}" height="{:.1}" fill="#2e7d32" fill-opacity="0.15"/>"##,
            W - LEFT - RIGHT,
            (yb - ya).max(1.0)
        );
    }
    for &(a, b) in &p.gaps {
        let (x0, x1) = (sc.x(a), sc.x(b));
        let _ = write!(
            s,
            r##"<rect x="{x0:.1}" y="{TOP}" width="{:.1}" height="{:.1}" fill="#757575" fill-opacity="0.35"/><text x="{:.1}" y="{:.1}" text-anchor="middle" class="note" fill="#424242">no samples</text>"##,
            (x1 - x0).max(1.0),
            H - TOP - BOTTOM,
            (x0 + x1) / 2.0,
            H - BOTTOM - 6.0
        );
    }
    axes(&mut s, &sc, &p.y_label);
    if let Some(r) = p.rest {
        let y = sc.y(r);
        let _ = write!(
            s,
            r##"<line x1="{LEFT}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#888" stroke-dasharray="6 4"/><text x="{:.1}" y="{:.1}" text-anchor="end" class="tick">rest pose</text>"##,
            W - RIGHT,
            W - RIGHT - 4.0,
            y - 4.0
        );
    }
    let points: Vec<String> = p
        .trace
        .iter()
        .map(|&(t, v)| format!("{:.1},{:.1}", sc.x(t), sc.y(v)))
        .collect();
    let _ = write!(
        s,
        r##"<polyline fill="none" stroke="#1565c0" stroke-width="1.2" points="{}"/></svg>"##,
        points.join(" ")
    );
    s.push('\n');
    s
}

/// Keeps at most `max` points of a trace, evenly, always the last.
pub fn thin(trace: Vec<(f64, f64)>, max: usize) -> Vec<(f64, f64)> {
    let every = trace.len().div_ceil(max.max(1)).max(1);
    let last = trace.last().copied();
    let mut out: Vec<(f64, f64)> = trace.into_iter().step_by(every).collect();
    if let Some(l) = last
        && out.last() != Some(&l)
    {
        out.push(l);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_every_rep_the_band_and_the_trace() {
        let p = Plot {
            title: "prone-leg-raise <left>".into(),
            y_label: "angle (deg)".into(),
            trace: (0..100)
                .map(|i| (f64::from(i) * 0.1, f64::from(i % 20)))
                .collect(),
            band: Some((7.0, 28.0)),
            rest: Some(0.0),
            reps: vec![Span {
                start_s: 1.0,
                end_s: 3.0,
                hold: Some((1.5, 2.5)),
                label: "1".into(),
                note: "short_hold".into(),
            }],
            others: vec![Span {
                start_s: 5.0,
                end_s: 6.0,
                hold: None,
                label: "-".into(),
                note: "lead_in".into(),
            }],
            gaps: vec![(7.0, 8.5)],
        };
        let svg = svg(&p);
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
        assert!(svg.contains("prone-leg-raise &lt;left&gt;"));
        assert!(svg.contains(">short_hold<") && svg.contains(">lead_in<"));
        assert!(svg.contains(">no samples<"));
        assert!(svg.contains("rest pose") && svg.contains("fill-opacity"));
        assert_eq!(svg.matches("<polyline").count(), 1);
    }

    #[test]
    fn thinning_keeps_the_ends() {
        let t: Vec<(f64, f64)> = (0..1001).map(|i| (f64::from(i), 0.0)).collect();
        let out = thin(t, 100);
        assert!(out.len() <= 102);
        assert_eq!(out.first().unwrap().0, 0.0);
        assert_eq!(out.last().unwrap().0, 1000.0);
    }
}
