//! The report's charts as inline SVG: bars by day and lines over time, with a
//! reference line or a shaded target band. Black-and-white printers keep them
//! readable: lines differ by dash as well as colour. Tick steps and escaping are
//! [`crate::plot`]'s.

use std::fmt::Write as _;

use crate::plot::{escape, tick_step};

const W: f64 = 720.0;
const H: f64 = 190.0;
const LEFT: f64 = 44.0;
const RIGHT: f64 = 24.0;
const TOP: f64 = 20.0;
const BOTTOM: f64 = 26.0;

/// A line of points (x, y).
#[derive(Debug, Clone)]
pub struct Line<'a> {
    /// Shown in the legend.
    pub label: &'a str,
    /// CSS colour.
    pub colour: &'a str,
    /// SVG dash pattern, empty for solid.
    pub dash: &'a str,
    /// The points, x increasing.
    pub points: Vec<(f64, f64)>,
}

impl<'a> Line<'a> {
    /// A line of `points` drawn in `colour` with `dash`.
    pub fn new(label: &'a str, colour: &'a str, dash: &'a str, points: Vec<(f64, f64)>) -> Self {
        Self {
            label,
            colour,
            dash,
            points,
        }
    }
}

/// What both charts share: the scales, the frame and the x labels.
struct Frame {
    x: (f64, f64),
    y: (f64, f64),
}

impl Frame {
    fn x(&self, v: f64) -> f64 {
        LEFT + (v - self.x.0) / (self.x.1 - self.x.0).max(1e-9) * (W - LEFT - RIGHT)
    }

    fn y(&self, v: f64) -> f64 {
        H - BOTTOM - (v - self.y.0) / (self.y.1 - self.y.0).max(1e-9) * (H - TOP - BOTTOM)
    }

    /// Opens the SVG with the y grid labelled `unit`; the x labels are
    /// `(x, text)`.
    fn open(&self, title: &str, unit: &str, x_labels: &[(f64, String)]) -> String {
        let mut s = format!(
            r#"<svg class="chart" viewBox="0 0 {W} {H}" role="img" aria-label="{}" xmlns="http://www.w3.org/2000/svg">"#,
            escape(title)
        );
        let step = tick_step(self.y.1 - self.y.0, 4.0);
        let mut v = (self.y.0 / step).ceil() * step;
        while v <= self.y.1 + 1e-9 {
            let y = self.y(v);
            let _ = write!(
                s,
                r##"<line x1="{LEFT}" x2="{:.1}" y1="{y:.1}" y2="{y:.1}" class="grid"/><text x="{:.1}" y="{:.1}" class="tick" text-anchor="end">{}</text>"##,
                W - RIGHT,
                LEFT - 4.0,
                y + 3.5,
                (v * 100.0).round() / 100.0 + 0.0
            );
            v += step;
        }
        let _ = write!(
            s,
            r#"<text x="4" y="10" class="tick">{}</text>"#,
            escape(unit)
        );
        for (x, text) in x_labels {
            let _ = write!(
                s,
                r#"<text x="{:.1}" y="{:.1}" class="tick" text-anchor="middle">{}</text>"#,
                self.x(*x),
                H - 8.0,
                escape(text)
            );
        }
        s
    }
}

/// At most `n` of `labels`, evenly spread.
fn some(labels: Vec<(f64, String)>, n: usize) -> Vec<(f64, String)> {
    let every = labels.len().div_ceil(n.max(1)).max(1);
    labels.into_iter().step_by(every).collect()
}

/// Bars of `values` (one a day, say), 0 to `y_max`, with a dashed line at
/// `reference` if any; a NaN value has no bar. `labels` are the bars' x labels (some are shown).
pub fn bars(
    title: &str,
    unit: &str,
    values: &[f64],
    labels: &[String],
    y_max: f64,
    reference: Option<f64>,
) -> String {
    let n = values.len().max(1) as f64;
    let f = Frame {
        x: (0.0, n),
        y: (0.0, y_max),
    };
    let ticks: Vec<(f64, String)> = labels
        .iter()
        .enumerate()
        .map(|(i, l)| (i as f64 + 0.5, l.clone()))
        .collect();
    let mut s = f.open(title, unit, &some(ticks, 10));
    let w = ((W - LEFT - RIGHT) / n * 0.7).max(0.5);
    for (i, v) in values.iter().enumerate().filter(|(_, v)| v.is_finite()) {
        let (x, y) = (f.x(i as f64 + 0.5) - w / 2.0, f.y(v.min(y_max)));
        let _ = write!(
            s,
            r#"<rect x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{:.1}" class="bar"><title>{}: {v:.0}</title></rect>"#,
            (H - BOTTOM - y).max(0.0),
            escape(labels.get(i).map_or("", String::as_str))
        );
    }
    if let Some(r) = reference {
        let y = f.y(r);
        let _ = write!(
            s,
            r#"<line x1="{LEFT}" x2="{:.1}" y1="{y:.1}" y2="{y:.1}" class="reference"/>"#,
            W - RIGHT
        );
    }
    s.push_str("</svg>");
    s
}

/// Lines over x from `x_range`, y from `y_range`, over a shaded `band` if any.
pub fn lines(
    title: &str,
    unit: &str,
    series: &[Line<'_>],
    x_range: (f64, f64),
    y_range: (f64, f64),
    band: Option<[f64; 2]>,
    x_labels: Vec<(f64, String)>,
) -> String {
    let f = Frame {
        x: x_range,
        y: y_range,
    };
    let mut s = f.open(title, unit, &some(x_labels, 8));
    if let Some([lo, hi]) = band {
        let (top, bottom) = (f.y(hi.min(y_range.1)), f.y(lo.max(y_range.0)));
        let _ = write!(
            s,
            r#"<rect x="{LEFT}" y="{top:.1}" width="{:.1}" height="{:.1}" class="band"/>"#,
            W - LEFT - RIGHT,
            (bottom - top).max(0.0)
        );
    }
    for l in series {
        let points: Vec<String> = l
            .points
            .iter()
            .map(|&(x, y)| format!("{:.1},{:.1}", f.x(x), f.y(y)))
            .collect();
        let _ = write!(
            s,
            r#"<polyline points="{}" fill="none" stroke="{}" stroke-width="2" stroke-dasharray="{}"/>"#,
            points.join(" "),
            l.colour,
            l.dash
        );
        for p in &points {
            let (x, y) = p.split_once(',').unwrap_or(("0", "0"));
            let _ = write!(
                s,
                r#"<circle cx="{x}" cy="{y}" r="3" fill="{}"/>"#,
                l.colour
            );
        }
    }
    s.push_str("</svg>");
    s
}

/// The legend under a line chart.
pub fn legend(series: &[Line<'_>]) -> String {
    let mut s = String::from(r#"<p class="legend">"#);
    for l in series {
        let _ = write!(
            s,
            r#"<svg width="28" height="10" aria-hidden="true"><line x1="0" x2="28" y1="5" y2="5" stroke="{}" stroke-width="2" stroke-dasharray="{}"/></svg> {} "#,
            l.colour,
            l.dash,
            escape(l.label)
        );
    }
    s.push_str("</p>");
    s
}
