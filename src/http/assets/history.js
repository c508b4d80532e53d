// The history view: progress advice, and charts of sessions, holds, posture and
// heart rate. Daily and weekly totals come from the daemon (GET /api/totals), so
// "on target" has one definition (progress.rs); the page only draws them.

import { api } from "./api.js";
import { bandSeries, barSeries, chart, destroyCharts } from "./charts.js";
import { $, DAY_S, css, dayStart, el } from "./dom.js";
import { feedbackChart } from "./feedback.js";
import { sessionItem } from "./session.js";

function localDate(unix) {
  const d = new Date(unix * 1000);
  const p = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/** The period and day the controls choose. */
function period() {
  const weeks = Number($("history-weeks").value);
  const now = Date.now() / 1000;
  const dayInput = $("history-day");
  if (!dayInput.value) dayInput.value = localDate(now);
  return {
    now,
    from: dayStart(now - weeks * 7 * DAY_S + DAY_S),
    day: new Date(`${dayInput.value}T00:00:00`).getTime() / 1000,
    offset: -new Date().getTimezoneOffset(),
  };
}

async function load({ from, day, offset }) {
  const [data, dayPosture, progress, totals, feedback] = await Promise.all([
    api(`/api/export?from=${from}`),
    api(`/api/posture?from=${day}&to=${dayStart(day + DAY_S + 3600)}`),
    api(`/api/progress?utc_offset_min=${offset}`),
    api(`/api/totals?from=${from}&utc_offset_min=${offset}`),
    api(`/api/feedback?from=${from}`),
  ]);
  return { data, dayPosture, progress, totals, feedback };
}

export async function showHistory() {
  const p = period();
  let h;
  try {
    h = await load(p);
  } catch (e) {
    $("history-sessions").replaceChildren(el("li", { class: "message error", text: `Could not load the history: ${e.message}` }));
    return;
  }
  destroyCharts();
  renderProgress(h.progress);
  sessionsChart(p, h.totals, h.data.sessions.length > 0);
  holdsChart(p, h.totals);
  postureHoursChart(p, h.dayPosture);
  postureDaysChart(p, h.totals);
  heartRateChart(h.data.sessions);
  feedbackChart(h.feedback, p);
  $("report-link").href = `/report?from=${Math.floor(p.from)}&to=${Math.ceil(p.now)}&utc_offset_min=${p.offset}`;
  sessionList(h.data.sessions);
}

/** Sessions a day against three a day. */
function sessionsChart({ from, now }, totals, any) {
  const days = totals.days.map((d) => d.start);
  const perDay = totals.days.map((d) => d.sessions);
  chart($("chart-sessions"), {
    data: any ? [days, perDay, days.map(() => 3)] : [[]],
    series: [barSeries("sessions", css("--accent")), bandSeries("advice: 3 a day", css("--ok"))],
    xTime: true,
    xRange: [from - DAY_S / 2, now + DAY_S / 2],
    yRange: [0, Math.max(4, ...perDay) + 0.5],
    empty: "No sessions in this period yet.",
  });
}

/** Holds on target per week. */
function holdsChart({ from }, totals) {
  const starts = totals.weeks.map((w) => w.start);
  const all = totals.weeks.map((w) => w.holds);
  chart($("chart-holds"), {
    data: all.some((n) => n > 0) ? [starts, totals.weeks.map((w) => w.holds_on_target), all] : [[]],
    series: [barSeries("holds on target", css("--ok")), { label: "all holds", stroke: css("--muted"), width: 2, dash: [6, 4], points: { show: true } }],
    xTime: true,
    xRange: [from - 4 * DAY_S, from + (starts.length - 0.5) * 7 * DAY_S + 4 * DAY_S],
    yRange: [0, Math.max(...all, 1) * 1.15],
    yLabel: "holds",
    empty: "No holds in this period yet.",
  });
}

/** Upright fraction per hour of the chosen day. */
function postureHoursChart({ day }, dayPosture) {
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
}

/** Upright fraction per day. */
function postureDaysChart({ from, now }, totals) {
  const days = totals.days.filter((d) => d.upright_s + d.slouched_s > 0);
  chart($("chart-posture-days"), {
    data: days.length ? [days.map((d) => d.start), days.map((d) => Math.round((d.upright_s / (d.upright_s + d.slouched_s)) * 100))] : [[]],
    series: [barSeries("upright %", css("--accent"))],
    xTime: true,
    xRange: [from - DAY_S / 2, now + DAY_S / 2],
    yRange: [0, 100],
    yLabel: "% upright",
    empty: "No posture data in this period yet.",
  });
}

/** Heart rate during sets. */
function heartRateChart(sessions) {
  const sets = sessions.flatMap((s) => s.sets).filter((x) => x.heart_rate);
  sets.sort((a, b) => a.started_at - b.started_at);
  chart($("chart-hr"), {
    data: sets.length ? [sets.map((x) => x.started_at), sets.map((x) => x.heart_rate.mean_bpm), sets.map((x) => x.heart_rate.max_bpm)] : [[]],
    series: [
      { label: "mean bpm", stroke: css("--accent"), width: 2, points: { show: true, size: 7 } },
      { label: "max bpm", stroke: css("--bad"), width: 1, dash: [4, 4], points: { show: true, size: 5 } },
    ],
    xTime: true,
    yLabel: "bpm",
    empty: "No heart rate recorded during sets yet.",
  });
}

/** The period's sessions, newest first, the first 20 unless asked for all. */
function sessionList(sessions) {
  const ul = $("history-sessions");
  const newest = [...sessions].reverse();
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
      el("li", { "data-advice": s.advice.kind }, el("strong", { text: s.name }), el("div", { text: s.text }), el("div", { class: "muted", text: `${s.on_target} of the last ${s.recent_sets} sets on target${s.pain !== null ? ` · last pain ${s.pain}/10` : ""}` })),
    ),
  );
  if (!p.suggestions.length) ul.append(el("li", { class: "muted", text: "Do a few sets and advice shows here." }));
}

$("history-weeks").addEventListener("change", showHistory);
$("history-day").addEventListener("change", showHistory);
