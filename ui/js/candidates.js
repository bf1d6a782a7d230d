// One engineer to choose, as the quick escalate and action windows list them: a radio button
// with their name ("(you)", whom they cover for), local time, status once and the rest of the
// policy's reason ("ends in 3 h, 0 open"). All of it as text.
import { el } from "./dom.js";

/** The choice for candidate `c` (no handle: the whole rotation), checked or not. */
export function candidateOption(c, checked) {
  const id = `to-${c.handle ?? "rotation"}`;
  const input = el("input", { type: "radio", name: "assignee", id, value: c.handle ?? "", checked });
  const details = c.handle
    ? [el("span", { class: "who" }, c.name, c.you ? el("span", { class: "you" }, " (you)") : null,
          c.covering ? el("span", { class: "covering" }, ` — ${c.covering}`) : null),
       el("span", { class: "when" }, [c.localTime, c.abbreviation].filter(Boolean).join(" ")),
       el("span", { class: "status-line" },
          el("span", { class: "status", "data-status": c.status }, c.statusLabel),
          c.detail ? el("span", { class: "reason" }, c.detail) : null)]
    : [el("span", { class: "who" }, "Whole rotation"), el("span", { class: "reason" }, c.reason)];
  return el("label", { class: `candidate${c.suggested ? " suggested" : ""}`, "data-handle": c.handle ?? "" }, input, ...details);
}
