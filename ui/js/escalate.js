import * as api from "./api.js";
import { candidateOption } from "./candidates.js";
import { clearFieldErrors, el, showFieldError, fill, show, text } from "./dom.js";

const form = document.getElementById("escalate-form");
/** The engineers listed, by handle, as the view gave them. */
let listed = new Map();

async function load() {
  const view = await api.escalateForm();
  listed = new Map(view.candidates.map((c) => [c.handle, c]));
  show("nobody", view.nobodyOnRotation);
  const whole = { handle: null, reason: "unassigned, announced to the group" };
  const options = [...view.candidates, whole];
  const suggested = view.candidates.findIndex((c) => c.suggested);
  fill("candidates", options.map((c, i) => candidateOption(c, suggested === -1 ? i === options.length - 1 : i === suggested)));
  sayPick();
}

/** What each key does where the focus is. */
function hint(target) {
  if (target?.id === "details") return "Ctrl+Enter files it · Enter adds a line · Tab goes on · Esc closes";
  if (target?.id === "severity") return "↑↓ change the severity · Enter files it · Esc closes";
  if (target?.name === "assignee") return "↑↓ pick who gets it · Enter files it · Esc closes";
  return "Enter files it · Tab goes to the next field · Esc closes";
}
form.addEventListener("focusin", (event) => text("escalate-help", hint(event.target)));

/** The engineer picked, as listed (null: the whole rotation). */
function picked() {
  const chosen = form.querySelector("input[name=assignee]:checked");
  return chosen && chosen.value ? listed.get(chosen.value) ?? null : null;
}

/** Someone picked who is not working now is said under the list, as soon as they are picked. */
function sayPick() {
  const warning = picked()?.warning;
  show("pick-warning", Boolean(warning));
  text("pick-warning", warning ?? "");
}
document.getElementById("candidates").addEventListener("change", () => {
  confirmed = null;
  sayPick();
});

/**
 * Filing to someone not working while someone else is takes a second Enter: the handle that was
 * warned about and confirmed.
 */
let confirmed = null;

function needsConfirming() {
  const pick = picked();
  if (!pick?.warning || confirmed === pick.handle) return false;
  const someoneWorking = [...listed.values()].some((c) => c.status === "working");
  if (!someoneWorking) return false;
  confirmed = pick.handle;
  text("pick-warning", `${pick.warning} Press Enter again to file to ${pick.name}.`);
  show("pick-warning", true);
  document.getElementById("pick-warning").scrollIntoView({ block: "nearest" });
  return true;
}

const clearErrors = () => clearFieldErrors(form);
const showError = (error) => showFieldError(error, (message) => document.getElementById("file-status").after(message));

let filedOnce = false;
/** Disabled while a filing is on its way: Enter pressed again meanwhile files nothing more. */
const fileButton = document.getElementById("file");

/**
 * A new client key (`rota-` and 32 hex digits), one per press of File: the same press sent twice
 * (Tauri sends a command again when the page reloads while it runs) is filed once.
 */
const newKey = () => `rota-${[...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, "0")).join("")}`;

async function submit() {
  if (filedOnce || fileButton.disabled) return;
  clearErrors();
  if (needsConfirming()) return;
  const value = (id) => document.getElementById(id).value.trim();
  const chosen = form.querySelector("input[name=assignee]:checked");
  const filing = {
    title: value("title"),
    customer: value("customer") || null,
    severity: value("severity"),
    url: value("url") || null,
    details: value("details"),
    assignee: chosen && chosen.value ? chosen.value : null,
    key: newKey(),
  };
  text("file-status", "Filing…");
  fileButton.disabled = true;
  try {
    const filed = await api.fileEscalation(filing);
    filedOnce = true;
    text("file-status", "");
    confirm(filed);
  } catch (error) {
    fileButton.disabled = false;
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
form.addEventListener("keydown", (event) => {
  if (event.key !== "Enter") return;
  const target = event.target;
  // In Details Enter adds a line and Ctrl+Enter files; on the severity and the engineers (where
  // the browser would do nothing) Enter files, as the hint says.
  const files = target.id === "details" ? event.ctrlKey || event.metaKey : target.id === "severity" || target.name === "assignee";
  if (files) {
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

/**
 * The keys typed since the shortcut, while this window was starting, replayed where a person's
 * typing would have gone, in order; a key pressed while they arrive waits its turn.
 */
async function typeAhead() {
  const late = [];
  const hold = (event) => {
    if (!isReplayable(event)) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    late.push(keyName(event));
  };
  document.addEventListener("keydown", hold, true);
  let keys = [];
  try {
    keys = await api.typedAhead();
  } catch (error) {
    console.warn("keys typed ahead", error);
  } finally {
    document.removeEventListener("keydown", hold, true);
  }
  for (const key of [...keys, ...late]) replay(key);
}

const ARROWS = ["ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight"];
const isReplayable = (e) => e.key.length === 1 ? !e.ctrlKey && !e.altKey && !e.metaKey : ["Backspace", "Tab", "Enter", "Escape", ...ARROWS].includes(e.key);
const keyName = (e) => (e.key === "Tab" && e.shiftKey ? "Shift+Tab" : e.key === "Enter" && (e.ctrlKey || e.metaKey) ? "Ctrl+Enter" : e.key);

/** The fields in Tab order, as the form shows them now. */
function tabbable() {
  return [...form.querySelectorAll("input, select, textarea, button")].filter(
    (f) => !f.disabled && f.offsetParent !== null && !(f.type === "radio" && !f.checked));
}

/**
 * Types `text` into the field `at` where its caret is, as a key would (the field's own caret: it
 * does not wait for the window to have the keyboard).
 */
function insert(at, text) {
  at.setRangeText(text, at.selectionStart, at.selectionEnd, "end");
  at.dispatchEvent(new InputEvent("input", { bubbles: true, inputType: "insertText", data: text }));
}

/** Deletes the selection in the field `at`, or the character before its caret, as Backspace. */
function deleteBack(at) {
  const [start, end] = [at.selectionStart, at.selectionEnd];
  if (start === end && start === 0) return;
  at.setRangeText("", start === end ? start - [...at.value.slice(0, start)].at(-1).length : start, end, "end");
  at.dispatchEvent(new InputEvent("input", { bubbles: true, inputType: "deleteContentBackward" }));
}

/** Does what `key` would have done had the window been there. */
function replay(key) {
  const at = document.activeElement;
  // A field with a caret (a checkbox or a radio button has none).
  const editable = (at?.tagName === "TEXTAREA" || at?.tagName === "INPUT") && at.selectionStart !== null;
  if ([...key].length === 1) {
    if (editable) insert(at, key);
  } else if (key === "Backspace") {
    if (editable) deleteBack(at);
  } else if (key === "Tab" || key === "Shift+Tab") {
    const fields = tabbable();
    const next = fields[fields.indexOf(at) + (key === "Tab" ? 1 : -1)];
    next?.focus();
  } else if (key === "Enter") {
    if (at?.tagName === "TEXTAREA") insert(at, "\n");
    else submit();
  } else if (key === "Ctrl+Enter") {
    submit();
  } else if (key === "Escape") {
    api.closeWindow();
  } else if (ARROWS.includes(key)) {
    arrow(at, editable, key === "ArrowUp" || key === "ArrowLeft" ? -1 : 1, key === "ArrowLeft" || key === "ArrowRight");
  }
}

/**
 * Does what an arrow key would have done on the field `at`: the severity's next or last choice,
 * or, sideways in a text field, the caret one character on or back. On the engineers' radio
 * buttons an arrow typed ahead is left alone for now: the suggested engineer stays picked.
 */
function arrow(at, editable, step, sideways) {
  if (at?.tagName === "SELECT") {
    const index = Math.min(Math.max(at.selectedIndex + step, 0), at.options.length - 1);
    if (index === at.selectedIndex) return;
    at.selectedIndex = index;
    at.dispatchEvent(new Event("input", { bubbles: true }));
    at.dispatchEvent(new Event("change", { bubbles: true }));
  } else if (editable && sideways) {
    const chars = [...at.value];
    // In code units, a character at a time (an emoji is two).
    const before = [...at.value.slice(0, at.selectionStart)];
    const to = Math.min(Math.max(before.length + step, 0), chars.length);
    const offset = chars.slice(0, to).join("").length;
    at.setSelectionRange(offset, offset);
  }
}

async function start() {
  // Focused by the script, never by `autofocus`: WebKit runs that at the first frame painted, and
  // in a kept window (shown again) that frame comes after the window is shown: it took the focus
  // back to the title from where the keys typed since had moved it ('Acme 3Typed right away 3').
  document.getElementById("title").focus();
  try {
    await load();
  } catch (error) {
    showError({ message: error?.message ?? String(error) });
  }
  // Shown now, laid out and focused: its first frame is the form (a hidden page paints nothing,
  // so waiting for a frame here would wait for the fallback).
  await api.windowReady();
  document.body.dataset.shown = "true"; // for scripts: the window is on screen now
  await typeAhead();
}

api.onShown(typeAhead);
start();
