import * as api from "./api.js";
import { candidateOption } from "./candidates.js";
import { clearFieldErrors, el, showFieldError, fill, show, text } from "./dom.js";

const form = document.getElementById("escalate-form");

async function load() {
  const view = await api.escalateForm();
  show("nobody", view.nobodyOnRotation);
  const whole = { handle: null, reason: "unassigned, announced to the group" };
  const options = [...view.candidates, whole];
  const suggested = view.candidates.findIndex((c) => c.suggested);
  fill("candidates", options.map((c, i) => candidateOption(c, suggested === -1 ? i === options.length - 1 : i === suggested)));
  document.getElementById("title").focus();
}

const clearErrors = () => clearFieldErrors(form);
const showError = (error) => showFieldError(error, (message) => document.getElementById("file-status").after(message));

let filedOnce = false;

async function submit() {
  if (filedOnce) return;
  clearErrors();
  const value = (id) => document.getElementById(id).value.trim();
  const chosen = form.querySelector("input[name=assignee]:checked");
  const filing = {
    title: value("title"),
    customer: value("customer") || null,
    severity: value("severity"),
    url: value("url") || null,
    details: value("details"),
    assignee: chosen && chosen.value ? chosen.value : null,
  };
  text("file-status", "Filing…");
  document.getElementById("file").disabled = true;
  try {
    const filed = await api.fileEscalation(filing);
    filedOnce = true;
    text("file-status", "");
    confirm(filed);
  } catch (error) {
    document.getElementById("file").disabled = false;
    (error?.errors ?? [error]).forEach(showError);
    text("file-status", "Not filed: fix the fields marked.");
    form.querySelector("[aria-invalid]")?.focus();
  }
}

/** Says what was filed, with its link, for a moment (or until Esc), then closes the window. */
function confirm(filed) {
  const link = filed.url
    ? el("a", { href: "#", id: "filed-link", onclick: (e) => { e.preventDefault(); api.openLink(filed.url); } }, filed.url)
    : null;
  fill("filed", el("strong", { id: "filed-message" }, filed.message), link ? " " : null, link);
  show("filed", true);
  form.querySelector("#fields").disabled = true;
  document.getElementById("filed").focus();
  setTimeout(() => api.closeWindow(), CONFIRMATION_MS);
}

/** How long the confirmation stays before the window closes by itself. */
const CONFIRMATION_MS = 6000;

form.addEventListener("submit", (event) => {
  event.preventDefault();
  submit();
});
document.getElementById("details").addEventListener("keydown", (event) => {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    submit();
  }
});
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape") {
    event.preventDefault();
    api.closeWindow();
  }
});

load().then(api.windowReady).catch((error) => showError({ message: error?.message ?? String(error) }));
