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
