// Alerts page, workflows section: redraws the workflow states, the approvals waiting and the
// audit log from /api/workflows and /api/audit every 5 s (and at once after a click), so that a
// decision or an action that happens while the page is open shows without a reload. Approve and
// Roll back post JSON to /api/workflows/* (a fetch from the app's own origin passes the origin
// check). Everything from the server (workflow names, the why, the what, process names) goes in
// as text, never as HTML: the why quotes alert labels, which come from pushed samples.
import { formatTime } from "/assets/format.js";

(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const status = $("workflows-status");
  const summary = $("workflows-summary");
  const approvals = $("workflows-approvals");
  const log = $("audit-log");
  // the newest entries shown, as the server-rendered fragment shows them
  const SHOWN = 100;

  function el(tag, text, attrs) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    for (const [k, v] of Object.entries(attrs ?? {})) node.setAttribute(k, v);
    return node;
  }

  function outcomeText(e) {
    const outcome = e.outcome === "unknown" ? "started, outcome unknown" : e.outcome;
    return outcome + (e.durationMs === undefined ? "" : ` (${e.durationMs} ms)`);
  }

  function drawSummary(workflows) {
    if (workflows.length === 0) return summary.replaceChildren();
    const p = el("p");
    for (const w of workflows) {
      p.append(
        el(
          "span",
          `${w.name}: ${
            w.enabled ? "enabled" : "dry run"
          }, ${w.actionsLastHour}/${w.maxActionsPerHour} actions this hour${
            w.running ? ", running" : ""
          }`,
          { class: "chip" },
        ),
        " ",
      );
    }
    summary.replaceChildren(p);
  }

  function drawApprovals(pending) {
    if (pending.length === 0) return approvals.replaceChildren();
    const ul = el("ul", null, { class: "approvals" });
    for (const p of pending) {
      const li = el("li");
      li.append(
        el("strong", p.workflow),
        ` — ${p.why} (expires ${formatTime(p.expiresAt, { seconds: true })}) `,
        el("button", "Approve", { type: "button", "data-approve": p.id }),
      );
      ul.append(li);
    }
    approvals.replaceChildren(el("h3", "Waiting for approval"), ul);
  }

  function drawLog(entries, reversible) {
    const shown = entries.slice(0, SHOWN);
    if (shown.length === 0) {
      const p = el("p", null, { class: "empty" });
      p.append(
        "No workflow decisions or actions yet. Workflows run dry (advice only) until ",
        el("code", "enabled: true"),
        ".",
      );
      return log.replaceChildren(p);
    }
    const table = el("table", null, { class: "audit-log" });
    const head = el("tr");
    for (const h of ["Time (UTC)", "Workflow", "What", "Why", "Old → new", "Mode", "Outcome", ""]) {
      head.append(el("th", h));
    }
    table.createTHead().append(head);
    const tbody = table.createTBody();
    for (const e of shown) {
      const tr = el("tr", null, { class: `outcome-${e.outcome}`, "data-id": e.id });
      const change = e.old === undefined && e.new === undefined
        ? ""
        : `${e.old ?? "—"} → ${e.new ?? "—"}`;
      tr.append(
        el("td", formatTime(e.startedAt, { seconds: true })),
        el("td", e.workflow),
        el("td", e.what),
        el("td", e.why),
        el("td", change),
        el("td", e.mode),
        el("td", outcomeText(e), { title: e.detail ?? "" }),
      );
      const last = el("td");
      if (reversible.has(e.id)) {
        last.append(el("button", "Roll back", { type: "button", "data-rollback": e.id }));
      }
      tr.append(last);
      tbody.append(tr);
    }
    log.replaceChildren(table);
  }

  async function get(url) {
    const res = await fetch(url);
    const body = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(body.error ?? `${res.status} ${res.statusText}`);
    return body;
  }

  let busy = false;
  async function refresh() {
    // one refresh at a time; a hidden tab waits for the next tick after it shows again
    if (busy || !log || document.hidden) return;
    busy = true;
    try {
      const [audit, state] = await Promise.all([
        get(`/api/audit?since=7d&limit=${SHOWN}`),
        get("/api/workflows"),
      ]);
      const workflows = state.workflows ?? [];
      drawSummary(workflows);
      drawApprovals(state.pending ?? []);
      drawLog(audit.entries ?? [], new Set(workflows.flatMap((w) => w.reversible ?? [])));
    } catch (e) {
      if (status) status.textContent = "Could not refresh the audit log: " + e.message;
    } finally {
      busy = false;
    }
  }

  document.addEventListener("click", async function (event) {
    const button = event.target instanceof Element ? event.target.closest("button") : null;
    if (!button) return;
    const id = button.dataset.approve ?? button.dataset.rollback;
    if (!id) return;
    const path = button.dataset.approve ? "/api/workflows/approve" : "/api/workflows/rollback";
    button.disabled = true;
    try {
      const res = await fetch(path, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ id: id }),
      });
      const body = await res.json().catch(() => ({}));
      if (!res.ok) {
        if (status) status.textContent = body.error ?? res.status + " " + res.statusText;
        button.disabled = false;
        return;
      }
      if (status) {
        status.textContent = body.approved
          ? `Approved: ${body.workflow}`
          : `Roll back: ${body.result}`;
      }
    } catch (e) {
      if (status) status.textContent = "Failed: " + e.message;
      button.disabled = false;
    }
    await refresh();
  });

  setInterval(refresh, 5000);
})();
