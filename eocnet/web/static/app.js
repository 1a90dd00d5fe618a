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
