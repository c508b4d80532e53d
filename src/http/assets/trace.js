// The live trace of the measured angle over the last 30 s, over the target band
// (shaded) and its tolerance, from the ticks; the wearer sees a hold drift before
// the flag says so. Plain SVG, redrawn on each tick.

import { $ } from "./dom.js";

const SPAN_S = 30;
const W = 300;
const H = 100;
const NS = "http://www.w3.org/2000/svg";

/** (t, angle) of the running set's ticks, oldest first. */
let points = [];
let setId = null;

function node(tag, attrs) {
  const n = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, v);
  return n;
}

/** Adds the tick's angle and redraws; a new set starts a new trace. */
export function traceTick(t, set) {
  if (!set) return;
  if (set.id !== setId) {
    setId = set.id;
    points = [];
  }
  // Every strap ticks (each on its own clock, mapped to wall time) with the
  // counting strap's angle: keep the trace in time order.
  if (points.length && t <= points[points.length - 1][0]) return;
  points.push([t, set.angle_deg]);
  points = points.filter(([pt]) => pt > t - SPAN_S);
  draw(t, set);
}

function draw(now, set) {
  const svg = $("angle-trace");
  const band = set.angle_target_deg;
  const tol = set.tolerance_deg ?? 0;
  const angles = points.map(([, a]) => a);
  const top = Math.max(10, ...angles, band ? band[1] + tol + 5 : 0);
  const bottom = Math.min(0, ...angles);
  const x = (t) => ((t - (now - SPAN_S)) / SPAN_S) * W;
  const y = (a) => H - ((a - bottom) / (top - bottom)) * H;
  const parts = [];
  if (band) {
    parts.push(node("rect", { class: "trace-tolerance", x: 0, width: W, y: y(band[1] + tol), height: Math.max(0, y(band[0] - tol) - y(band[1] + tol)) }));
    parts.push(node("rect", { class: "trace-band", x: 0, width: W, y: y(band[1]), height: Math.max(0, y(band[0]) - y(band[1])) }));
  }
  parts.push(node("line", { class: "trace-rest", x1: 0, x2: W, y1: y(0), y2: y(0) }));
  const line = points.map(([t, a]) => `${x(t).toFixed(1)},${y(a).toFixed(1)}`).join(" ");
  parts.push(node("polyline", { class: "trace-line", points: line }));
  svg.replaceChildren(...parts);
  svg.dataset.points = String(points.length);
  svg.dataset.spanS = (points[points.length - 1][0] - points[0][0]).toFixed(1);
  const inBand = band && angles.length && angles[angles.length - 1] >= band[0] - tol && angles[angles.length - 1] <= band[1] + tol;
  svg.classList.toggle("in-band", !!inBand);
}
