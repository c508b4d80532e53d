// The live view: straps, the posture gauge, the running set with its hold timer,
// the slouch alert, and the daemon's event stream (/api/events) that drives them.

import { api } from "./api.js";
import { $, el, fmt1, fmtTime, message, sideText, state } from "./dom.js";
import { POSTURE, endReason, flagText } from "./labels.js";
import { clearCue, onCue, sound as playSound } from "./cues.js";
import { askAfterSet } from "./feedback.js";
import { traceTick } from "./trace.js";
import { sessionItem } from "./session.js";

export function renderStraps() {
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
  text.textContent = `${POSTURE[p.state] ?? p.state} · ${fmt1(p.tilt_deg)}°`;
  card.classList.toggle("slouched", p.state === "slouched");
  const bits = [`tolerance ${fmt1(tol)}°`, p.calibrated ? "calibrated" : "not calibrated: sit upright and press Calibrate"];
  if (p.snoozed_until && p.snoozed_until * 1000 > Date.now()) bits.push(`alerts snoozed until ${fmtTime(p.snoozed_until)}`);
  $("posture-detail").textContent = bits.join(" · ");
}

export function doseText(spec) {
  const t = spec.target;
  const parts = [`${t.reps} rep${t.reps === 1 ? "" : "s"}${t.sides !== "none" ? " per side" : ""}`];
  if (t.hold_s) parts.push(`hold ${t.hold_s[0]}–${t.hold_s[1]} s`);
  if (t.angle_deg) parts.push(`to ${t.angle_deg[0]}–${t.angle_deg[1]}°`);
  if (t.sets > 1) parts.push(`${t.sets} sets`);
  return `${parts.join(", ")}. Strap on the ${spec.placement.join(" or ")}.`;
}

export function renderSet() {
  const s = state.set;
  $("set-idle").hidden = !!s;
  $("set-running").hidden = !s;
  if (!s) return;
  $("set-name").textContent = s.name;
  $("set-routine").textContent = s.routine ? `(routine ${s.routine})` : "";
  $("rep-counter").textContent = `${s.reps} of ${s.target_reps}${sideText(s.side)}`;
  renderHold(s);
  const readout = [];
  if (!s.referenced) readout.push("Hold still in the start position…");
  else {
    readout.push(`Angle ${fmt1(s.angle_deg)}°`);
    if (s.angle_target_deg) readout.push(`target ${s.angle_target_deg[0]}–${s.angle_target_deg[1]}°`);
  }
  $("angle-readout").textContent = readout.join(" · ");
  const drift = driftCue(s);
  $("drift-cue").hidden = !drift;
  $("drift-cue").textContent = drift ?? "";
}

/** The hold timer: its bar, the target band on it, and its colour. */
function renderHold(s) {
  const hold = $("hold");
  hold.hidden = !s.hold_s;
  if (!s.hold_s) return;
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

/**
 * A cue when a hold under way drifts out of the band's tolerance: past it at any
 * time, below it before the hold's minimum time (after that, coming down is the
 * end of the rep, not a drift). `null` when none.
 */
function driftCue(s) {
  if (!(s.angle_target_deg && s.in_rep && s.held_s > 0 && !s.holding)) return null;
  const [lo, hi] = s.angle_target_deg;
  const early = s.hold_s && s.held_s < s.hold_s[0];
  if (s.angle_deg > hi + s.tolerance_deg) return `Ease off: ${fmt1(s.angle_deg - hi)}° past the target`;
  if (early && s.angle_deg < lo - s.tolerance_deg)
    return `Lift a little: ${fmt1(lo - s.angle_deg)}° below the target, ${(s.hold_s[0] - s.held_s).toFixed(0)} s more to hold`;
  return null;
}

function repLine(rep, counted = true) {
  const bits = [counted ? `Rep ${rep.n}` : "Attempt (not counted)"];
  if (rep.hold) bits.push(`held ${rep.hold.held_s.toFixed(1)} s`);
  bits.push(`${fmt1(rep.peak_deg)}°`);
  if (rep.side) bits.push(rep.side);
  const li = el("li", { class: rep.flags.length ? "" : "good" }, bits.join(" · "));
  for (const f of rep.flags) li.append(el("span", { class: "flag", text: flagText(f) }));
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

const sound = $("sound");
sound.checked = localStorage.getItem("postured.sound") === "on";
sound.addEventListener("change", () => localStorage.setItem("postured.sound", sound.checked ? "on" : "off"));
/** The alert's sound. */
const beep = () => playSound(660, 0.6);

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

function setConn(text, live) {
  const c = $("conn");
  c.textContent = text;
  c.classList.toggle("live", live);
  c.classList.toggle("down", !live);
}

/** What each live event does to the page. */
const HANDLERS = {
  strap(s) {
    state.straps.set(s.strap, s);
    renderStraps();
  },
  tick(t) {
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
    traceTick(t.t, t.set);
  },
  cue(e) {
    if (state.set && e.set === state.set.id) onCue(e);
  },
  set_started(s) {
    $("feedback-card").hidden = true;
    clearCue();
    state.set = s;
    state.setReps = [];
    renderSetReps();
    renderSet();
    loadRecent();
  },
  rep(e) {
    if (state.set && e.set === state.set.id) {
      state.setReps.push(e.rep);
      state.set.reps = e.rep.n;
      renderSetReps();
      renderSet();
    }
  },
  set_ended(e) {
    const name = state.set ? state.set.name : "The set";
    state.set = null;
    renderSet();
    clearCue();
    message(`${name} ended: ${e.reps} reps (${endReason(e.reason)}).`);
    askAfterSet(e.set, name);
    loadRecent();
  },
  slouch_alert(e) {
    currentAlert = e.start_s;
    showAlert(e);
    if (sound.checked) beep();
  },
  slouch() {
    currentAlert = null;
    $("alert-banner").hidden = true;
  },
  routine_ended(e) {
    message(`Routine ${e.name} ${e.completed ? "completed" : "ended"}.`);
  },
};

/** Follows the daemon's live event stream, reconnecting when it drops. */
export function connect() {
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
  for (const [type, f] of Object.entries(HANDLERS)) es.addEventListener(type, (m) => f(JSON.parse(m.data)));
}

export async function loadRecent() {
  try {
    const page = await api("/api/sessions?limit=5");
    const ul = $("recent-sessions");
    ul.replaceChildren(...page.items.map(sessionItem));
    if (page.items.length === 0) ul.append(el("li", { class: "muted", text: "No sessions yet: start a set above." }));
  } catch (_) {
    // Shown by the connection status.
  }
}
