// The dashboard's Escalations panel: mine / all open / recently closed, each row with
// the actions its state allows, and the goal's chart drawn as inline SVG with DOM calls. What is
// shown and allowed is computed on the Rust side; this only draws it. Text from outside (titles,
// customers, teams) goes in as text, never as HTML.
import * as api from "./api.js";
import { candidateOption } from "./candidates.js";
import { el, fill, show, text, update } from "./dom.js";

const SVG = "http://www.w3.org/2000/svg";
const LABELS = { acknowledge: "Acknowledge", resolve: "Resolve…", engage: "Engage engineering…", reassign: "Reassign…", reopen: "Reopen" };
let view = null;
let tab = "mine";

function svg(tag, attrs = {}, content) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (content !== undefined) node.textContent = content;
  return node;
}

/** Whether a form is open: the list is not redrawn under it (the minute's refresh waits). */
function formOpen() {
  return Boolean(document.querySelector("#escalations-list .action-form"));
}

async function act(form, element) {
  try {
    await api.escalationAction(form);
    element?.remove();
    await render();
  } catch (error) {
    show("escalations-problem", true);
    text("escalations-problem", error?.message ?? String(error));
  }
}

/** Whom to reassign `row` to: the others on duty, the policy's pick first and chosen, each with
 * their local time, status and the reason, as the action window lists them. */
function takers(row) {
  if (!row.takers?.length) return [el("p", { class: "hint" }, "Nobody else is on rotation now to take it.")];
  return [el("fieldset", { class: "plain candidates" }, el("legend", {}, "To"),
    row.takers.map((c) => candidateOption(c, c.suggested)))];
}

/** The small form an action needs (resolve: a note; engage: team and link; reassign: whom). */
function actionForm(row, kind) {
  const fields = {
    resolve: [el("label", {}, "Note (optional) ", el("input", { id: "resolve-note", name: "note" }))],
    engage: [
      el("label", {}, "Team ", el("input", { id: "engage-team", name: "team", required: true, list: "engage-known-teams", autocomplete: "off" })),
      el("datalist", { id: "engage-known-teams" }, view.teams.map((t) => el("option", { value: t }))),
      el("label", {}, "Link (optional) ", el("input", { id: "engage-url", name: "url", type: "url" })),
    ],
    reassign: takers(row),
  }[kind];
  const canSend = kind !== "reassign" || row.takers?.length > 0;
  const form = el("form", { class: "action-form", "data-kind": kind, "data-id": row.id }, fields,
    canSend ? el("button", { type: "submit", class: "primary" }, LABELS[kind].replace("…", "")) : null,
    el("button", { type: "button", class: "cancel" }, "Cancel"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const { assignee, ...data } = Object.fromEntries(new FormData(form));
    if (kind === "reassign") data.to = assignee ?? "";
    act({ id: row.id, kind, ...data }, form);
  });
  form.querySelector(".cancel").addEventListener("click", () => { form.remove(); draw(); });
  form.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation(); // Esc closes the form, not the dashboard
      form.remove();
      draw();
    }
  });
  return form;
}

/** Opens the form `kind` needs under the escalation's row, its first field focused. */
function openForm(li, row, kind) {
  // One form at a time: opening another closes the last.
  document.querySelectorAll("#escalations-list .action-form").forEach((f) => f.remove());
  const form = actionForm(row, kind);
  li.append(form);
  form.scrollIntoView({ block: "nearest" }); // its buttons in sight
  (li.querySelector(".action-form input:checked") ?? li.querySelector(".action-form input, .action-form button"))?.focus();
}

function item(row) {
  const li = el("li", { class: `escalation state-${row.state}`, "data-id": row.id, "data-key": row.id, tabindex: 0 },
    el("p", { class: "title" }, row.title, row.customer ? el("span", { class: "customer" }, ` — ${row.customer}`) : null),
    el("p", { class: "meta" }, [row.severity, row.stateLabel, row.assignee ?? "the whole rotation", row.team && `team ${row.team}`, row.filed]
      .filter(Boolean).join(" · ")));
  const buttons = el("div", { class: "row-actions" },
    row.link ? el("button", { type: "button", "data-action": "open", onclick: () => api.openLink(row.link) }, "Open") : null,
    row.actions.map((kind) => el("button", {
      type: "button",
      "data-action": kind,
      onclick: (event) => {
        if (kind === "acknowledge" || kind === "reopen") return act({ id: row.id, kind });
        // The row on the page (kept across refreshes), not the one this handler was made with.
        openForm(event.currentTarget.closest("li.escalation"), row, kind);
      },
    }, LABELS[kind])));
  li.append(buttons);
  return li;
}

/** The share engaged per rotation as bars, the goal as a dashed line. */
function chart(v) {
  const W = 560, H = 160, left = 36, bottom = 36, top = 10;
  const plot = H - bottom - top;
  const y = (percent) => top + plot - (percent / v.scalePercent) * plot;
  const node = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-labelledby": "goal-chart-title", class: "goal-chart" });
  node.append(svg("title", { id: "goal-chart-title" }, `Share of escalations engaging engineering per rotation, against the ${v.goalPercent}% goal`));
  for (const p of [0, v.goalPercent, v.scalePercent]) {
    node.append(svg("text", { x: left - 4, y: y(p) + 4, "text-anchor": "end", class: "axis" }, `${p}%`));
  }
  node.append(svg("line", { x1: left, x2: W, y1: y(0), y2: y(0), class: "axis-line" }));
  const n = Math.max(v.rotations.length, 1);
  const slot = (W - left) / n;
  v.rotations.forEach((r, i) => {
    const x = left + i * slot + slot * 0.2;
    const percent = r.engagedPercent ?? 0;
    const bar = svg("rect", {
      x, y: y(percent), width: slot * 0.6, height: Math.max(y(0) - y(percent), 0),
      class: r.aboveGoal ? "bar above" : "bar", "data-percent": percent,
    });
    bar.append(svg("title", {}, `${r.label}: ${r.engaged} of ${r.filed} engaged engineering`));
    node.append(bar);
    node.append(svg("text", { x: x + slot * 0.3, y: H - bottom + 14, "text-anchor": "middle", class: "label" }, r.label));
    node.append(svg("text", { x: x + slot * 0.3, y: y(percent) - 3, "text-anchor": "middle", class: "value" },
      r.engagedPercent === null ? "–" : `${Math.round(percent)}%`));
  });
  node.append(svg("line", { x1: left, x2: W, y1: y(v.goalPercent), y2: y(v.goalPercent), class: "goal-line" }));
  node.append(svg("text", { x: W - 2, y: y(v.goalPercent) - 3, "text-anchor": "end", class: "goal" }, `goal ${v.goalPercent}%`));
  return node;
}

function times(v) {
  return el("table", { class: "times" },
    el("thead", {}, el("tr", {}, el("th", {}, "Rotation"), el("th", {}, "Filed"), el("th", {}, "Engaged"),
      el("th", {}, "Time to acknowledge"), el("th", {}, "Time to resolve"))),
    el("tbody", {}, v.rotations.map((r) => el("tr", { "data-key": r.label },
      el("th", { scope: "row" }, r.label), el("td", {}, String(r.filed)),
      // Only the share is flagged when it is above the goal, not the whole row.
      el("td", { class: r.aboveGoal ? "share above" : "share", title: r.aboveGoal ? `above the ${v.goalPercent}% goal` : null },
        `${r.engaged}${r.engagedPercent === null ? "" : ` (${Math.round(r.engagedPercent)}%)`}`),
      el("td", {}, r.timeToAck), el("td", {}, r.timeToResolve)))));
}

function draw() {
  const rows = view[tab];
  for (const b of document.querySelectorAll("#escalation-tabs button")) b.setAttribute("aria-selected", String(b.dataset.tab === tab));
  const empty = { mine: view.mineEmpty, open: "No open escalations.", closed: "Nothing closed yet." }[tab];
  // In place: the focus and the scroll stay where they were across a refresh.
  update("escalations-list", rows.length ? rows.map(item) : [el("li", { class: "empty" }, empty)]);
  update("goal-chart", view.rotations.length ? [chart(view), times(view)] : [el("p", { class: "empty" }, "No rotation has started yet.")]);
}

/** The escalation to bring into view once the panel lists it (a notification clicked). */
let wanted = null;

/** Brings escalation `id`'s row into view, on the tab that lists it, and gives it the focus. */
export function showEscalation(id) {
  wanted = id;
  if (view) reveal();
}

function reveal() {
  const on = ["mine", "open", "closed"].find((key) => view[key].some((row) => row.id === wanted));
  if (!on) return;
  tab = on;
  draw();
  const li = [...document.querySelectorAll("#escalations-list .escalation")].find((r) => r.dataset.id === wanted);
  wanted = null;
  li?.scrollIntoView({ block: "center" });
  li?.focus({ preventScroll: true });
}

async function render() {
  view = await api.escalationsPanel();
  show("escalations-problem", Boolean(view.problem));
  text("escalations-problem", view.problem);
  for (const key of ["mine", "open", "closed"]) {
    text(`count-${key}`, String(view[key].length));
  }
  if (!formOpen()) draw();
  if (wanted !== null) reveal();
}

for (const b of document.querySelectorAll("#escalation-tabs button")) {
  b.addEventListener("click", () => { tab = b.dataset.tab; draw(); });
}
api.onChanged(() => render().catch(() => {}));
render().catch((error) => {
  show("escalations-problem", true);
  text("escalations-problem", error?.message ?? String(error));
});
