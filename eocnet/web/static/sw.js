// eocnet's service worker: push notifications (RFC 8030) and their buttons.
// A push message is JSON: {id, title, body, type, url, tag, alert, acknowledge: {url, token}}.

self.addEventListener("install", () => { self.skipWaiting(); });
self.addEventListener("activate", (event) => { event.waitUntil(self.clients.claim()); });

self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (error) {
    data = { title: "eocnet", body: event.data ? event.data.text() : "" };
  }
  const actions = [];
  if (data.alert && data.acknowledge) {
    actions.push({ action: "acknowledge", title: "Acknowledge" });
  }
  actions.push({ action: "open", title: "Open" });
  event.waitUntil(self.registration.showNotification(data.title || "eocnet", {
    body: data.body || "",
    icon: "/static/icons/icon-192.png",
    badge: "/static/icons/icon-192.png",
    tag: data.tag || undefined,
    renotify: Boolean(data.tag),
    requireInteraction: Boolean(data.alert),
    timestamp: Date.now(),
    data: data,
    actions: actions,
  }));
});

// The Acknowledge button records the acknowledgement without opening the app: the
// message's token is the credential (no cookie, no CSRF token in a service worker).
function acknowledge(data) {
  return fetch(data.acknowledge.url, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ token: data.acknowledge.token }),
    credentials: "omit",
  }).then((response) => {
    if (!response.ok) throw new Error("HTTP " + response.status);
    return self.registration.showNotification("Acknowledged", {
      body: data.title || "",
      tag: data.tag || undefined,
      icon: "/static/icons/icon-192.png",
      data: { url: data.url },
    });
  }).catch(() => self.registration.showNotification("Not acknowledged yet", {
    body: "Open the alert to acknowledge it: " + (data.title || ""),
    tag: data.tag || undefined,
    icon: "/static/icons/icon-192.png",
    requireInteraction: true,
    data: { url: data.url },
  }));
}

function openRecord(url) {
  const target = new URL(url || "/", self.location.origin).href;
  return self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
    for (const client of windows) {
      if (client.url === target && "focus" in client) return client.focus();
    }
    for (const client of windows) {
      if ("navigate" in client) return client.navigate(target).then((c) => c && c.focus());
    }
    return self.clients.openWindow(target);
  });
}

self.addEventListener("notificationclick", (event) => {
  const data = event.notification.data || {};
  event.notification.close();
  if (event.action === "acknowledge" && data.acknowledge) {
    event.waitUntil(acknowledge(data));
  } else {
    event.waitUntil(openRecord(data.url));
  }
});
