// How a set felt: the small form (pain, effort 0-10, a note) that appears when a
// set ends and on a session's page, and the history's pain and effort chart.

import { api } from "./api.js";
import { chart } from "./charts.js";
import { $, css, el, fmtDateTime } from "./dom.js";
import { PAIN_WORDS } from "./labels.js";

/** A 0-10 scale as a number input with its label. */
function scale(id, label, value) {
  return [
    el("label", { for: id, text: label }),
    el("input", { type: "number", id, min: "0", max: "10", step: "1", inputmode: "numeric", class: "score-input", value: value ?? "" }),
  ];
}

/**
 * The form for set `setId` (or the whole session `sessionId` when `setId` is
 * null), filled with what was given before (`given`). `onSaved` gets the stored entry.
 */
export function feedbackForm({ setId = null, sessionId = null, given = null, onSaved = () => {} }) {
  const key = setId ?? `session-${sessionId}`;
  const pain = `pain-${key}`;
  const effort = `effort-${key}`;
  const noteId = `note-${key}`;
  const status = el("span", { class: "message", role: "status" });
  const form = el(
    "form",
    { class: "feedback-form", "data-feedback-for": key },
    el("p", { class: "muted", text: PAIN_WORDS }),
    el("div", { class: "row" }, ...scale(pain, "Pain (0–10)", given?.pain), ...scale(effort, "Effort (0–10)", given?.effort)),
    el("div", { class: "row" }, el("label", { for: noteId, text: "Note" }), el("input", { type: "text", id: noteId, maxlength: "2000", class: "note-input", value: given?.note ?? "" })),
    el("div", { class: "row" }, el("button", { type: "submit", text: "Save how it felt" }), status),
  );
  const num = (id) => {
    const v = form.querySelector(`#${CSS.escape(id)}`).value.trim();
    return v === "" ? null : Number(v);
  };
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const body = { pain: num(pain), effort: num(effort), note: form.querySelector(`#${CSS.escape(noteId)}`).value || null };
    const path = setId !== null ? `/api/sets/${setId}/feedback` : `/api/sessions/${sessionId}/feedback`;
    try {
      const saved = await api(path, { method: "POST", body });
      status.textContent = "Saved.";
      status.classList.remove("error");
      onSaved(saved);
    } catch (e) {
      status.textContent = e.message;
      status.classList.add("error");
    }
  });
  return form;
}

/** The form under the live set card once a set ends; replaced by the next. */
export function askAfterSet(setId, name) {
  const box = $("feedback-card");
  box.replaceChildren(
    el("h3", { text: `How did ${name} feel?` }),
    feedbackForm({ setId, onSaved: () => setTimeout(() => (box.hidden = true), 1500) }),
  );
  box.hidden = false;
}

/** Pain and effort over time, from GET /api/feedback. */
export function feedbackChart(entries, { from, now }) {
  const scored = entries.filter((f) => f.pain !== null || f.effort !== null);
  const points = { show: true, size: 8 };
  chart($("chart-feedback"), {
    data: scored.length ? [scored.map((f) => f.at), scored.map((f) => f.pain), scored.map((f) => f.effort)] : [[]],
    series: [
      { label: "pain", stroke: css("--bad"), width: 2, points, spanGaps: true },
      { label: "effort", stroke: css("--accent"), width: 2, dash: [6, 4], points, spanGaps: true },
    ],
    xTime: true,
    xRange: [from, now],
    yRange: [0, 10],
    yLabel: "0–10",
    empty: "No pain or effort given yet: a form asks when a set ends.",
  });
  const notes = entries.filter((f) => f.note);
  $("feedback-notes").replaceChildren(...notes.slice(-5).reverse().map((f) => el("li", {}, el("span", { class: "muted", text: `${fmtDateTime(f.at)}: ` }), f.note)));
}
