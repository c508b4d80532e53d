// Shared by every view: the page's state, element helpers and formats.

export const $ = (id) => document.getElementById(id);
export const DAY_S = 86400;

export const state = {
  exercises: new Map(), // id -> spec
  routines: [],
  straps: new Map(), // label -> status
  set: null, // the running set's status
  setReps: [], // reps of the running set, as they arrive
  events: null, // the EventSource
  charts: [], // uPlot instances of the current view, to destroy on re-render
};

export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

export const fmt1 = (x) => (x === null || x === undefined ? "–" : x.toFixed(1));
export const fmtTime = (unix) => new Date(unix * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
export const fmtDateTime = (unix) =>
  new Date(unix * 1000).toLocaleString([], { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
export const sideText = (side) => (side ? `, ${side}` : "");
export const exerciseName = (id) => state.exercises.get(id)?.name ?? id;
export const css = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

/** Local midnight (Unix s) of the day containing `unix`. */
export function dayStart(unix) {
  const d = new Date(unix * 1000);
  d.setHours(0, 0, 0, 0);
  return d.getTime() / 1000;
}

/** The live view's message line. */
export function message(text, isError = false) {
  const m = $("set-message");
  m.textContent = text;
  m.classList.toggle("error", isError);
}
