// The board page's configuration, rendered by the server with json_script.

export function readConfig(doc = document) {
  const raw = JSON.parse(doc.getElementById("board-config").textContent);
  return { ...raw, wsUrl: absoluteWsUrl(raw.wsUrl, doc.location) };
}

// The server gives a path; the scheme must follow the page's so https pages use wss.
export function absoluteWsUrl(url, location) {
  if (/^wss?:\/\//.test(url)) return url;
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}${url.startsWith("/") ? "" : "/"}${url}`;
}

// A board link carries its key in the fragment (#key=...), which browsers never send to a
// server. The page keeps it per board, so a reload or a bookmark without it still works,
// and takes it out of the address bar so that copying the address never hands out a
// facilitator's key by accident (the Share button gives the links meant for sharing).
export function takeBoardKey(boardId, location = window.location, storage = window.localStorage) {
  const storageKey = `storming:key:${boardId}`;
  const fromLink = new URLSearchParams(location.hash.replace(/^#/, "")).get("key");
  if (fromLink) {
    try {
      storage.setItem(storageKey, fromLink);
    } catch {
      // Not remembered; this visit still has it.
    }
    window.history.replaceState(null, "", location.pathname + location.search);
    return fromLink;
  }
  try {
    return storage.getItem(storageKey);
  } catch {
    return null;
  }
}
