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
})();
