// Small progressive enhancements; every page also works without JavaScript.

// Mark the page as live while its stream is connected (a deferred script runs before
// htmx opens the stream, so no "open" is missed). Tests wait for this too: the page's
// Content-Security-Policy forbids evaluating their scripts in it.
document.body.addEventListener("htmx:sseOpen", () => { document.body.dataset.live = "1"; });
document.body.addEventListener("htmx:sseError", () => { document.body.dataset.live = "0"; });

document.addEventListener("DOMContentLoaded", () => {
  const select = document.getElementById("language-select");
  if (select) {
    select.addEventListener("change", () => select.form.submit());
  }
  // Clear a chat form once its message is sent.
  document.body.addEventListener("htmx:afterRequest", (event) => {
    const form = event.target.closest ? event.target.closest("form[data-reset-after-send]") : null;
    if (form && event.detail.successful) {
      form.reset();
    }
  });
  // Keep the newest chat message in view.
  const scrollDown = () => {
    const box = document.getElementById("messages");
    if (box) box.scrollTop = box.scrollHeight;
  };
  scrollDown();
  document.body.addEventListener("htmx:afterSwap", scrollDown);
  // Mark the chat read with an explicit POST (GET pages never write), once the
  // messages are on screen and at most every two seconds, with the newest id shown.
  const readForm = document.querySelector("form[data-mark-read]");
  if (readForm) {
    readForm.hidden = true;
    let sent = 0, timer = null;
    const send = () => {
      timer = null;
      const marker = document.querySelector("#messages [data-newest-message]");
      const newest = marker ? Number(marker.dataset.newestMessage) : 0;
      if (document.visibilityState !== "visible" || newest <= sent) return;
      readForm.elements.up_to.value = String(newest);
      fetch(readForm.action, {
        method: "POST",
        body: new FormData(readForm),
        headers: { "HX-Request": "true" },
        credentials: "same-origin",
      }).then((r) => { if (r.ok) sent = Math.max(sent, newest); }).catch(() => {});
    };
    const soon = () => { if (!timer) timer = setTimeout(send, 2000); };
    send();
    document.body.addEventListener("htmx:afterSwap", soon);
    document.addEventListener("visibilitychange", soon);
  }
});

// The installable app: the service worker (push notifications) on every page, and the
// account page's switch that subscribes this device (POST /api/v1/push/subscriptions).
if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {});
}

document.addEventListener("DOMContentLoaded", () => {
  const box = document.getElementById("push-notifications");
  const button = document.getElementById("push-toggle");
  if (!box || !button || !("serviceWorker" in navigator) || !("PushManager" in window)) return;
  box.hidden = false;
  const state = document.getElementById("push-state");
  const csrf = () => {
    try { return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRF-Token"]; } catch (e) { return ""; }
  };
  const api = (method, path, body) => fetch(path, {
    method: method,
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() },
    body: body ? JSON.stringify(body) : undefined,
  });
  const keyBytes = (b64) => {
    const text = atob(b64.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - b64.length % 4) % 4));
    return Uint8Array.from(text, (c) => c.charCodeAt(0));
  };
  const show = (subscribed, note) => {
    button.textContent = subscribed ? button.dataset.on : button.dataset.off;
    button.dataset.subscribed = subscribed ? "1" : "0";
    state.textContent = note || "";
  };
  const register = (subscription) => api("POST", "/api/v1/push/subscriptions", subscription.toJSON())
    .then((r) => r.ok ? r.json() : Promise.reject(new Error("HTTP " + r.status)))
    .then((saved) => { localStorage.setItem("eocnet-push-id", String(saved.id)); });
  navigator.serviceWorker.ready.then((registration) => registration.pushManager.getSubscription())
    .then((subscription) => {
      // renew an existing subscription on every visit (keys may have changed)
      if (subscription) register(subscription).catch(() => {});
      show(Boolean(subscription));
    });
  button.addEventListener("click", () => {
    button.disabled = true;
    navigator.serviceWorker.ready.then((registration) => {
      if (button.dataset.subscribed === "1") {
        return registration.pushManager.getSubscription().then((subscription) => {
          const id = localStorage.getItem("eocnet-push-id");
          const gone = id ? api("DELETE", "/api/v1/push/subscriptions/" + id) : Promise.resolve();
          return gone.then(() => subscription && subscription.unsubscribe()).then(() => {
            localStorage.removeItem("eocnet-push-id");
            show(false);
          });
        });
      }
      return Notification.requestPermission().then((permission) => {
        if (permission !== "granted") { show(false, permission); return null; }
        return fetch("/api/v1/push/vapid-public-key", { credentials: "same-origin" })
          .then((r) => r.json())
          .then((key) => registration.pushManager.subscribe({
            userVisibleOnly: true, applicationServerKey: keyBytes(key.public_key),
          }))
          .then(register)
          .then(() => show(true));
      });
    }).catch((error) => show(button.dataset.subscribed === "1", String(error)))
      .finally(() => { button.disabled = false; });
  });
});
