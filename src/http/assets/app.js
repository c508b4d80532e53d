// postured dashboard. Plain JavaScript modules, no build step: the live view
// follows the daemon's event stream (live.js), the history and a session's page
// read the JSON API (history.js, session.js), charts are drawn by uPlot
// (charts.js; vendored, see /assets/uPlot.LICENSE). This module routes between
// the views and starts the page.

import { api } from "./api.js";
import { chartWidth, destroyCharts } from "./charts.js";
import { $, el, message, state } from "./dom.js";
import { showHistory } from "./history.js";
import { initCues } from "./cues.js";
import { connect, renderSet, renderStraps } from "./live.js";
import { showSession } from "./session.js";

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

/** The exercise and routine pickers, from the daemon's lists. */
async function loadChoices() {
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
}

async function init() {
  await Promise.all([loadChoices(), initCues()]);
  renderStraps();
  renderSet();
  route();
  connect();
}

init();
