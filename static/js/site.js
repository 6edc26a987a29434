// Guichet's progressive enhancement. Every page works without it; this file
// runs the session timeout dialog (forms.js handles error summaries).
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  function printButtons() {
    document.querySelectorAll("[data-print]").forEach(function (b) {
      b.hidden = false;
      b.addEventListener("click", function () { window.print(); });
    });
  }

  // Session timeout: the deadline is shared through localStorage, so a page
  // loaded or a session extended in one tab keeps the others open, and
  // ending the session in one tab signs every tab out.
  var DEADLINE_KEY = "guichet.session.deadline";
  var ENDED_KEY = "guichet.session.ended";

  function store(key, value) {
    try { localStorage.setItem(key, String(value)); } catch (e) { /* private mode: this tab only */ }
  }
  function load(key) {
    try { return Number(localStorage.getItem(key)) || 0; } catch (e) { return 0; }
  }

  function sessionTimeout() {
    var dialog = document.getElementById("session-timeout");
    if (!dialog || typeof dialog.showModal !== "function") return;
    var idle = Number(dialog.dataset.idleSeconds) * 1000;
    var warn = Number(dialog.dataset.warnSeconds) * 1000;
    var signedOutURL = dialog.dataset.signedOutUrl;
    var countdown = dialog.querySelector("[data-countdown]");
    var extendForm = dialog.querySelector("form[data-session-extend]");
    var endForm = dialog.querySelector("form[data-session-end]");
    // Count from when the server answered, not from when this script ran,
    // so a slow page load does not push the warning past the real limit.
    var answered = Date.now();
    try {
      var nav = performance.getEntriesByType("navigation")[0];
      if (nav && nav.responseStart > 0) answered = performance.timeOrigin + nav.responseStart;
    } catch (e) { /* older browsers: use now */ }
    var localDeadline = answered + idle;
    var ending = false;

    // A page load is server activity: push the shared deadline forward.
    if (load(DEADLINE_KEY) < localDeadline) store(DEADLINE_KEY, localDeadline);

    function deadline() { return Math.max(localDeadline, load(DEADLINE_KEY)); }

    function fmt(ms) {
      var s = Math.max(0, Math.ceil(ms / 1000));
      var m = Math.floor(s / 60);
      var r = s % 60;
      return m + ":" + (r < 10 ? "0" : "") + r;
    }

    // The end signal carries its reason so other tabs can say why.
    function signalEnd(reason) { store(ENDED_KEY, Date.now() + ":" + reason); }

    function end(reason) {
      if (ending) return;
      ending = true;
      signalEnd(reason);
      endForm.querySelector("[data-reason]").value = reason;
      endForm.submit();
    }

    function tick() {
      if (ending) return;
      var left = deadline() - Date.now();
      if (left <= 0) {
        end("timeout");
        return;
      }
      if (left <= warn) {
        countdown.textContent = fmt(left);
        if (!dialog.open) {
          dialog.showModal();
          var first = dialog.querySelector("button");
          if (first) first.focus();
        }
      } else if (dialog.open) {
        dialog.close();
      }
    }

    extendForm.addEventListener("submit", function (ev) {
      ev.preventDefault();
      fetch(extendForm.action, {
        method: "POST",
        body: new FormData(extendForm),
        headers: { "Accept": "application/json" },
        credentials: "same-origin"
      }).then(function (res) {
        if (!res.ok) throw new Error("extend failed");
        return res.json();
      }).then(function (body) {
        localDeadline = Date.now() + body.remaining_seconds * 1000;
        store(DEADLINE_KEY, localDeadline);
        if (dialog.open) dialog.close();
      }).catch(function () {
        extendForm.submit();
      });
    });
    endForm.addEventListener("submit", function () {
      ending = true;
      signalEnd(endForm.querySelector("[data-reason]").value);
    });
    // Escape means "not now": keep the session, as the Continue button does.
    dialog.addEventListener("cancel", function (ev) {
      ev.preventDefault();
      if (extendForm.requestSubmit) extendForm.requestSubmit();
    });

    window.addEventListener("storage", function (ev) {
      if (ev.key === ENDED_KEY && ev.newValue && !ending) {
        ending = true;
        var timedOut = ev.newValue.split(":")[1] === "timeout";
        window.location.assign(signedOutURL + (timedOut ? "?reason=timeout" : ""));
      } else if (ev.key === DEADLINE_KEY) {
        tick();
      }
    });
    setInterval(tick, 1000);
    tick();
  }

  ready(function () {
    printButtons();
    sessionTimeout();
  });
})();
