// The hand-over window: the moves the Rust side planned for the next hand-off, each with the
// incoming engineers to choose from (the policy's pick chosen). Enter hands them over; Esc closes.
// Text from outside (titles, names) is set as text.
import * as api from "./api.js";
import { el, fill, show, text } from "./dom.js";

const form = document.getElementById("handover-form");
let view = null;
let sending = false;

function moveRow(m, choices) {
  const select = el("select", { name: "to", "data-id": m.id, "aria-label": `#${m.id} goes to` },
    ...choices.map((c) => el("option", { value: c.handle }, c.label)));
  select.value = m.to;
  return el("li", { class: "move", "data-id": m.id },
    el("p", { class: "title" }, `#${m.id} ${m.title}`),
    el("p", { class: "meta" }, `from ${m.from} · the policy's pick: ${m.to}, ${m.reason}`),
    el("label", {}, "To ", select));
}

function draw(v) {
  view = v;
  text("heading", v.heading);
  show("problem", Boolean(v.problem));
  text("problem", v.problem);
  fill("moves", ...v.moves.map((m) => moveRow(m, v.choices)));
  fill("kept", ...v.kept.map((k) => el("li", {}, k)));
  const ready = !v.problem && v.moves.length > 0;
  document.getElementById("submit").hidden = !ready;
  if (!v.problem && v.moves.length === 0) text("handover-status", "Nothing to hand over.");
  (form.querySelector("select") ?? document.getElementById("cancel")).focus();
  document.body.dataset.loads = String(Number(document.body.dataset.loads ?? 0) + 1);
}

async function submit() {
  if (sending || !view || view.problem || view.moves.length === 0) return;
  sending = true;
  text("handover-status", "Handing over…");
  const moves = [...form.querySelectorAll("select[name=to]")].map((s) => ({ id: s.dataset.id, to: s.value }));
  try {
    const done = await api.handOver(moves);
    fill("done", ...done.lines.map((l) => el("p", {}, l)));
    show("done", true);
    fill("moves");
    document.getElementById("submit").hidden = true;
    text("handover-status", done.failed ? `${done.failed} not handed over.` : "Handed over.");
    document.getElementById("done").focus();
  } catch (error) {
    text("handover-status", error?.message ?? String(error));
  } finally {
    sending = false;
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  submit();
});
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape") {
    event.preventDefault();
    if (!sending) api.closeWindow();
  } else if (event.key === "Enter" && event.target.id !== "cancel") {
    // Enter confirms from anywhere in the list, a choice open or not.
    event.preventDefault();
    submit();
  }
});
document.getElementById("cancel").addEventListener("click", () => api.closeWindow());
api.handoverView()
  .then(draw)
  .then(api.windowReady)
  .catch((error) => {
    show("problem", true);
    text("problem", error?.message ?? String(error));
  });
