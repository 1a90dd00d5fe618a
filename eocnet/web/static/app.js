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
});
