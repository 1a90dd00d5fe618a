// Small progressive enhancements; every page also works without JavaScript.
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
