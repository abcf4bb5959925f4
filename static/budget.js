// The trend-input form shows the effect on the vakgroep's norm hours and norm-fte as the
// representative types. The server computes it with the budget engine; without this script the
// "Effect berekenen" button does the same with a full page.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form[data-preview]");
  const target = document.getElementById("trend-effect");
  if (!form || !target) return;

  let timer = null;
  let latest = 0;

  const refresh = async () => {
    const asked = ++latest;
    // The form carries its CSRF token as the _csrf field, so the preview is checked like a save.
    const body = new URLSearchParams(new FormData(form));
    body.delete("actie");
    try {
      const response = await fetch(form.dataset.preview, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body,
        credentials: "same-origin",
      });
      if (!response.ok || asked !== latest) return;
      target.innerHTML = await response.text();
    } catch (_) {
      // Offline or the server is restarting: the button still works.
    }
  };

  const later = () => {
    clearTimeout(timer);
    timer = setTimeout(refresh, 300);
  };

  form.addEventListener("input", later);
  form.addEventListener("change", later);
});

// The product choice only matters for "gekozen zorgproducten"; hide it otherwise.
document.addEventListener("DOMContentLoaded", () => {
  const products = document.getElementById("veld-products");
  const scopes = document.querySelectorAll("input[name=scope]");
  if (!products || scopes.length === 0) return;
  const sync = () => {
    const chosen = document.querySelector("input[name=scope]:checked");
    products.hidden = !chosen || chosen.value !== "zorgproducten";
  };
  for (const scope of scopes) scope.addEventListener("change", sync);
  sync();
});
