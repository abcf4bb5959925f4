// Follows a running production import on its status page; without this file the page refreshes
// itself (<noscript> meta refresh).
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const status = document.querySelector("[data-import-status]");
  if (!status) return;
  const url = status.dataset.importStatus;
  const poll = async () => {
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" } });
      if (!response.ok) throw new Error(String(response.status));
      const body = await response.json();
      status.textContent = body.tekst;
      if (body.klaar) {
        window.location.reload();
        return;
      }
    } catch (_) {
      // A lost connection: try again on the next tick.
    }
    window.setTimeout(poll, 1000);
  };
  window.setTimeout(poll, 500);
});
