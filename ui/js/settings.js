import * as api from "./api.js";
import { clearFieldErrors, el, fill, forSuggestions, showFieldError, text } from "./dom.js";

const fields = {
  me: "me",
  timezone: "timezone",
  scheduleSource: "schedule-source",
  scheduleTimezone: "schedule-timezone",
  handoff: "handoff",
  teamSize: "team-size",
  rosterSource: "roster-source",
  pollSeconds: "poll-seconds",
  shortcut: "shortcut",
  backend: "backend",
  githubApi: "github-api",
  githubRepo: "github-repo",
  githubLabel: "github-label",
  slackUsergroup: "slack-usergroup",
};
const numbers = new Set(["teamSize", "pollSeconds"]);
/** The `[notices]` checkboxes: form key → element id. */
const notices = {
  weekBefore: "notice-week-before",
  dayBefore: "notice-day-before",
  handoff: "notice-handoff",
  beforeEnd: "notice-before-end",
  scheduleChange: "notice-schedule-change",
  dayStart: "notice-day-start",
  holdWhileAsleep: "notice-hold-while-asleep",
};
const form = document.getElementById("settings-form");

const clearErrors = () => clearFieldErrors(form);
const showError = (error) => showFieldError(error, (message) => form.prepend(message));

function showBackend() {
  document.getElementById("github-fields").hidden = document.getElementById("backend").value !== "github";
}
document.getElementById("backend").addEventListener("change", showBackend);

/** Fields the person changed since the form was last filled: a fill never types over them. */
const touched = new Set();
form.addEventListener("input", (event) => event.target.id && touched.add(event.target.id));

async function load() {
  const view = await api.settingsForm();
  const fresh = (id) => !touched.has(id);
  for (const [key, id] of Object.entries(fields)) if (fresh(id)) document.getElementById(id).value = String(view.form[key] ?? "");
  if (fresh("start-at-login")) document.getElementById("start-at-login").checked = view.form.startAtLogin;
  if (fresh("slack-sync")) document.getElementById("slack-sync").checked = Boolean(view.form.slackSync);
  if (fresh("slack-token")) document.getElementById("slack-token").value = "";
  text(
    "slack-token-status",
    view.slackTokenStored
      ? "A Slack token is stored in the keyring; type a new one to replace it."
      : "No Slack token stored yet (it needs the usergroups:read and usergroups:write scopes).",
  );
  for (const [key, id] of Object.entries(notices)) if (fresh(id)) document.getElementById(id).checked = Boolean(view.form.notices?.[key]);
  text("config-file", view.configNote);
  if (fresh("github-token")) document.getElementById("github-token").value = "";
  text("token-status", view.tokenStored ? "A token is stored in the keyring; type a new one to replace it." : "No token stored yet.");
  showBackend();
  const escalations = document.getElementById("escalations-problem");
  escalations.hidden = !view.escalationsProblem;
  escalations.textContent = view.escalationsProblem ? `⚠ ${view.escalationsProblem}` : "";
  const problem = document.getElementById("shortcut-problem");
  problem.hidden = !view.shortcutProblem;
  problem.textContent = view.shortcutProblem ?? "";
}

/** The timezone fields offer every IANA name (the viewer's also "auto"); Rust refuses others. */
async function loadZones() {
  const names = await api.timezones();
  fill("zones", names.map((n) => el("option", { value: n })));
  fill("viewer-zones", ["auto", ...names].map((n) => el("option", { value: n })));
}

const saveButton = document.getElementById("save");
let saving = false;

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  // One save at a time: Enter or Ctrl+S again while one is under way does nothing.
  if (saving) return;
  saving = true;
  saveButton.disabled = true;
  try {
    await save();
  } finally {
    saving = false;
    saveButton.disabled = false;
  }
});

async function save() {
  clearErrors();
  text("save-status", "Checking…");
  const values = {};
  for (const [key, id] of Object.entries(fields)) {
    const raw = document.getElementById(id).value.trim();
    values[key] = numbers.has(key) ? Number(raw) || 0 : raw;
  }
  values.startAtLogin = document.getElementById("start-at-login").checked;
  values.notices = Object.fromEntries(Object.entries(notices).map(([key, id]) => [key, document.getElementById(id).checked]));
  values.githubToken = document.getElementById("github-token").value;
  values.slackSync = document.getElementById("slack-sync").checked;
  values.slackToken = document.getElementById("slack-token").value;
  try {
    const saved = await api.saveSettings(values);
    touched.clear();
    await load();
    text("save-status", saved.configFile ? `Saved to ${saved.configFile}.` : "Saved.");
  } catch (error) {
    const errors = error?.errors ?? [error];
    // A config file that does not parse: its own error and line, beside Save.
    const unreadable = errors.find((e) => e.code === "config_unreadable");
    errors.filter((e) => e !== unreadable).forEach(showError);
    text("save-status", unreadable ? `Not saved: ${unreadable.message}` : "Not saved: fix the fields marked.");
    const first = errors.find((e) => e.field);
    if (first) document.getElementById(first.field)?.focus();
  }
}

document.addEventListener("keydown", (event) => {
  if ((event.key === "Escape" || event.key === "Enter") && forSuggestions(event.target)) return;
  const ctrlS = (event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "s";
  // Enter in a field saves too (a select or a checkbox does not submit a form by itself).
  const enter = event.key === "Enter" && !event.isComposing && event.target.matches?.("input:not([type=checkbox]), select");
  if (ctrlS || enter) {
    event.preventDefault();
    form.requestSubmit();
    return;
  }
  if (event.key === "Escape") {
    event.preventDefault();
    api.closeWindow();
  }
});

// The first field has the keyboard from the start (focused here: see escalate.js's start).
document.getElementById("me").focus();
Promise.all([load(), loadZones()]).then(api.windowReady).catch((error) => showError({ message: error?.message ?? String(error) }));
