// Canned-reply picker for the reply box (R-IN-3): Ctrl+. anywhere in the text, or "/" at the
// start of a line, opens a filtered list; arrows move, Enter inserts the reply the server
// filled from the ticket, Esc closes. Text is inserted as text (never as HTML).
(function () {
  "use strict";

  function setup(picker) {
    var form = picker.closest("form");
    var box = form && form.querySelector("textarea");
    if (!box || picker.dataset.ready) return;
    picker.dataset.ready = "1";
    var filter = picker.querySelector(".canned-filter");
    var list = picker.querySelector(".canned-list");
    var items = null;
    var shown = [];
    var selected = 0;
    var caret = { start: 0, end: 0 };

    function atLineStart() {
      var pos = box.selectionStart;
      return box.selectionStart === box.selectionEnd && (pos === 0 || box.value.charAt(pos - 1) === "\n");
    }

    function render() {
      var words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
      shown = (items || []).filter(function (item) {
        var hay = [item.title, item.shortcut, item.kind_label, item.text].join(" ").toLowerCase();
        return words.every(function (w) { return hay.indexOf(w) !== -1; });
      });
      selected = Math.min(selected, Math.max(shown.length - 1, 0));
      list.textContent = "";
      if (!shown.length) {
        var empty = document.createElement("li");
        empty.textContent = items === null ? "…" : filter.dataset.empty;
        list.appendChild(empty);
        return;
      }
      shown.forEach(function (item, i) {
        var li = document.createElement("li");
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", i === selected ? "true" : "false");
        li.dataset.testid = "canned-option";
        var title = document.createElement("strong");
        title.textContent = item.title;
        var meta = document.createElement("span");
        meta.className = "canned-meta";
        meta.textContent = (item.shortcut ? "/" + item.shortcut + " · " : "") + item.kind_label + " · " + item.language;
        var preview = document.createElement("span");
        preview.className = "canned-preview";
        preview.textContent = item.text;
        li.append(title, meta, preview);
        li.addEventListener("mousedown", function (e) { e.preventDefault(); insert(item); });
        list.appendChild(li);
        if (i === selected) li.scrollIntoView({ block: "nearest" });
      });
    }

    function open() {
      caret = { start: box.selectionStart, end: box.selectionEnd };
      picker.hidden = false;
      filter.value = "";
      selected = 0;
      render();
      filter.focus();
      if (items === null) {
        fetch(picker.dataset.cannedUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
          .then(function (data) { items = data.items; render(); })
          .catch(function () { items = []; filter.dataset.empty = filter.dataset.failed; render(); });
      }
    }

    function close() {
      picker.hidden = true;
      box.focus();
      box.setSelectionRange(caret.start, caret.end);
    }

    function insert(item) {
      var before = box.value.slice(0, caret.start);
      var after = box.value.slice(caret.end);
      box.value = before + item.text + after;
      caret.start = caret.end = before.length + item.text.length;
      close();
      box.dispatchEvent(new Event("input", { bubbles: true }));
    }

    box.addEventListener("keydown", function (e) {
      if ((e.ctrlKey || e.metaKey) && e.key === ".") {
        e.preventDefault();
        open();
      } else if (e.key === "/" && !e.ctrlKey && !e.altKey && !e.metaKey && atLineStart()) {
        e.preventDefault();
        open();
      }
    });
    filter.addEventListener("input", function () { selected = 0; render(); });
    filter.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown") { e.preventDefault(); selected = Math.min(selected + 1, shown.length - 1); render(); }
      else if (e.key === "ArrowUp") { e.preventDefault(); selected = Math.max(selected - 1, 0); render(); }
      else if (e.key === "Enter") { e.preventDefault(); if (shown[selected]) insert(shown[selected]); }
      else if (e.key === "Escape") { e.preventDefault(); close(); }
    });
    filter.addEventListener("blur", function () {
      window.setTimeout(function () { if (document.activeElement !== filter) picker.hidden = true; }, 150);
    });
  }

  function init() { document.querySelectorAll(".canned-picker").forEach(setup); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
  document.addEventListener("htmx:afterSettle", init);
})();
