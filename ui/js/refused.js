// The escalate window's "Refused — fix and resend" section: each escalation the
// backend refused, with the backend's own reason, its title and details to edit, Resend and
// Discard. Everything from outside is text (dom.js). Kept apart from escalate.js, which files
// new escalations.
import * as api from "./api.js";
import { el, fill, show } from "./dom.js";

function item(r) {
  const key = r.key;
  const title = el("input", { id: `refused-title-${key}`, value: r.title, autocomplete: "off" });
  const details = el("textarea", { id: `refused-details-${key}`, rows: 2, value: r.details });
  const status = el("span", { role: "status", "aria-live": "polite", class: "refused-status" });
  const resend = el("button", { type: "button" }, "Resend");
  const discard = el("button", { type: "button", class: "secondary" }, "Discard");
  resend.addEventListener("click", async () => {
    status.textContent = "Sending…";
    const filing = {
      title: title.value,
      customer: r.customer ?? null,
      severity: r.severity,
      url: r.url ?? null,
      details: details.value,
      assignee: r.assignee ?? null,
    };
    try {
      const filed = await api.resendEscalation(key, filing);
      status.textContent = filed.message;
      await load();
    } catch (error) {
      const errors = error?.errors ?? [error];
      status.textContent = `Not sent: ${errors.map((e) => e.message).join("; ")}`;
    }
  });
  discard.addEventListener("click", async () => {
    try {
      await api.discardEscalation(key);
      await load();
    } catch (error) {
      status.textContent = error?.message ?? String(error);
    }
  });
  return el(
    "article",
    { class: "refused-item", "data-key": key },
    el("p", { class: "reason", role: "alert" }, `${r.refusedBy}: ${r.reason}`),
    el("label", {}, "Title ", title),
    el("label", {}, "Details ", details),
    el("div", { class: "actions" }, resend, discard, status),
  );
}

async function load() {
  const refused = await api.refusedEscalations();
  show("refused", refused.length > 0);
  fill("refused-list", refused.map(item));
}

load().catch((error) => console.error("rota: refused escalations", error));
