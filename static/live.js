// Live meeting (product.md A5). Progressive enhancement only: without this file the meeting page
// shows the same state after a reload.
//
// The element with [data-live-url] holds the agenda fragment. The server sends the whole fragment
// for this person as an `agenda` event when the connection opens (so a reconnect never misses
// anything) and after every change; `end` means the meeting is over (or the session ended) and
// the connection is not to be reopened. The current item's timer runs here every second.
"use strict";

(() => {
  const box = document.querySelector("[data-live-url]");
  const status = document.querySelector(".live-status");
  const TYPING = "textarea, select, input:not([type=hidden]):not([type=checkbox]):not([type=radio]):not([type=submit]):not([type=button]):not([type=file])";

  // ---- The timer of the current item, with the same wording as the server (domain Timer::text).

  let skew = 0; // server clock minus this browser's clock, in ms

  function readSkew() {
    const timer = document.querySelector(".timer[data-now]");
    const now = timer ? Date.parse(timer.dataset.now) : NaN;
    if (!Number.isNaN(now)) skew = now - Date.now();
  }

  function timerText(remaining) {
    const minutes = (secs) => Math.floor((secs + 59) / 60);
    if (remaining === 0) return "tijd is om";
    if (remaining > 0) return `nog ${minutes(remaining)} min`;
    return `${minutes(-remaining)} min over tijd`;
  }

  function tick() {
    for (const timer of document.querySelectorAll(".timer[data-started-at]")) {
      const started = Date.parse(timer.dataset.startedAt);
      const planned = Number.parseInt(timer.dataset.plannedMinutes, 10);
      if (Number.isNaN(started) || Number.isNaN(planned)) continue;
      const elapsed = Math.max(0, Math.floor((Date.now() + skew - started) / 1000));
      const remaining = planned * 60 - elapsed;
      const text = timerText(remaining);
      if (timer.textContent !== text) timer.textContent = text;
      timer.classList.toggle("over", remaining < 0);
      timer.classList.toggle("badge-bad", remaining < 0);
    }
  }

  readSkew();
  tick();
  window.setInterval(tick, 1000);

  if (!box || !("EventSource" in window)) return;

  // ---- What the person did inside the fragment, kept across replacements.

  const opened = new Map(); // details[data-key] -> open, for the ones the person toggled
  const edited = new Map(); // "form id|field name" -> value (or checked), typed but not sent
  let pending = null; // a fragment that arrived while the person was typing

  const fieldKey = (field) =>
    field.form && field.form.id && field.name ? `${field.form.id}|${field.name}` : null;

  box.addEventListener("click", (event) => {
    const summary = event.target.closest("summary");
    const details = summary && summary.parentElement;
    if (details && details.matches("details[data-key]") && box.contains(details)) {
      opened.set(details.dataset.key, !details.open);
    }
  });

  const remember = (event) => {
    const field = event.target;
    const key = fieldKey(field);
    if (!key || field.type === "file") return; // chosen files are carried over as elements
    edited.set(key, field.type === "checkbox" ? field.checked : field.value);
  };
  box.addEventListener("input", remember);
  box.addEventListener("change", remember);

  box.addEventListener("submit", (event) => {
    const form = event.target;
    // app.js asks for confirmation on the forms of the first page load; after a replacement
    // those listeners are gone, so this takes over.
    if (box.dataset.replaced === "1" && form.matches("form[data-confirm]") && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
      return;
    }
    for (const key of [...edited.keys()]) {
      if (key.startsWith(`${form.id}|`)) edited.delete(key);
    }
  });

  const typing = () => {
    const active = document.activeElement;
    return active && box.contains(active) && active.matches(TYPING);
  };

  box.addEventListener("focusout", () => {
    // Wait until the focus has landed, then apply what arrived while the person was typing.
    window.setTimeout(() => {
      if (pending !== null && !typing()) {
        const html = pending;
        pending = null;
        apply(html);
      }
    }, 0);
  });

  function apply(html) {
    const active = document.activeElement;
    const focusId = active && box.contains(active) && active.id ? active.id : null;
    // A chosen file cannot be set by a script: keep the very input elements that hold one.
    const chosen = [...box.querySelectorAll("input[type=file][id]")].filter((f) => f.files && f.files.length > 0);
    // A form being edited keeps the version it was started from, so that saving it over a newer
    // version is still refused by the server (optimistic locking) instead of overwriting it.
    const versions = new Map();
    for (const key of edited.keys()) {
      const formId = key.split("|")[0];
      const form = document.getElementById(formId);
      const version = form && form.elements.namedItem("version");
      if (version && typeof version.value === "string") versions.set(formId, version.value);
    }
    box.innerHTML = html;
    for (const input of chosen) {
      const fresh = document.getElementById(input.id);
      if (fresh && fresh.type === "file") fresh.replaceWith(input);
    }
    box.dataset.replaced = "1";
    for (const details of box.querySelectorAll("details[data-key]")) {
      if (opened.has(details.dataset.key)) details.open = opened.get(details.dataset.key);
    }
    for (const [key, value] of edited) {
      const [formId, name] = key.split("|");
      const form = document.getElementById(formId);
      const field = form && form.elements.namedItem(name);
      if (!field || !field.matches) continue;
      if (field.type === "checkbox") field.checked = value;
      else field.value = value;
    }
    for (const [formId, value] of versions) {
      const form = document.getElementById(formId);
      const version = form && form.elements.namedItem("version");
      if (version && typeof version.value === "string") version.value = value;
    }
    if (focusId) {
      const again = document.getElementById(focusId);
      if (again) again.focus({ preventScroll: true });
    }
    readSkew();
    tick();
  }

  function receive(html) {
    if (typing()) {
      pending = html;
    } else {
      pending = null;
      apply(html);
    }
  }

  // ---- The connection.

  const say = (text) => {
    if (!status) return;
    status.textContent = text;
    status.hidden = !text;
  };

  let source = null;
  let ended = false;
  let delay = 2000;

  function connect() {
    source = new EventSource(box.dataset.liveUrl);
    source.addEventListener("agenda", (event) => {
      delay = 2000;
      say("");
      receive(event.data);
    });
    source.addEventListener("end", (event) => {
      ended = true;
      source.close();
      if (event.data === "sessie") {
        say("U bent niet meer ingelogd. Laad de pagina opnieuw om de vergadering te blijven volgen.");
      }
    });
    source.addEventListener("error", () => {
      if (ended) return;
      say("De verbinding is verbroken; opnieuw verbinden…");
      if (source.readyState === EventSource.CLOSED) {
        // The browser gave up (e.g. the server answered with an error page while it restarted):
        // try again ourselves, less often each time.
        window.setTimeout(connect, delay);
        delay = Math.min(delay * 2, 30000);
      }
      // Otherwise EventSource reconnects by itself; the server then sends the whole state.
    });
  }

  connect();
  window.addEventListener("pagehide", () => {
    ended = true;
    if (source) source.close();
  });
  window.addEventListener("pageshow", (event) => {
    // Back from the browser's page cache: follow the meeting again (the server sends it all).
    if (event.persisted && ended) {
      ended = false;
      connect();
    }
  });
})();
