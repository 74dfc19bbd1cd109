// atlassian-mcp admin console: small progressive enhancements. Every page
// works without this file; it adds the confirmation dialog, the consent
// popup, the copy button and auto-submitting selects. Loaded from 'self'
// (the Content-Security-Policy allows no inline script).
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  ready(function () {
    // A link with data-dialog opens that <dialog> instead of its page.
    document.addEventListener("click", function (ev) {
      var a = ev.target.closest("[data-dialog]");
      if (a) {
        var d = document.getElementById(a.getAttribute("data-dialog"));
        if (d && typeof d.showModal === "function") { ev.preventDefault(); d.showModal(); }
        return;
      }
      var close = ev.target.closest("[data-close]");
      if (close) {
        var dlg = close.closest("dialog");
        if (dlg) { ev.preventDefault(); dlg.close(); }
        return;
      }
      var p = ev.target.closest("[data-popup]");
      if (p) {
        var w = 600, h = 720;
        var left = window.screenX + Math.max(0, (window.outerWidth - w) / 2);
        var top = window.screenY + Math.max(0, (window.outerHeight - h) / 2);
        var win = window.open(p.href, p.getAttribute("data-popup") || "popup",
          "popup=yes,width=" + w + ",height=" + h + ",left=" + left + ",top=" + top);
        if (win) { ev.preventDefault(); win.focus(); }
        return;
      }
      var c = ev.target.closest("[data-copy]");
      if (c) {
        var input = document.querySelector(c.getAttribute("data-copy"));
        if (!input) { return; }
        input.select();
        var done = function () { c.textContent = "Copied"; setTimeout(function () { c.textContent = "Copy"; }, 2000); };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(input.value).then(done, function () { document.execCommand("copy"); done(); });
        } else {
          document.execCommand("copy");
          done();
        }
      }
    });
    // A form with data-confirm asks first.
    document.addEventListener("submit", function (ev) {
      var f = ev.target.closest("form[data-confirm]");
      if (f && !window.confirm(f.getAttribute("data-confirm"))) { ev.preventDefault(); }
    }, true);
    // Selects with data-autosubmit submit their form on change.
    document.querySelectorAll("select[data-autosubmit]").forEach(function (s) {
      s.addEventListener("change", function () { s.form.submit(); });
    });
    // The OAuth callback page closes its popup (the console window's
    // wizard moves on by itself); opened in the console's own tab (the
    // popup was blocked), it goes back to the wizard.
    var cb = document.querySelector("[data-callback]");
    if (cb) {
      if (window.opener && !window.opener.closed) {
        setTimeout(function () { window.close(); }, 800);
      } else if (cb.getAttribute("data-callback") === "ok") {
        window.location.replace("/admin/connect");
      }
    }
  });
})();
