// postured dashboard. Plain JavaScript, no build step: the live view follows the
// daemon's event stream (/api/events), the rest reads the JSON API. Charts are
// drawn by uPlot (vendored, see /assets/uPlot.LICENSE).
"use strict";

const $ = (id) => document.getElementById(id);
const DAY_S = 86400;

const state = {
  exercises: new Map(), // id -> spec
  routines: [],
  straps: new Map(), // label -> status
  set: null, // the running set's status
  setReps: [], // reps of the running set, as they arrive
  events: null, // the EventSource
  charts: [], // uPlot instances of the current view, to destroy on re-render
};

// ---- small helpers -------------------------------------------------------

function el(tag, attrs = {}, ...children) {
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

const fmt1 = (x) => (x === null || x === undefined ? "–" : x.toFixed(1));
const fmtTime = (unix) => new Date(unix * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
const fmtDateTime = (unix) =>
  new Date(unix * 1000).toLocaleString([], { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
const sideText = (side) => (side ? `, ${side}` : "");
const exerciseName = (id) => state.exercises.get(id)?.name ?? id;
const css = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

/** Local midnight (Unix s) of the day containing `unix`. */
function dayStart(unix) {
  const d = new Date(unix * 1000);
  d.setHours(0, 0, 0, 0);
  return d.getTime() / 1000;
}

class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** Calls the API; resolves to parsed JSON, rejects with the daemon's reason. */
async function api(path, { method = "GET", body } = {}) {
  const opts = { method, headers: {}, credentials: "same-origin" };
  if (body !== undefined) {
    opts.headers["content-type"] = "application/json";
    opts.body = JSON.stringify(body);
  }
  let r;
  try {
    r = await fetch(path, opts);
  } catch (e) {
    throw new ApiError(0, "the daemon is not reachable");
  }
  let data = null;
  try {
    data = await r.json();
  } catch (_) {
    data = null;
  }
  if (r.status === 401) showTokenForm();
  if (!r.ok) throw new ApiError(r.status, data?.error ?? `HTTP ${r.status}`);
  return data;
}

function message(text, isError = false) {
  const m = $("set-message");
  m.textContent = text;
  m.classList.toggle("error", isError);
}

// ---- token ---------------------------------------------------------------

function showTokenForm() {
  $("token-form").hidden = false;
}

$("token-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const token = $("token-input").value.trim();
  document.cookie = `postured_token=${encodeURIComponent(token)}; path=/; SameSite=Strict; max-age=31536000`;
  location.reload();
});

// ---- live: straps --------------------------------------------------------

function renderStraps() {
  const ul = $("straps");
  ul.replaceChildren();
  if (state.straps.size === 0) {
    ul.append(el("li", { class: "muted", text: "No straps configured: add [[strap]] entries to the configuration (postured scan lists the straps in range)." }));
    return;
  }
  for (const s of state.straps.values()) {
    const where = `${s.placement}${s.side ? " " + s.side : ""}`;
    const bits = [];
    if (s.battery !== null) bits.push(`battery ${s.battery}%`);
    if (s.heart_rate !== null) bits.push(`${s.heart_rate} bpm`);
    if (s.bad_frames) bits.push(`${s.bad_frames} bad frames skipped`);
    ul.append(
      el(
        "li",
        { "data-strap": s.strap },
        el("strong", { text: s.name ?? s.strap }),
        " ",
        el("span", { class: `state ${s.state}`, text: s.state }),
        el("div", { class: "muted", text: [where, s.kind, ...bits].filter(Boolean).join(" · ") }),
      ),
    );
  }
}

// ---- live: posture gauge -------------------------------------------------

const GAUGE_MAX_DEG = 60;

/** An arc of the gauge from tilt `a` to tilt `b` (deg). */
function arc(a, b) {
  const point = (deg) => {
    const t = Math.PI * (1 - Math.min(deg, GAUGE_MAX_DEG) / GAUGE_MAX_DEG);
    return [100 + 80 * Math.cos(t), 100 - 80 * Math.sin(t)];
  };
  const [x0, y0] = point(a);
  const [x1, y1] = point(b);
  return `M ${x0.toFixed(1)} ${y0.toFixed(1)} A 80 80 0 0 1 ${x1.toFixed(1)} ${y1.toFixed(1)}`;
}

function renderPosture(p) {
  const card = $("posture-card");
  const tol = p.tolerance_deg || 15;
  $("gauge-ok").setAttribute("d", arc(0, tol));
  $("gauge-bad").setAttribute("d", arc(tol, GAUGE_MAX_DEG));
  const tilt = Math.min(Math.max(p.tilt_deg, 0), GAUGE_MAX_DEG);
  $("gauge-needle").style.transform = `rotate(${(tilt / GAUGE_MAX_DEG) * 180 - 90}deg)`;
  const text = $("posture-text");
  if (!p.state) {
    text.textContent = "no trunk strap yet";
    $("posture-detail").textContent = "";
    return;
  }
  const words = {
    upright: "Upright",
    slouched: "Slouching",
    moving: "Moving",
    lying: "Lying down",
    exercising: "Exercising",
    uncalibrated: "Not calibrated",
  };
  text.textContent = `${words[p.state] ?? p.state} · ${fmt1(p.tilt_deg)}°`;
  card.classList.toggle("slouched", p.state === "slouched");
  const bits = [`tolerance ${fmt1(tol)}°`, p.calibrated ? "calibrated" : "not calibrated: sit upright and press Calibrate"];
  if (p.snoozed_until && p.snoozed_until * 1000 > Date.now()) bits.push(`alerts snoozed until ${fmtTime(p.snoozed_until)}`);
  $("posture-detail").textContent = bits.join(" · ");
}

// ---- live: the running set -----------------------------------------------

function doseText(spec) {
  const t = spec.target;
  const parts = [`${t.reps} rep${t.reps === 1 ? "" : "s"}${t.sides !== "none" ? " per side" : ""}`];
  if (t.hold_s) parts.push(`hold ${t.hold_s[0]}–${t.hold_s[1]} s`);
  if (t.angle_deg) parts.push(`to ${t.angle_deg[0]}–${t.angle_deg[1]}°`);
  if (t.sets > 1) parts.push(`${t.sets} sets`);
  return `${parts.join(", ")}. Strap on the ${spec.placement.join(" or ")}.`;
}

function renderSet() {
  const s = state.set;
  $("set-idle").hidden = !!s;
  $("set-running").hidden = !s;
  if (!s) return;
  $("set-name").textContent = s.name;
  $("set-routine").textContent = s.routine ? `(routine ${s.routine})` : "";
  $("rep-counter").textContent = `${s.reps} of ${s.target_reps}${sideText(s.side)}`;

  const hold = $("hold");
  hold.hidden = !s.hold_s;
  if (s.hold_s) {
    const [lo, hi] = s.hold_s;
    const scale = hi * 1.25;
    $("hold-band").style.left = `${(lo / scale) * 100}%`;
    $("hold-band").style.width = `${((hi - lo) / scale) * 100}%`;
    $("hold-fill").style.width = `${(Math.min(s.held_s, scale) / scale) * 100}%`;
    $("hold-bar").setAttribute("aria-valuemax", String(scale));
    $("hold-bar").setAttribute("aria-valuenow", s.held_s.toFixed(1));
    $("hold-time").textContent = `${s.held_s.toFixed(1)} s`;
    $("hold-target").textContent = `${lo}–${hi} s`;
    hold.classList.toggle("on-target", s.held_s >= lo && s.held_s <= hi);
    hold.classList.toggle("over", s.held_s > hi);
    hold.classList.toggle("holding", s.holding);
  }

  const readout = [];
  if (!s.referenced) readout.push("Hold still in the start position…");
  else {
    readout.push(`Angle ${fmt1(s.angle_deg)}°`);
    if (s.angle_target_deg) readout.push(`target ${s.angle_target_deg[0]}–${s.angle_target_deg[1]}°`);
  }
  $("angle-readout").textContent = readout.join(" · ");

  // A cue when a hold under way drifts out of the band's tolerance: past it at
  // any time, below it before the hold's minimum time (after that, coming down
  // is the end of the rep, not a drift).
  const cue = $("drift-cue");
  let drift = null;
  if (s.angle_target_deg && s.in_rep && s.held_s > 0 && !s.holding) {
    const [lo, hi] = s.angle_target_deg;
    const early = s.hold_s && s.held_s < s.hold_s[0];
    if (s.angle_deg > hi + s.tolerance_deg) drift = `Ease off: ${fmt1(s.angle_deg - hi)}° past the target`;
    else if (early && s.angle_deg < lo - s.tolerance_deg)
      drift = `Lift a little: ${fmt1(lo - s.angle_deg)}° below the target, ${(s.hold_s[0] - s.held_s).toFixed(0)} s more to hold`;
  }
  cue.hidden = !drift;
  cue.textContent = drift ?? "";
}

function repLine(rep, counted = true) {
  const bits = [counted ? `Rep ${rep.n}` : "Attempt (not counted)"];
  if (rep.hold) bits.push(`held ${rep.hold.held_s.toFixed(1)} s`);
  bits.push(`${fmt1(rep.peak_deg)}°`);
  if (rep.side) bits.push(rep.side);
  const li = el("li", { class: rep.flags.length ? "" : "good" }, bits.join(" · "));
  for (const f of rep.flags) li.append(el("span", { class: "flag", text: f.replace("_", " ") }));
  return li;
}

function renderSetReps() {
  $("set-reps").replaceChildren(...state.setReps.map((r) => repLine(r)));
}

async function startSet(body) {
  message("");
  try {
    const s = await api("/api/sets", { method: "POST", body });
    state.set = s;
    state.setReps = [];
    renderSetReps();
    renderSet();
    message(`Started ${s.name}.`);
  } catch (e) {
    message(`Could not start: ${e.message}`, true);
  }
}

$("start-set-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  startSet({ exercise: $("exercise-select").value });
});
$("start-routine-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  startSet({ routine: $("routine-select").value });
});
$("exercise-select").addEventListener("change", () => {
  const spec = state.exercises.get($("exercise-select").value);
  $("exercise-dose").textContent = spec ? doseText(spec) : "";
});
$("stop-set").addEventListener("click", async () => {
  try {
    await api("/api/sets/current/stop", { method: "POST", body: {} });
  } catch (e) {
    message(`Could not stop: ${e.message}`, true);
  }
});
$("calibrate").addEventListener("click", async () => {
  try {
    await api("/api/calibrate", { method: "POST", body: {} });
    message("Calibrated: this is upright now.");
  } catch (e) {
    message(`Could not calibrate: ${e.message}`, true);
  }
});

// ---- live: slouch alert --------------------------------------------------

const sound = $("sound");
sound.checked = localStorage.getItem("postured.sound") === "on";
sound.addEventListener("change", () => localStorage.setItem("postured.sound", sound.checked ? "on" : "off"));
let audio = null;

function beep() {
  try {
    audio = audio ?? new AudioContext();
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.frequency.value = 660;
    gain.gain.setValueAtTime(0.2, audio.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.6);
    osc.connect(gain).connect(audio.destination);
    osc.start();
    osc.stop(audio.currentTime + 0.6);
  } catch (_) {
    // No audio output: the banner is enough.
  }
}

/** The alert the wearer dismissed or snoozed (its start), not to show again. */
let dismissedAlert = null;

function showAlert(e) {
  if (e.start_s === dismissedAlert) return;
  const mins = (Date.now() / 1000 - e.start_s) / 60;
  const how = mins > 0 && mins < 24 * 60 ? `for ${mins < 1 ? "under a minute" : mins.toFixed(0) + " min"} ` : "";
  $("alert-text").textContent = `You have been slouching ${how}(${fmt1(e.tilt_deg)}° from upright).`;
  $("alert-banner").hidden = false;
}

function hideAlert() {
  dismissedAlert = currentAlert;
  $("alert-banner").hidden = true;
}

/** The alerted slouch going on now (its start), from the ticks. */
let currentAlert = null;

$("snooze").addEventListener("click", async () => {
  try {
    const r = await api("/api/snooze", { method: "POST", body: {} });
    hideAlert();
    message(`Alerts snoozed until ${fmtTime(r.snoozed_until)}.`);
  } catch (e) {
    message(`Could not snooze: ${e.message}`, true);
  }
});
$("dismiss").addEventListener("click", hideAlert);

// ---- live: the event stream ----------------------------------------------

function setConn(text, live) {
  const c = $("conn");
  c.textContent = text;
  c.classList.toggle("live", live);
  c.classList.toggle("down", !live);
}


function connect() {
  if (state.events) state.events.close();
  const es = new EventSource("/api/events");
  state.events = es;
  // The stream starts with the state now (every strap, a tick), so a reconnect
  // after a daemon restart brings the page up to date by itself.
  es.onopen = () => {
    setConn("live", true);
    state.straps.clear();
    loadRecent();
  };
  es.onerror = () => {
    setConn("reconnecting…", false);
    // The browser retries by itself while the stream is CONNECTING; once it gives
    // up (CLOSED, say after an error status), start over after a pause.
    if (es.readyState === EventSource.CLOSED) setTimeout(connect, 3000);
  };
  const on = (type, f) => es.addEventListener(type, (m) => f(JSON.parse(m.data)));
  on("strap", (s) => {
    state.straps.set(s.strap, s);
    renderStraps();
  });
  on("tick", (t) => {
    renderPosture(t.posture);
    // The banner stays while the alerted slouch lasts (also for a page opened
    // after the alert), until the wearer dismisses or snoozes it.
    currentAlert = t.posture.alert_start_s;
    if (currentAlert !== null) showAlert({ start_s: currentAlert, tilt_deg: t.posture.tilt_deg });
    else $("alert-banner").hidden = true;
    if (t.set && (!state.set || state.set.id !== t.set.id)) {
      state.setReps = [];
      renderSetReps();
    }
    state.set = t.set;
    renderSet();
  });
  on("set_started", (s) => {
    state.set = s;
    state.setReps = [];
    renderSetReps();
    renderSet();
    loadRecent();
  });
  on("rep", (e) => {
    if (state.set && e.set === state.set.id) {
      state.setReps.push(e.rep);
      state.set.reps = e.rep.n;
      renderSetReps();
      renderSet();
    }
  });
  on("set_ended", (e) => {
    const name = state.set ? state.set.name : "The set";
    const reasons = { target_reached: "target reached", stopped: "stopped", quiet_timeout: "nothing happened for a while" };
    state.set = null;
    renderSet();
    message(`${name} ended: ${e.reps} reps (${reasons[e.reason] ?? e.reason}).`);
    loadRecent();
  });
  on("slouch_alert", (e) => {
    currentAlert = e.start_s;
    showAlert(e);
    if (sound.checked) beep();
  });
  on("slouch", () => {
    currentAlert = null;
    $("alert-banner").hidden = true;
  });
  on("routine_ended", (e) => message(`Routine ${e.name} ${e.completed ? "completed" : "ended"}.`));
}

// ---- sessions lists ------------------------------------------------------

function sessionItem(s) {
  const sets = s.sets.map((x) => {
    const reps = x.corrected_reps ?? x.counted_reps;
    return `${exerciseName(x.exercise)}${sideText(x.side)} ${reps}/${x.target_reps ?? "–"}`;
  });
  return el(
    "li",
    {},
    el("a", { href: `#session/${s.id}`, text: fmtDateTime(s.started_at) }),
    s.routine ? ` · routine ${s.routine}` : "",
    el("div", { class: "muted", text: sets.join(" · ") || "no sets" }),
  );
}

async function loadRecent() {
  try {
    const page = await api("/api/sessions?limit=5");
    const ul = $("recent-sessions");
    ul.replaceChildren(...page.items.map(sessionItem));
    if (page.items.length === 0) ul.append(el("li", { class: "muted", text: "No sessions yet: start a set above." }));
  } catch (_) {
    // Shown by the connection status.
  }
}

// ---- charts --------------------------------------------------------------

function destroyCharts() {
  for (const c of state.charts) c.destroy();
  state.charts = [];
}

function chartWidth(container) {
  return Math.max(260, container.clientWidth || container.parentElement.clientWidth - 32);
}

/**
 * Draws a uPlot chart in `container`, or says there is nothing to show.
 * `series` are uPlot series (after x); `data` is [xs, ...ys].
 */
function chart(container, { data, series, xTime = false, xRange, xSplits, xLabel, yRange, yLabel, hooks, legend = true, height = 220, empty }) {
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

function barSeries(label, colour) {
  return { label, stroke: colour, fill: colour, paths: bars(), points: { show: false } };
}

function bandSeries(label, colour) {
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
function repChart(container, reps, value, band, label, unit, missed) {
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
  const caption = [band ? `Shaded band: the target, ${band[0]}–${band[1]} ${unit}.` : null, `Red: ${missed.map((f) => f.replace("_", " ")).join(" or ")}.`];
  if (u) container.append(el("p", { class: "muted caption", text: caption.filter(Boolean).join(" ") }));
  return u;
}

// ---- session detail ------------------------------------------------------

async function showSession(id) {
  const box = $("session-detail");
  box.replaceChildren(el("p", { class: "muted", text: "Loading…" }));
  let s;
  try {
    s = await api(`/api/sessions/${encodeURIComponent(id)}`);
  } catch (e) {
    box.replaceChildren(el("p", { class: "message error", text: `Session ${id}: ${e.message}` }));
    return;
  }
  destroyCharts();
  box.replaceChildren(
    el("h2", { text: `Session of ${fmtDateTime(s.started_at)}` }),
    el("p", { class: "muted", text: [s.routine ? `routine ${s.routine}` : null, s.ended_at ? `ended ${fmtTime(s.ended_at)}` : "running"].filter(Boolean).join(" · ") }),
  );
  if (!s.sets.length) box.append(el("p", { class: "muted", text: "No sets in this session." }));
  for (const set of s.sets) box.append(setDetail(set, (s.heart_rate ?? []).filter((p) => p.set === set.id)));
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
function heartChart(container, points, reps, t0) {
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

function setDetail(set, heart) {
  const spec = state.exercises.get(set.exercise);
  const counted = set.reps.filter((r) => r.counted);
  const target = spec?.target;
  const onTarget = counted.filter((r) => r.flags.length === 0).length;
  const reasons = { target_reached: "target reached", stopped: "stopped", quiet_timeout: "ended when nothing happened", interrupted: "interrupted" };
  const summary = [
    `${set.counted_reps} of ${set.target_reps ?? "–"} reps counted`,
    set.corrected_reps !== null ? `corrected to ${set.corrected_reps}` : null,
    counted.length ? `${onTarget} of ${counted.length} on target` : null,
    set.end_reason ? reasons[set.end_reason] ?? set.end_reason : "running",
    set.heart_rate ? `heart rate ${set.heart_rate.min_bpm}–${set.heart_rate.max_bpm} bpm (mean ${set.heart_rate.mean_bpm.toFixed(0)})` : null,
  ].filter(Boolean);
  const box = el(
    "article",
    { class: "card set", "data-set": set.id },
    el("h3", { text: `${exerciseName(set.exercise)}${sideText(set.side)} · ${fmtTime(set.started_at)}` }),
    el("p", { class: "set-summary", text: summary.join(" · ") }),
  );
  if (counted.length && target?.hold_s) {
    const c = el("div", { class: "chart chart-holds" });
    box.append(el("h4", { text: "Hold per rep against the target" }), c);
    requestAnimationFrame(() => repChart(c, counted, (r) => r.hold?.held_s ?? 0, target.hold_s, "held", "s", ["short_hold", "long_hold", "drifted"]));
  }
  if (counted.length) {
    const c = el("div", { class: "chart chart-angles" });
    box.append(el("h4", { text: target?.angle_deg ? "Peak angle per rep against the target" : "Range of motion per rep" }), c);
    requestAnimationFrame(() => repChart(c, counted, (r) => r.peak_deg, target?.angle_deg, "peak", "°", ["partial_range", "over_range"]));
  }
  if (heart.length > 1) {
    const c = el("div", { class: "chart chart-heart" });
    box.append(el("h4", { text: "Heart rate" }), c);
    requestAnimationFrame(() => heartChart(c, heart, counted, set.started_at));
  }
  if (set.reps.length) {
    const rows = set.reps.map((r) =>
      el(
        "tr",
        { class: r.counted ? "" : "muted" },
        el("td", { text: r.counted ? String(r.n) : "attempt" }),
        el("td", { class: "num", text: r.hold ? r.hold.held_s.toFixed(1) : "–" }),
        el("td", { class: "num", text: fmt1(r.peak_deg) }),
        el("td", { class: "num", text: `${Math.round(r.score * 100)}%` }),
        el("td", {}, ...(r.flags.length ? r.flags.map((f) => el("span", { class: "flag", text: f.replace("_", " ") })) : [el("span", { class: "good", text: "on target" })])),
      ),
    );
    box.append(
      el(
        "table",
        { class: "reps-table" },
        el("thead", {}, el("tr", {}, el("th", { text: "Rep" }), el("th", { class: "num", text: "Hold (s)" }), el("th", { class: "num", text: "Peak (°)" }), el("th", { class: "num", text: "Score" }), el("th", { text: "Flags" }))),
        el("tbody", {}, ...rows),
      ),
    );
  }
  // Correct the count.
  const input = el("input", { type: "number", min: "0", max: "1000", value: String(set.corrected_reps ?? set.counted_reps), id: `correct-${set.id}`, class: "correct-input" });
  const note = el("span", { class: "message", role: "status" });
  const form = el(
    "form",
    { class: "row correct-form" },
    el("label", { for: `correct-${set.id}`, text: "Right count" }),
    input,
    el("button", { type: "submit", text: "Save correction" }),
    note,
  );
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const n = Number.parseInt(input.value, 10);
    try {
      await api(`/api/sets/${set.id}/correction`, { method: "POST", body: { reps: Number.isNaN(n) ? null : n } });
      note.textContent = "Saved.";
      note.classList.remove("error");
    } catch (e) {
      note.textContent = e.message;
      note.classList.add("error");
    }
  });
  box.append(form);
  return box;
}

// ---- history -------------------------------------------------------------

function localDate(unix) {
  const d = new Date(unix * 1000);
  const p = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

async function showHistory() {
  const weeks = Number($("history-weeks").value);
  const now = Date.now() / 1000;
  const from = dayStart(now - weeks * 7 * DAY_S + DAY_S);
  const dayInput = $("history-day");
  if (!dayInput.value) dayInput.value = localDate(now);
  const day = new Date(`${dayInput.value}T00:00:00`).getTime() / 1000;
  const offset = -new Date().getTimezoneOffset();
  let data, dayPosture, progress, totals;
  try {
    [data, dayPosture, progress, totals] = await Promise.all([
      api(`/api/export?from=${from}`),
      api(`/api/posture?from=${day}&to=${dayStart(day + DAY_S + 3600)}`),
      api(`/api/progress?utc_offset_min=${offset}`),
      api(`/api/totals?from=${from}&utc_offset_min=${offset}`),
    ]);
  } catch (e) {
    $("history-sessions").replaceChildren(el("li", { class: "message error", text: `Could not load the history: ${e.message}` }));
    return;
  }
  destroyCharts();
  renderProgress(progress);
  // Daily and weekly totals come from the daemon (GET /api/totals): "on target"
  // has one definition, in progress.rs.
  const days = totals.days.map((d) => d.start);
  const sessionsPerDay = totals.days.map((d) => d.sessions);

  // Sessions a day against three a day.
  chart($("chart-sessions"), {
    data: data.sessions.length ? [days, sessionsPerDay, days.map(() => 3)] : [[]],
    series: [barSeries("sessions", css("--accent")), bandSeries("advice: 3 a day", css("--ok"))],
    xTime: true,
    xRange: [from - DAY_S / 2, now + DAY_S / 2],
    yRange: [0, Math.max(4, ...sessionsPerDay) + 0.5],
    empty: "No sessions in this period yet.",
  });

  // Holds on target per week.
  const weekStarts = totals.weeks.map((w) => w.start);
  const holds = totals.weeks.map((w) => ({ all: w.holds, good: w.holds_on_target }));
  const anyHolds = holds.some((h) => h.all > 0);
  chart($("chart-holds"), {
    data: anyHolds ? [weekStarts, holds.map((h) => h.good), holds.map((h) => h.all)] : [[]],
    series: [barSeries("holds on target", css("--ok")), { label: "all holds", stroke: css("--muted"), width: 2, dash: [6, 4], points: { show: true } }],
    xTime: true,
    xRange: [from - 4 * DAY_S, from + (weekStarts.length - 0.5) * 7 * DAY_S + 4 * DAY_S],
    yRange: [0, Math.max(...holds.map((h) => h.all), 1) * 1.15],
    yLabel: "holds",
    empty: "No holds in this period yet.",
  });

  // Upright fraction per hour of the chosen day.
  $("posture-day-label").textContent = new Date(day * 1000).toLocaleDateString([], { weekday: "long", day: "numeric", month: "long" });
  const hours = dayPosture.hours.filter((h) => h.upright_fraction !== null);
  chart($("chart-posture-hours"), {
    data: hours.length ? [hours.map((h) => h.hour_start), hours.map((h) => Math.round(h.upright_fraction * 100))] : [[]],
    series: [barSeries("upright %", css("--accent"))],
    xTime: true,
    xRange: [day - 1800, day + DAY_S + 1800],
    yRange: [0, 100],
    yLabel: "% upright",
    empty: "No posture data for this day.",
  });

  // Upright fraction per day.
  const postureDays = totals.days.filter((d) => d.upright_s + d.slouched_s > 0);
  chart($("chart-posture-days"), {
    data: postureDays.length ? [postureDays.map((d) => d.start), postureDays.map((d) => Math.round((d.upright_s / (d.upright_s + d.slouched_s)) * 100))] : [[]],
    series: [barSeries("upright %", css("--accent"))],
    xTime: true,
    xRange: [from - DAY_S / 2, now + DAY_S / 2],
    yRange: [0, 100],
    yLabel: "% upright",
    empty: "No posture data in this period yet.",
  });

  // Heart rate during sets.
  const hrSets = data.sessions.flatMap((s) => s.sets).filter((x) => x.heart_rate);
  hrSets.sort((a, b) => a.started_at - b.started_at);
  chart($("chart-hr"), {
    data: hrSets.length ? [hrSets.map((x) => x.started_at), hrSets.map((x) => x.heart_rate.mean_bpm), hrSets.map((x) => x.heart_rate.max_bpm)] : [[]],
    series: [
      { label: "mean bpm", stroke: css("--accent"), width: 2, points: { show: true, size: 7 } },
      { label: "max bpm", stroke: css("--bad"), width: 1, dash: [4, 4], points: { show: true, size: 5 } },
    ],
    xTime: true,
    yLabel: "bpm",
    empty: "No heart rate recorded during sets yet.",
  });

  const ul = $("history-sessions");
  const newest = [...data.sessions].reverse();
  const SHOWN = 20;
  ul.replaceChildren(...newest.slice(0, SHOWN).map(sessionItem));
  if (!newest.length) ul.append(el("li", { class: "muted", text: "No sessions in this period yet." }));
  if (newest.length > SHOWN) {
    const more = el("button", { type: "button", class: "secondary", id: "more-sessions", text: `Show all ${newest.length} sessions` });
    more.addEventListener("click", () => ul.replaceChildren(...newest.map(sessionItem)));
    ul.append(el("li", {}, more));
  }
}

function renderProgress(p) {
  const v = $("volume");
  v.replaceChildren(`This week ${p.weekly.this_week_reps} reps, last week ${p.weekly.last_week_reps}.`);
  if (p.weekly.warning) v.append(" ", el("span", { class: "warning", text: p.weekly.warning }));
  const ul = $("suggestions");
  ul.replaceChildren(
    ...p.suggestions.map((s) =>
      el("li", { "data-advice": s.advice.kind }, el("strong", { text: s.name }), el("div", { text: s.text }), el("div", { class: "muted", text: `${s.on_target} of the last ${s.recent_sets} sets on target` })),
    ),
  );
  if (!p.suggestions.length) ul.append(el("li", { class: "muted", text: "Do a few sets and advice shows here." }));
}

$("history-weeks").addEventListener("change", showHistory);
$("history-day").addEventListener("change", showHistory);

// ---- views ---------------------------------------------------------------

function route() {
  const hash = location.hash || "#live";
  const [view, arg] = hash.slice(1).split("/");
  $("view-live").hidden = view !== "live";
  $("view-history").hidden = view !== "history";
  $("view-session").hidden = view !== "session";
  const current = view === "live" ? "nav-live" : "nav-history";
  for (const id of ["nav-live", "nav-history"]) {
    if (id === current) $(id).setAttribute("aria-current", "page");
    else $(id).removeAttribute("aria-current");
  }
  destroyCharts();
  if (view === "session" && arg) showSession(arg);
  else if (view === "history") showHistory();
}

window.addEventListener("hashchange", route);
let resizeTimer = null;
window.addEventListener("resize", () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => {
    for (const c of state.charts) c.setSize({ width: chartWidth(c.root.parentElement), height: c.height });
  }, 200);
});

async function init() {
  try {
    const [exercises, routines] = await Promise.all([api("/api/exercises"), api("/api/routines")]);
    state.exercises = new Map(exercises.map((e) => [e.id, e]));
    state.routines = routines;
  } catch (e) {
    message(`Could not load the exercises: ${e.message}`, true);
  }
  const sel = $("exercise-select");
  const specs = [...state.exercises.values()].sort((a, b) => a.name.localeCompare(b.name));
  sel.replaceChildren(...specs.map((s) => el("option", { value: s.id, text: s.name })));
  sel.dispatchEvent(new Event("change"));
  const rsel = $("routine-select");
  rsel.replaceChildren(...state.routines.map((r) => el("option", { value: r.name, text: `${r.name} (${r.exercises.length} exercises)` })));
  $("start-routine-form").hidden = state.routines.length === 0;
  renderStraps();
  renderSet();
  route();
  connect();
}

init();
