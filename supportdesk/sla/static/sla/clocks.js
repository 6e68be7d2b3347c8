// Live SLA countdowns (issue 3). The server renders each running clock with the working
// seconds left at that moment (data-sla-left) and how many wall seconds working time keeps
// flowing from then (data-runs-for: until the current working span ends; 0 when paused,
// met or outside working hours). Counting down only within that stretch keeps the page
// right about working time without knowing the calendar; the card re-renders from the
// server every minute (htmx), which starts a new stretch.
(function () {
  "use strict";

  function format(seconds) {
    var s = Math.abs(Math.trunc(seconds));
    var h = Math.floor(s / 3600);
    var m = Math.floor((s % 3600) / 60);
    var sec = s % 60;
    return h + ":" + String(m).padStart(2, "0") + ":" + String(sec).padStart(2, "0");
  }

  function setState(el, state) {
    if (el.dataset.state === state) return;
    el.dataset.state = state;
    var item = el.closest("[data-state]:not([data-sla-left])");
    if (item) {
      item.dataset.state = state;
      item.className = item.className.replace(/\bsla-(ok|warning|breached)\b/, "sla-" + state);
    }
    var badge = el.parentElement && el.parentElement.querySelector("[data-sla-badge]");
    if (badge) {
      badge.className = "badge badge-" + (state === "breached" ? "red" : "orange");
      badge.textContent = state === "breached" ? el.dataset.breachedLabel : el.dataset.warningLabel;
    }
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-sla-left]").forEach(function (el) {
      if (!el.dataset.seenAt) el.dataset.seenAt = String(now);
      var elapsed = (now - Number(el.dataset.seenAt)) / 1000;
      var running = Math.min(elapsed, Number(el.dataset.runsFor) || 0);
      var left = Number(el.dataset.slaLeft) - running;
      var template = left < 0 ? el.dataset.overdueText : el.dataset.leftText;
      el.textContent = template.replace("%(time)s", format(left));
      el.classList.toggle("overdue", left < 0);
      var state = el.dataset.state;
      if (state === "ok" || state === "warning") {
        if (left <= 0) setState(el, "breached");
        else if (state === "ok" && left <= Number(el.dataset.warnBelow)) setState(el, "warning");
      }
    });
  }

  tick();
  window.setInterval(tick, 1000);
  document.addEventListener("htmx:afterSettle", tick);
})();
