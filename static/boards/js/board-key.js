// The board's key on every request the page makes: reading a board needs it as changing it
// does. It travels in the Authorization header, never in a URL, so no server log ever holds it.

let boardKey = null;

export function useBoardKey(key) {
  boardKey = key || null;
}

export function boardFetch(url, init = {}) {
  const headers = new Headers(init.headers || {});
  if (boardKey) headers.set("Authorization", `Bearer ${boardKey}`);
  return fetch(url, { ...init, headers });
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
  if (!response.ok) {
    let message = `The download failed (HTTP ${response.status}).`;
    try {
      message = (await response.json()).error.message;
    } catch {
      // Not our JSON error: keep the generic message.
    }
    throw new Error(message);
  }
  const name = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") || "");
  saveBlob(await response.blob(), name ? name[1] : fallbackName);
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
