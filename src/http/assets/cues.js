// Cues during a set, from the daemon's `cue` events (so every client gets the
// same): a tick a second in the last five of a hold, a tone at the target, the
// count spoken ("three of five"), and the switches for them. The strap's buzz is
// the daemon's (POST /api/cues); the page's own cues are kept per browser, with
// the configuration's [cues] as defaults.

import { api } from "./api.js";
import { $, message } from "./dom.js";
import { CUE_TEXT, numberWords } from "./labels.js";

const PAGE_CUES = ["ticks", "tone", "speech"];
const stored = (name) => localStorage.getItem(`postured.cue.${name}`);
let audio = null;

/** The switches, from the daemon's settings and this browser's choices. */
export async function initCues() {
  let cfg = { vibrate: false, ticks: false, tone: true, speech: false };
  try {
    cfg = await api("/api/cues");
  } catch (_) {
    // Shown by the connection status; the defaults stand.
  }
  $("cue-vibrate").checked = cfg.vibrate;
  for (const name of PAGE_CUES) {
    const s = stored(name);
    $(`cue-${name}`).checked = s === null ? cfg[name] : s === "on";
  }
}

for (const name of PAGE_CUES) {
  $(`cue-${name}`).addEventListener("change", (ev) => localStorage.setItem(`postured.cue.${name}`, ev.target.checked ? "on" : "off"));
}
$("cue-vibrate").addEventListener("change", async (ev) => {
  try {
    const now = await api("/api/cues", { method: "POST", body: { vibrate: ev.target.checked } });
    ev.target.checked = now.vibrate;
  } catch (e) {
    ev.target.checked = !ev.target.checked;
    message(`Could not switch the strap's buzz: ${e.message}`, true);
  }
});

/** A short sound: `freq` Hz for `secs` (the slouch alert's too). */
export function sound(freq, secs, volume = 0.2) {
  try {
    audio = audio ?? new AudioContext();
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.frequency.value = freq;
    gain.gain.setValueAtTime(volume, audio.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + secs);
    osc.connect(gain).connect(audio.destination);
    osc.start();
    osc.stop(audio.currentTime + secs);
  } catch (_) {
    // No audio output: the words on the page remain.
  }
}

function say(text) {
  if (!("speechSynthesis" in window)) return;
  const u = new SpeechSynthesisUtterance(text);
  u.rate = 1.1;
  speechSynthesis.speak(u);
}

/** What a `cue` event does: a line on the page, and the sound switched on. */
export function onCue(e) {
  const c = e.cue;
  const line = $("cue-line");
  line.hidden = false;
  line.dataset.kind = c.kind;
  line.textContent = CUE_TEXT[c.kind](c);
  if (c.kind === "countdown" && $("cue-ticks").checked) sound(1000, 0.05, 0.15);
  if (c.kind === "hold_reached" && $("cue-tone").checked) sound(880, 0.5);
  if (c.kind === "hold_max" && $("cue-tone").checked) {
    sound(660, 0.25);
    setTimeout(() => sound(660, 0.25), 300);
  }
  if (c.kind === "count" && $("cue-speech").checked) say(`${numberWords(c.n)} of ${numberWords(c.of)}`);
}

/** Clears the cue line when a set starts or ends. */
export function clearCue() {
  $("cue-line").hidden = true;
  $("cue-line").textContent = "";
}
