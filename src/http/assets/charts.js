// uPlot charts (vendored, see /assets/uPlot.LICENSE): one way to draw, bars,
// target bands, per-rep charts and heart rate.

import { css, el, state } from "./dom.js";
import { flagText } from "./labels.js";

export function destroyCharts() {
  for (const c of state.charts) c.destroy();
  state.charts = [];
}

export function chartWidth(container) {
  return Math.max(260, container.clientWidth || container.parentElement.clientWidth - 32);
}

/**
 * Draws a uPlot chart in `container`, or says there is nothing to show.
 * `series` are uPlot series (after x); `data` is [xs, ...ys].
 */
export function chart(container, { data, series, xTime = false, xRange, xSplits, xLabel, yRange, yLabel, hooks, legend = true, height = 220, empty }) {
  container.replaceChildren();
  if (!data[0].length) {
    container.append(el("p", { class: "empty", text: empty ?? "Nothing here yet." }));
    return null;
  }
  const axis = { stroke: css("--muted"), grid: { stroke: css("--line"), width: 1 }, ticks: { stroke: css("--line") } };
  const opts = {
    width: chartWidth(container),
    height,
    scales: { x: { time: xTime, ...(xRange ? { range: xRange } : {}) }, y: yRange ? { range: yRange } : {} },
    axes: [{ ...axis, label: xLabel, ...(xSplits ? { splits: () => xSplits } : {}) }, { ...axis, label: yLabel }],
    series: [{ label: xTime ? "time" : xLabel }, ...series],
    hooks,
    legend: { show: legend, live: false },
    cursor: { drag: { x: false, y: false } },
  };
  const u = new uPlot(opts, data, container);
  state.charts.push(u);
  return u;
}

const bars = () => uPlot.paths.bars({ size: [0.6, 48], align: 0 });

export function barSeries(label, colour) {
  return { label, stroke: colour, fill: colour, paths: bars(), points: { show: false } };
}

export function bandSeries(label, colour) {
  return { label, stroke: colour, width: 1, dash: [6, 4], points: { show: false } };
}

/** A uPlot hook that shades the target band `[lo, hi]` across the whole plot. */
function shadeBand(band) {
  return (u) => {
    const top = u.valToPos(band[1], "y", true);
    const bottom = u.valToPos(band[0], "y", true);
    const { left, width } = u.bbox;
    const ctx = u.ctx;
    ctx.save();
    ctx.fillStyle = css("--ok-soft");
    ctx.fillRect(left, top, width, bottom - top);
    ctx.strokeStyle = css("--ok");
    ctx.setLineDash([6, 4]);
    ctx.lineWidth = Math.max(1, devicePixelRatio);
    for (const y of [top, bottom]) {
      ctx.beginPath();
      ctx.moveTo(left, y);
      ctx.lineTo(left + width, y);
      ctx.stroke();
    }
    ctx.restore();
  };
}

/**
 * Bars of a per-rep value, over a shaded target band `[lo, hi]` if any; a bar is
 * red when its rep carries one of `missed` (the flags this chart is about).
 */
export function repChart(container, reps, value, band, label, unit, missed) {
  const xs = reps.map((r) => r.n);
  const ys = reps.map(value);
  const top = Math.max(...ys, band ? band[1] : 0) * 1.15 || 1;
  const colours = reps.map((r) => (r.flags.some((f) => missed.includes(f)) ? css("--bad") : css("--ok")));
  const perRep = { unit: 3, values: () => colours };
  const u = chart(container, {
    data: [xs, ys],
    series: [
      {
        label,
        stroke: css("--accent"),
        paths: uPlot.paths.bars({ size: [0.6, 48], align: 0, disp: { fill: perRep, stroke: perRep } }),
        points: { show: false },
      },
    ],
    legend: false,
    xRange: [0.5, Math.max(...xs) + 0.5],
    xSplits: xs,
    yRange: [0, top],
    yLabel: unit,
    xLabel: "rep",
    height: 200,
    hooks: band ? { drawClear: [shadeBand(band)] } : undefined,
  });
  const caption = [band ? `Shaded band: the target, ${band[0]}–${band[1]} ${unit}.` : null, `Red: ${missed.map(flagText).join(" or ")}.`];
  if (u) container.append(el("p", { class: "muted caption", text: caption.filter(Boolean).join(" ") }));
  return u;
}

/** A uPlot hook that shades each rep's time (x from `t0`). */
function shadeReps(reps, t0) {
  return (u) => {
    const ctx = u.ctx;
    ctx.save();
    ctx.fillStyle = css("--ok-soft");
    for (const r of reps) {
      const x0 = u.valToPos(r.start_s - t0, "x", true);
      const x1 = u.valToPos(r.end_s - t0, "x", true);
      ctx.fillRect(x0, u.bbox.top, Math.max(1, x1 - x0), u.bbox.height);
    }
    ctx.restore();
  };
}

/** Heart rate over a set, its reps shaded. */
export function heartChart(container, points, reps, t0) {
  const u = chart(container, {
    data: [points.map((p) => p.t - t0), points.map((p) => p.bpm)],
    series: [{ label: "bpm", stroke: css("--bad"), width: 2, points: { show: false } }],
    xLabel: "s into the set",
    yLabel: "bpm",
    yRange: [Math.min(...points.map((p) => p.bpm)) - 10, Math.max(...points.map((p) => p.bpm)) + 10],
    legend: false,
    height: 160,
    hooks: { drawClear: [shadeReps(reps, t0)] },
  });
  if (u && reps.length) container.append(el("p", { class: "muted caption", text: "Shaded: the reps." }));
}
