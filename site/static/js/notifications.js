// Live notifications: keeps the header's unread count current and announces
// each new notification politely. The list itself is /me/notifications/.

const link = document.querySelector("[data-notifications]");

function badge(unread) {
  let node = link.querySelector("[data-notifications-unread]");
  if (!unread) {
    node?.remove();
    return;
  }
  if (!node) {
    node = document.createElement("span");
    node.className = "badge";
    node.setAttribute("data-notifications-unread", "");
    link.append(" ", node);
  }
  const hidden = document.createElement("span");
  hidden.className = "visually-hidden";
  hidden.textContent = " unread";
  node.replaceChildren(String(unread), hidden);
}

function announcer() {
  let node = document.querySelector("[data-notifications-announcer]");
  if (!node) {
    node = document.createElement("div");
    node.className = "visually-hidden";
    node.setAttribute("aria-live", "polite");
    node.setAttribute("data-notifications-announcer", "");
    link.after(node);
  }
  return node;
}

function connect(attempt = 0) {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const socket = new WebSocket(`${scheme}//${location.host}/ws/notifications/`);
  socket.addEventListener("open", () => { attempt = 0; });
  socket.addEventListener("message", (event) => {
    const frame = JSON.parse(event.data);
    if (frame.type === "notifications.read") {
      badge(frame.unread); // read in another tab, or on the list
      return;
    }
    if (frame.type !== "notification") return;
    badge(frame.unread);
    announcer().textContent = frame.notification.text;
  });
  socket.addEventListener("close", (event) => {
    if (event.code === 4403) return; // signed out: the next page load starts anew
    // Refused handshakes look the same whether the person signed out or the
    // server is between restarts: keep trying, at most every 30 s.
    const delay = Math.min(30000, 1000 * 2 ** attempt) * (0.5 + Math.random() / 2);
    window.setTimeout(() => connect(attempt + 1), delay);
  });
}

if (link && "WebSocket" in window) connect();
