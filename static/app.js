// Progressive enhancement only: every page works without this file.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // Put the keyboard focus on the error summary so screen readers announce it.
  const summary = document.querySelector(".error-summary");
  if (summary) summary.focus();

  // Ask before irreversible actions (forms marked with data-confirm).
  for (const form of document.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  }

  // Print buttons on list and agenda pages (no inline handlers: the CSP forbids them).
  for (const button of document.querySelectorAll("[data-print]")) {
    button.addEventListener("click", () => window.print());
  }

  // Select the whole set-password link with one click, ready to copy.
  for (const field of document.querySelectorAll(".link-field")) {
    field.addEventListener("focus", () => field.select());
  }
});
