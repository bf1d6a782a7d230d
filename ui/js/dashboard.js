import * as api from "./api.js";
import { el, fill, text, show, update } from "./dom.js";
import { showEscalation } from "./escalations.js";
import { renderPlan } from "./plan.js";

function card(e) {
  return el("article", { class: `engineer status-${e.status}${e.you ? " me" : ""}`, "data-handle": e.handle, "data-key": e.handle, tabindex: 0 },
    el("h3", { class: "name" }, e.name,
      e.you ? el("span", { class: "you" }, " (you)") : null,
      " ",
      el("span", { class: "handle" }, e.handleLabel)),
    e.covering ? el("p", { class: "covering" }, e.covering) : null,
    el("p", { class: "clock" },
      el("span", { class: "local-time" }, e.localTime ?? "—")),
    el("p", { class: "zone", title: [e.timezone, e.utcOffset && `UTC${e.utcOffset}`].filter(Boolean).join(", ") }, e.zone ?? "timezone unknown"),
    el("p", { class: "status", "data-status": e.status }, e.statusLabel),
    e.note ? el("p", { class: "note" }, e.note) : null);
}

/** Brings one engineer's card into view and gives it the focus (a person's line in the tray). */
function showCard(handle) {
  const found = [...document.querySelectorAll("#on-duty .engineer")].find((c) => c.dataset.handle === handle);
  if (!found) return;
  found.scrollIntoView({ block: "center" });
  found.focus({ preventScroll: true });
}

function coverage(c) {
  const hours = Array.from({ length: 24 }, (_, h) =>
    el("th", { scope: "col", class: h === c.nowHour ? "now" : null }, String(h).padStart(2, "0")));
  const rows = c.days.map((day) => el("tr", {},
    el("th", { scope: "row" }, day.label),
    day.cells.map((cell) => cell === null
      ? el("td", { class: "skipped", title: "skipped by a clock change" }, "")
      : el("td", {
        class: [cell.gap ? "gap" : `covered n${Math.min(cell.count, 3)}`, cell.now ? "now" : ""].join(" ").trim(),
        title: (cell.now ? "now: " : "") + (cell.gap ? "nobody working" : cell.names),
        "aria-current": cell.now ? "time" : null,
      }, cell.gap ? "·" : String(cell.count)))));
  return [
    el("caption", {}, c.title),
    el("thead", {}, el("tr", {}, el("th", {}, ""), hours)),
    el("tbody", {}, rows),
  ];
}

async function render() {
  const view = await api.dashboard();
  show("demo", Boolean(view.demo));
  text("demo", view.demo);
  show("error", view.problems.length > 0);
  fill("error", view.problems.map((p) => el("p", {}, p)), view.problems.length ? el("p", { class: "hint" }, "Showing the last good schedule.") : null);
  text("rotation-header", view.header);
  text("summary", view.summary);
  show("me-line", Boolean(view.me));
  text("me-line", view.me);
  text("viewer-time", view.viewerTime);
  text("viewer-zone", view.viewerZone);
  update("on-duty", view.onDuty.length ? view.onDuty.map(card) : [el("p", { class: "empty" }, "Nobody is on rotation right now.")]);
  // A person's line in the tray: their card.
  if (view.focus?.person) showCard(view.focus.person);
  // A notification clicked: its escalation's row.
  if (view.focus?.escalation) showEscalation(view.focus.escalation);
  text("next-handoff", view.nextHandoff ?? "Nothing scheduled after this.");
  update("timeline", view.timeline.map((r) => el("li", { class: `rotation ${r.when}`, "data-when": r.when, "data-key": r.label, tabindex: 0 },
    el("span", { class: "dates" }, r.label),
    el("span", { class: "who" }, r.engineers),
    r.coverings.length ? el("ul", { class: "coverings", "aria-label": "Covering" },
      r.coverings.map((c) => el("li", { class: "covering-row" }, c))) : null)));
  update("coverage", coverage(view.coverage));
  text("gap-summary", view.coverage.gapSummary);
  renderPlan(view.plan, coverage);
  update("findings", view.findings.length
    ? view.findings.map((f) => el("li", { class: `finding ${f.severity}`, "data-severity": f.severity, "data-key": `${f.place} ${f.message}`, tabindex: 0 },
      el("span", { class: "where" }, f.place), f.message))
    : [el("li", { class: "finding none" }, "No findings: the schedule keeps the program's rules.")]);
  document.getElementById("calendar-mine").disabled = !view.knowsMe;
  // How many views this page has shown: a refresh is seen to have happened (scripts, tests).
  document.body.dataset.shown = String(Number(document.body.dataset.shown ?? 0) + 1);
}

document.getElementById("open-settings").addEventListener("click", () => api.openWindow("settings"));
document.getElementById("open-escalate").addEventListener("click", () => api.openWindow("escalate"));
document.getElementById("add-to-calendar").addEventListener("click", async () => {
  try {
    const saved = await api.addToCalendar(document.getElementById("calendar-mine").checked);
    text("calendar-status", saved ? `Saved to ${saved}: import it into your calendar.` : "");
  } catch (error) {
    text("calendar-status", `Not saved: ${error?.message ?? String(error)}`);
  }
});
api.onChanged(() => render().catch(report));
render().then(api.windowReady).catch(report);

function report(error) {
  show("error", true);
  fill("error", el("p", {}, error?.message ?? String(error)));
}

document.addEventListener("keydown", (event) => {
  if (event.key === "Escape") {
    event.preventDefault();
    api.closeWindow();
  }
});
