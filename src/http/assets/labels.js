// Every word the page shows for a value the API sends, in one table.

/** Why a set ended (`end_reason`, `set_ended.reason`). */
export const END_REASONS = {
  target_reached: "target reached",
  stopped: "stopped",
  quiet_timeout: "nothing happened for a while",
  interrupted: "interrupted",
};

/** Posture states (`posture.state`). */
export const POSTURE = {
  upright: "Upright",
  slouched: "Slouching",
  moving: "Moving",
  lying: "Lying down",
  exercising: "Exercising",
  uncalibrated: "Not calibrated",
};

/** Why a live rep was withdrawn when its set settled (`withdrawn`). */
export const WITHDRAWN = {
  lead_in: "getting into position",
  lead_out: "getting out of position",
  out_of_rhythm: "out of the set's rhythm",
  partial: "a half rep among full ones",
};

/** A withdrawal reason in words. */
export const withdrawnText = (reason) => WITHDRAWN[reason] ?? reason;

/** A rep's flag (`short_hold`, ...) in words. */
export const flagText = (flag) => flag.replace("_", " ");

/** An end reason in words. */
export const endReason = (reason) => END_REASONS[reason] ?? reason;

/** What the pain and effort scales mean, under the feedback form. */
export const PAIN_WORDS = "Pain: 0 none, 10 the worst imaginable. Effort: 0 none, 10 the most you could. Sharp or spreading pain: stop and ask a clinician.";

/** A `cue` event's words on the page (`cue.kind`). */
export const CUE_TEXT = {
  countdown: (c) => `${c.left_s}…`,
  hold_reached: (c) => `Target reached (${c.target_s} s): hold on.`,
  hold_max: (c) => `${c.max_s} s: the most to hold, come back slowly.`,
  count: (c) => `${c.n} of ${c.of}`,
};

const WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty"];

/** A count as spoken: "three"; digits past twenty. */
export const numberWords = (n) => WORDS[n] ?? String(n);
