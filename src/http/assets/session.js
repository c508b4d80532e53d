// A session's page: its sets with their rep charts, heart rate, reps table and
// the form to correct a count; and the one-line session item the lists use.

import { api } from "./api.js";
import { destroyCharts, heartChart, repChart } from "./charts.js";
import { $, el, exerciseName, fmt1, fmtDateTime, fmtTime, sideText, state } from "./dom.js";
import { feedbackForm } from "./feedback.js";
import { endReason, flagText, withdrawnText } from "./labels.js";

/** A session in a list: when, its routine, its sets' counts. */
export function sessionItem(s) {
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

export async function showSession(id) {
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
  const feedback = s.feedback ?? [];
  for (const set of s.sets) box.append(setDetail(set, (s.heart_rate ?? []).filter((p) => p.set === set.id), feedback.find((f) => f.set === set.id)));
  box.append(
    el("article", { class: "card", "data-session-feedback": s.id }, el("h3", { text: "How the whole session felt" }), feedbackForm({ sessionId: s.id, given: feedback.find((f) => f.set === null) })),
  );
}

/** The set's counts, on-target reps, end and heart rate, in a line. */
function setSummary(set, counted) {
  const onTarget = counted.filter((r) => r.flags.length === 0).length;
  return [
    `${set.counted_reps} of ${set.target_reps ?? "–"} reps counted`,
    set.live_reps != null && set.live_reps !== set.counted_reps ? `${set.live_reps} while the set ran` : null,
    set.corrected_reps !== null ? `corrected to ${set.corrected_reps}` : null,
    counted.length ? `${onTarget} of ${counted.length} on target` : null,
    set.end_reason ? endReason(set.end_reason) : "running",
    set.heart_rate ? `heart rate ${set.heart_rate.min_bpm}–${set.heart_rate.max_bpm} bpm (mean ${set.heart_rate.mean_bpm.toFixed(0)})` : null,
  ]
    .filter(Boolean)
    .join(" · ");
}

/** Appends a titled chart container to `box` and draws into it once laid out. */
function chartIn(box, title, kind, draw) {
  const c = el("div", { class: `chart ${kind}` });
  box.append(el("h4", { text: title }), c);
  requestAnimationFrame(() => draw(c));
}

function setCharts(box, set, counted, heart) {
  const target = state.exercises.get(set.exercise)?.target;
  if (counted.length && target?.hold_s) {
    chartIn(box, "Hold per rep against the target", "chart-holds", (c) =>
      repChart(c, counted, (r) => r.hold?.held_s ?? 0, target.hold_s, "held", "s", ["short_hold", "long_hold", "drifted"]),
    );
  }
  if (counted.length) {
    const title = target?.angle_deg ? "Peak angle per rep against the target" : "Range of motion per rep";
    chartIn(box, title, "chart-angles", (c) => repChart(c, counted, (r) => r.peak_deg, target?.angle_deg, "peak", "°", ["partial_range", "over_range"]));
  }
  if (heart.length > 1) chartIn(box, "Heart rate", "chart-heart", (c) => heartChart(c, heart, counted, set.started_at));
}

function repsTable(reps) {
  const flags = (r) => (r.flags.length ? r.flags.map((f) => el("span", { class: "flag", text: flagText(f) })) : [el("span", { class: "good", text: "on target" })]);
  const rows = reps.map((r) =>
    el(
      "tr",
      { class: !r.counted ? "muted" : r.withdrawn ? "muted withdrawn" : "" },
      el("td", { text: !r.counted ? "attempt" : r.withdrawn ? `${r.n}, withdrawn: ${withdrawnText(r.withdrawn)}` : String(r.n) }),
      el("td", { class: "num", text: r.hold ? r.hold.held_s.toFixed(1) : "–" }),
      el("td", { class: "num", text: fmt1(r.peak_deg) }),
      el("td", { class: "num", text: `${Math.round(r.score * 100)}%` }),
      el("td", {}, ...flags(r)),
    ),
  );
  const head = ["Rep", "Hold (s)", "Peak (°)", "Score", "Flags"].map((h, i) => el("th", { class: i > 0 && i < 4 ? "num" : undefined, text: h }));
  return el("table", { class: "reps-table" }, el("thead", {}, el("tr", {}, ...head)), el("tbody", {}, ...rows));
}

/** The form that keeps the wearer's count beside the counter's. */
function correctionForm(set) {
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
  return form;
}

function setDetail(set, heart, given) {
  const counted = set.reps.filter((r) => r.counted && !r.withdrawn);
  const box = el(
    "article",
    { class: "card set", "data-set": set.id },
    el("h3", { text: `${exerciseName(set.exercise)}${sideText(set.side)} · ${fmtTime(set.started_at)}` }),
    el("p", { class: "set-summary", text: setSummary(set, counted) }),
  );
  setCharts(box, set, counted, heart);
  if (set.reps.length) box.append(repsTable(set.reps));
  box.append(correctionForm(set));
  box.append(el("h4", { text: "How it felt" }), feedbackForm({ setId: set.id, given }));
  return box;
}
