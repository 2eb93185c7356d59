// The board's key on every request the page makes: reading a board needs it as changing it
// does. It travels in the Authorization header, never in a URL, so no server log ever holds it.

let boardKey = null;

export function useBoardKey(key) {
  boardKey = key || null;
}

// A request refused with `rate_limited` (429) was not carried out: it is sent again once the
// server's retry_after_ms (or Retry-After) has passed, a few times, unless the wait is long.
const RATE_LIMIT_TRIES = 3;
const LONGEST_WAIT_MS = 30_000;

export async function boardFetch(url, init = {}) {
  const headers = new Headers(init.headers || {});
  if (boardKey) headers.set("Authorization", `Bearer ${boardKey}`);
  for (let tries = 1; ; tries += 1) {
    const response = await fetch(url, { ...init, headers });
    const wait = response.status === 429 ? await retryAfterMs(response) : null;
    if (wait === null || wait > LONGEST_WAIT_MS || tries >= RATE_LIMIT_TRIES) return response;
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

// How long a 429 asks to wait, in ms: its JSON error's retry_after_ms or its Retry-After
// header (seconds), whichever is longer; null when it says neither.
export async function retryAfterMs(response) {
  let asked = 0;
  try {
    asked = Number((await response.clone().json()).error?.retry_after_ms) || 0;
  } catch {
    // Not our JSON error: the header alone says.
  }
  const header = Number(response.headers.get("Retry-After")) * 1000 || 0;
  const wait = Math.max(asked, header);
  return wait > 0 ? wait : null;
}

// A download the server names (Content-Disposition): fetched with the key, saved from a blob,
// since a plain link could not carry the header.
export async function downloadWithKey(url, fallbackName = "download") {
  let response = await boardFetch(url);
  // 503 with Retry-After: the server is still building it (the export ZIP); ask again then.
  for (let tries = 0; response.status === 503 && response.headers.get("Retry-After") && tries < 20; tries += 1) {
    const seconds = Math.min(10, Math.max(1, Number(response.headers.get("Retry-After")) || 2));
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    response = await boardFetch(url);
  }
  if (!response.ok) throw new Error(await failureMessage(response, "The download failed"));
  const name = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") || "");
  saveBlob(await response.blob(), name ? name[1] : fallbackName);
}

// What a failed answer says: our JSON error's message, else `what` and the HTTP status.
export async function failureMessage(response, what) {
  try {
    const message = (await response.json()).error?.message;
    if (message) return message;
  } catch {
    // Not our JSON error: say what failed and how.
  }
  return `${what} (HTTP ${response.status}).`;
}

export function saveBlob(blob, filename) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  // Give the browser time to start the download before the blob goes.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
