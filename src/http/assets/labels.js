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

/** A rep's flag (`short_hold`, ...) in words. */
export const flagText = (flag) => flag.replace("_", " ");

/** An end reason in words. */
export const endReason = (reason) => END_REASONS[reason] ?? reason;
