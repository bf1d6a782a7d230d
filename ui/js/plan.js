// The dashboard's "Fill N open seats…" panel: the candidates with the gap hours each closes, the
// coverage grid with the picks added, and "Copy row". Everything shown is the Rust side's words.
import { el, text, show, update } from "./dom.js";

/** The row on the clipboard: the Clipboard API, or a selected text area where it is missing. */
async function copy(value) {
  try {
    await navigator.clipboard.writeText(value);
    return true;
  } catch (_) {
    const area = el("textarea", { class: "offscreen", readOnly: true });
    area.value = value;
    document.body.append(area);
    area.select();
    const copied = document.execCommand("copy");
    area.remove();
    return copied;
  }
}

let row = "";

/** Shows `plan` (null when no rotation coming has an open seat); `grid` draws a coverage table. */
export function renderPlan(plan, grid) {
  show("plan-section", Boolean(plan));
  if (!plan) return;
  row = plan.row;
  const section = document.getElementById("plan-section");
  // Another rotation: the panel starts closed again.
  if (section.dataset.start !== plan.start) {
    section.dataset.start = plan.start;
    open(false);
    text("copy-status", "");
  }
  text("fill-seats", plan.button);
  text("plan-rotation", plan.rotation);
  text("plan-gap", plan.gap);
  update("plan-candidates", plan.candidates.map((c) =>
    el("li", { class: `candidate${c.picked ? " picked" : ""}`, "data-key": c.handle, "data-handle": c.handle },
      el("span", { class: "who" }, c.name, " ", el("span", { class: "handle" }, c.handleLabel)),
      el("span", { class: "zone" }, c.timezone ?? "timezone unknown"),
      el("span", { class: "closes", title: "weekday gap hours a week closed" }, `${c.closes} h`),
      el("span", { class: "reason" }, c.reason))));
  text("plan-picks", plan.picks);
  update("plan-coverage", grid(plan.coverage));
  text("plan-row", plan.row);
}

function open(opened) {
  show("plan", opened);
  document.getElementById("fill-seats").setAttribute("aria-expanded", String(opened));
}

document.getElementById("fill-seats").addEventListener("click", () => open(document.getElementById("plan").hidden));
document.getElementById("copy-row").addEventListener("click", async () => {
  const copied = await copy(row);
  text("copy-status", copied ? "Copied: paste it in place of the rotation's row." : "Not copied: select the row and copy it.");
});
