// Error summaries, on every page with a form (Guichet's and the demo
// bank's). Pages work without it; with it, focus moves to the summary so
// screen readers announce the errors and keyboard users start from the
// links to each field.
(function () {
  "use strict";

  function focusErrorSummary() {
    var s = document.querySelector("[data-error-summary]");
    if (s) s.focus();
    document.querySelectorAll(".error-summary a[href^='#']").forEach(function (a) {
      a.addEventListener("click", function (ev) {
        var target = document.getElementById(a.getAttribute("href").slice(1));
        if (target) {
          ev.preventDefault();
          target.focus();
          target.scrollIntoView({ block: "center" });
        }
      });
    });
  }

  if (document.readyState !== "loading") focusErrorSummary();
  else document.addEventListener("DOMContentLoaded", focusErrorSummary);
})();
