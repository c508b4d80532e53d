// The JSON API: one call with the daemon's reason on failure, and the token form.

import { $ } from "./dom.js";

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** Calls the API; resolves to parsed JSON, rejects with the daemon's reason. */
export async function api(path, { method = "GET", body } = {}) {
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

function showTokenForm() {
  $("token-form").hidden = false;
}

$("token-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const token = $("token-input").value.trim();
  document.cookie = `postured_token=${encodeURIComponent(token)}; path=/; SameSite=Strict; max-age=31536000`;
  location.reload();
});
