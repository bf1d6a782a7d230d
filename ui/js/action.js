// The small action window: Engage engineering… or Reassign… on one escalation, opened
// from its menu in the tray. What it acts on, and who or what it offers, come from the Rust side;
// this draws the form, sends it, says what was done, and closes. Text from outside is set as text.
import * as api from "./api.js";
import { candidateOption } from "./candidates.js";
import { clearFieldErrors, el, fill, forSuggestions, show, showFieldError, text } from "./dom.js";

const form = document.getElementById("action-form");
/** How long the confirmation stays before the window closes by itself. */
const CONFIRMATION_MS = 6000;
const SUBMIT = { engage: "Engage", reassign: "Reassign" };

/** The view drawn: its request number tells a new request from a refresh of the same one. */
let view = null;
let sending = false;
let closing = null;

/** The escalation acted on: its title (as text) and where it stands. */
function subject(e) {
  show("escalation", Boolean(e));
  if (!e) return;
  fill("subject-title", e.title, e.customer ? el("span", { class: "customer" }, ` — ${e.customer}`) : null);
  text("subject-meta", [`#${e.id}`, e.severity, e.stateLabel, e.assignee ?? "the whole rotation", e.team && `team ${e.team}`, e.filed]
    .filter(Boolean).join(" · "));
}

function draw(v) {
  view = v;
  clearTimeout(closing);
  clearFieldErrors(form);
  document.title = v.heading;
  api.setTitle(v.heading).catch(() => {});
  text("heading", v.heading);
  const e = v.escalation;
  subject(e);
  show("problem", Boolean(v.problem));
  text("problem", v.problem);
  fill("done");
  show("done", false);
  const ready = Boolean(v.kind && e && !v.problem);
  text("action-help", ready ? "Enter sends it, Esc closes." : "Esc closes.");
  show("fields", ready);
  show("close-row", !ready);
  show("reopen", Boolean(v.reopen && e));
  text("action-status", "");
  if (!ready) {
    document.getElementById("close").focus();
    return;
  }
  show("engage-fields", v.kind === "engage");
  show("reassign-fields", v.kind === "reassign");
  text("submit", SUBMIT[v.kind]);
  if (v.kind === "engage") {
    form.reset();
    fill("known-teams", v.teams.map((t) => el("option", { value: t })));
    document.getElementById("engage-team").focus();
  } else {
    show("counts-warning", Boolean(v.warning));
    text("counts-warning", v.warning && `${v.warning}: ranked by working hours only.`);
    fill("candidates", v.candidates.map((c) => candidateOption(c, c.suggested)));
    form.querySelector("input[name=assignee]:checked")?.focus();
  }
}

async function load() {
  const v = await api.actionView(view?.request ?? null);
  // How many views were read: scripts and tests wait on it.
  document.body.dataset.loads = String(Number(document.body.dataset.loads ?? 0) + 1);
  // The same request again (the minute's refresh, a file change) keeps what is being typed; an
  // answer to an older request, overtaken by a newer one, is dropped.
  if (view && v.request <= view.request) return;
  draw(v);
}

function filled() {
  const value = (id) => document.getElementById(id).value.trim();
  if (view.kind === "engage") return { team: value("engage-team"), url: value("engage-url") || null };
  return { to: form.querySelector("input[name=assignee]:checked")?.value ?? "" };
}

async function submit() {
  if (sending || !view?.kind || view.problem) return;
  clearFieldErrors(form);
  sending = true;
  // A new request may come while this one is sent: what comes back is about this one only.
  const request = view.request;
  text("action-status", "Sending…");
  document.getElementById("submit").disabled = true;
  try {
    const acted = await api.escalationAction({ id: view.escalation.id, kind: view.kind, ...filled() });
    if (view.request !== request) return;
    text("action-status", "");
    confirmDone(acted);
  } catch (error) {
    if (view.request !== request) return;
    (error?.errors ?? [error]).forEach((e) =>
      showFieldError(e, (message) => document.getElementById("action-status").after(message)));
    text("action-status", "Not done.");
    form.querySelector("[aria-invalid]")?.focus();
  } finally {
    sending = false;
    document.getElementById("submit").disabled = false;
  }
}

/** Says what was done for a moment (or until Esc), then closes the window. */
function confirmDone(acted) {
  subject(acted.escalation);
  fill("done", el("strong", { id: "done-message" }, acted.message));
  show("done", true);
  show("fields", false);
  text("action-help", "Esc closes.");
  document.getElementById("done").focus();
  closing = setTimeout(() => api.closeWindow(), CONFIRMATION_MS);
}

// A field's error goes as soon as the field is edited.
form.addEventListener("input", (event) => {
  const field = event.target.closest("label");
  if (!field?.nextElementSibling?.classList.contains("field-error")) return;
  field.nextElementSibling.remove();
  event.target.removeAttribute("aria-invalid");
});
form.addEventListener("submit", (event) => {
  event.preventDefault();
  submit();
});
/** Closes the window, unless an action is being sent (its answer is still to be said). */
function close() {
  if (!sending) api.closeWindow();
}
document.getElementById("cancel").addEventListener("click", close);
document.getElementById("close").addEventListener("click", close);
// A resolved escalation: reopened here, then the form it was opened for.
const reopen = document.getElementById("reopen");
reopen.addEventListener("click", async () => {
  reopen.disabled = true;
  try {
    await api.escalationAction({ id: view.escalation.id, kind: "reopen" });
    view = null;
    await load();
  } catch (error) {
    show("problem", true);
    text("problem", error?.message ?? String(error));
  } finally {
    reopen.disabled = false;
  }
});
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && !forSuggestions(event.target)) {
    event.preventDefault();
    close();
  }
});
api.onChanged(() => load().catch(() => {}));
load()
  .then(api.windowReady)
  .catch((error) => {
    show("problem", true);
    text("problem", error?.message ?? String(error));
  });
