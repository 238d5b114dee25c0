/* Site-wide behaviour, loaded by base.html. No inline script anywhere: the CSP allows scripts from 'self' only. */
(function () {
  "use strict";

  // htmx requests carry the CSRF token from <meta name="csrf-token">, so hx-post works like a form post.
  document.addEventListener("htmx:configRequest", function (event) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) {
      event.detail.headers["X-CSRFToken"] = meta.getAttribute("content");
    }
  });

  // A table wider than its box scrolls inside it: keyboard users reach that scroll by focusing the box.
  function focusableScrollBoxes() {
    document.querySelectorAll(".table-wrap").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth) {
        box.tabIndex = 0;
      } else {
        box.removeAttribute("tabindex");
      }
    });
  }
  document.addEventListener("DOMContentLoaded", focusableScrollBoxes);
  window.addEventListener("resize", focusableScrollBoxes);
  document.addEventListener("htmx:afterSettle", focusableScrollBoxes);
})();
