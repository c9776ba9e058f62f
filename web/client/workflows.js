// Alerts page, workflows section: redraws the workflow states, the approvals waiting and the
// audit log from /api/workflows and /api/audit every 5 s (and after a click, once the action is
// answered: queued behind a poll in flight, never skipped), so that a decision or an action that
// happens while the page is open shows without a reload. Approve and Roll back post JSON to
// /api/workflows/* (a fetch from the app's own origin passes the origin check). Everything from
// the server (workflow names, the why, the what, process names) goes in as text, never as HTML:
// the why quotes alert labels, which come from pushed samples (their controls shown escaped).
import { formatTime, formatValue } from "/assets/format.js";
import { visible } from "/assets/bidi.js";

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
    return outcome + (e.durationMs === undefined ? "" : ` (${formatValue(e.durationMs, "ms")})`);
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
        ` — ${visible(p.why)} (expires ${formatTime(p.expiresAt, { seconds: true })}) `,
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
      // null for a step that changes no setting (compact, train, command): nothing to show
      const change = e.old == null && e.new == null ? "" : `${e.old ?? "—"} → ${e.new ?? "—"}`;
      tr.append(
        el("td", formatTime(e.startedAt, { seconds: true })),
        el("td", e.workflow, { class: "wrap" }),
        el("td", visible(e.what), { class: "wrap" }),
        el("td", visible(e.why), { class: "wrap" }),
        el("td", visible(change), { class: "wrap" }),
        el("td", e.mode),
        el("td", outcomeText(e), { title: visible(e.detail) }),
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

  // One load at a time. A refresh asked for while one is in flight runs after it (one queued,
  // shared by every caller meanwhile), so the refresh after a click always reads the state after
  // the action. A load that started before the latest action draws nothing: its answer may
  // predate the action and would bring the handled approval back for a moment.
  let inflight = null;
  let queued = null;
  let actions = 0;

  async function load() {
    const seen = actions;
    try {
      const [audit, state] = await Promise.all([
        get(`/api/audit?since=7d&limit=${SHOWN}`),
        get("/api/workflows"),
      ]);
      if (seen !== actions) return;
      const workflows = state.workflows ?? [];
      drawSummary(workflows);
      drawApprovals(state.pending ?? []);
      drawLog(audit.entries ?? [], new Set(workflows.flatMap((w) => w.reversible ?? [])));
    } catch (e) {
      if (status) status.textContent = "Could not refresh the audit log: " + e.message;
    }
  }

  function refresh() {
    if (!log) return Promise.resolve();
    if (!inflight) {
      inflight = load().finally(() => inflight = null);
      return inflight;
    }
    queued ??= inflight.then(() => {
      queued = null;
      return refresh();
    });
    return queued;
  }

  // the 5 s poll: skipped while a load runs or the tab is hidden (it catches up on the next tick)
  function tick() {
    if (!inflight && !document.hidden) refresh();
  }

  function answerText(approve, body) {
    if (body.already) {
      const by = body.already.who.replace(/^approver:/, "");
      const when = formatTime(body.already.at, { seconds: true });
      return approve
        ? `Already approved: ${body.workflow} (by ${by} at ${when}); nothing ran twice`
        : `Already ${body.result} (by ${by} at ${when}); nothing was done twice`;
    }
    if (approve) return `Approved: ${body.workflow}${body.next ? `; ${body.next}` : ""}`;
    return `Roll back: ${body.result}`;
  }

  document.addEventListener("click", async function (event) {
    const button = event.target instanceof Element ? event.target.closest("button") : null;
    if (!button) return;
    const id = button.dataset.approve ?? button.dataset.rollback;
    if (!id) return;
    const approve = button.dataset.approve !== undefined;
    const path = approve ? "/api/workflows/approve" : "/api/workflows/rollback";
    button.disabled = true;
    actions++;
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
      } else if (status) status.textContent = answerText(approve, body);
    } catch (e) {
      if (status) status.textContent = "Failed: " + e.message;
      button.disabled = false;
    }
    // loads that started during the POST may have read the state before the action: dropped too
    actions++;
    await refresh();
  });

  setInterval(tick, 5000);
})();
