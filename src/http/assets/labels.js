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
};

/** A withdrawal reason in words. */
export const withdrawnText = (reason) => WITHDRAWN[reason] ?? reason;

/** A rep's flag (`short_hold`, ...) in words. */
export const flagText = (flag) => flag.replace("_", " ");

/** An end reason in words. */
export const endReason = (reason) => END_REASONS[reason] ?? reason;
