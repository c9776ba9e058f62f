/**
 * The audit log and the pending approvals as an HTML fragment, for the Alerts page: who did what
 * and why, old → new, dry run or real, outcome (an action whose process died shows as "started,
 * outcome unknown"), with Approve buttons for waiting actions and Roll back for reversible ones.
 * The buttons post JSON from `/assets/workflows.js` (no inline script under the CSP), which also
 * redraws the section from `/api/audit` and `/api/workflows` every few seconds, so that a new
 * decision or action shows without a reload.
 *
 * @module
 */
import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import { escapeControls as visible, formatTime, formatValue } from "../../format/mod.ts";
import {
  type AuditEntry,
  AuditLog,
  type PendingApproval,
  type Workflows,
  type WorkflowStatus,
} from "../../workflows/mod.ts";

/** What {@linkcode auditSection} shows. */
export interface AuditSectionData {
  /** Audit entries, newest first (the first 100 are shown). */
  entries: readonly AuditEntry[];
  /** Actions waiting for approval. Default none. */
  pending?: readonly PendingApproval[];
  /** Workflow states (for the dry-run/enabled summary and rollbacks). Default none. */
  workflows?: readonly WorkflowStatus[];
}

function isEntries(x: AuditSectionData | readonly AuditEntry[]): x is readonly AuditEntry[] {
  return Array.isArray(x);
}

// the same words as workflows.js, which redraws the table from /api/audit; the time taken as the
// Schedule table above prints it (`1.47 s`, not `1471 ms`)
function outcomeText(e: AuditEntry): string {
  const outcome = e.outcome === "unknown" ? "started, outcome unknown" : e.outcome;
  return outcome + (e.durationMs === undefined ? "" : ` (${formatValue(e.durationMs, "ms")})`);
}

// a step that changes no setting (compact, train, report, command, webhook) is stored with
// `old: null, new: null`: no change to show, not "— → —"
function changeText(e: AuditEntry): string {
  return e.old == null && e.new == null ? "" : `${e.old ?? "—"} → ${e.new ?? "—"}`;
}

/**
 * Renders the fragment.
 *
 * @param input Entries, pending approvals, workflow states; or just the entries (newest first).
 * @returns The HTML (escaped).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { auditSection } from "./_audit_section.ts";
 * const html = String(await auditSection({ entries: [{ id: "1", ts: 0, startedAt: 0, phase: "started",
 *   workflow: "w", who: "workflow:w", what: "renice pid 42 (x) nice 0 → 10", why: "alert A", mode: "real",
 *   host: "h", pid: 1, outcome: "unknown" }] }));
 * assert.match(html, /started, outcome unknown/);
 * assert.match(html, /renice pid 42 \(x\) nice 0 → 10/);
 * ```
 */
export function auditSection(
  input: AuditSectionData | readonly AuditEntry[],
): HtmlEscapedString | Promise<HtmlEscapedString> {
  const data: AuditSectionData = isEntries(input) ? { entries: input } : input;
  const pending = data.pending ?? [];
  const reversible = new Set((data.workflows ?? []).flatMap((w) => w.reversible));
  const workflows = data.workflows ?? [];
  const shown = data.entries.slice(0, 100);
  return html`
    <section id="workflows" class="audit">
      <h2>Workflows and audit log</h2>
      <div id="workflows-summary">${workflows.length
        ? html`<p>${
          workflows.map((w) =>
            html`
              <span
                class="chip">${w.name}: ${w.enabled ? "enabled" : "dry run"}, ${w
                  .actionsLastHour}/${w.maxActionsPerHour} actions this hour${w.running
                  ? ", running"
                  : ""}</span>
            `
          )
        }</p>`
        : ""}</div>
      <div id="workflows-approvals">${pending.length
        ? html`
          <h3>Waiting for approval</h3>
          <ul class="approvals">${pending.map((p) =>
            html`<li><strong>${p.workflow}</strong> — ${visible(p.why)} (expires ${
              formatTime(p.expiresAt, {
                seconds: true,
              })
            })
            <button type="button" data-approve="${p.id}">Approve</button></li>`
          )}</ul>
        `
        : ""}</div>
      <div id="audit-log">${shown.length === 0
        ? html`
          <p
            class="empty">No workflow decisions or actions yet. Workflows run dry (advice only) until <code>enabled: true</code>.</p>
        `
        : html`
          <table class="audit-log">
            <thead>
              <tr>
                <th>Time (UTC)</th>
                <th>Workflow</th>
                <th>What</th>
                <th>Why</th>
                <th>Old → new</th>
                <th>Mode</th>
                <th>Outcome</th>
                <th></th>
              </tr>
            </thead>
            <tbody>${shown.map((e) =>
              html`
                <tr class="outcome-${e.outcome}" data-id="${e.id}">
                  <td>${formatTime(e.startedAt, { seconds: true })}</td>
                  <td class="wrap">${e.workflow}</td>
                  <td class="wrap">${visible(e.what)}</td>
                  <td class="wrap">${visible(e.why)}</td>
                  <td class="wrap">${visible(changeText(e))}</td>
                  <td>${e.mode}</td>
                  <td title="${visible(e.detail ?? "")}">${outcomeText(e)}</td>
                  <td>${reversible.has(e.id)
                    ? html`<button type="button" data-rollback="${e.id}">Roll back</button>`
                    : ""}</td>
                </tr>
              `
            )}</tbody>
          </table>
        `}</div>
      <p id="workflows-status" role="status"></p>
      <script type="module" src="/assets/workflows.js"></script>
    </section>
  `;
}

/**
 * Reads the last week of the audit log and the runner's state and renders {@linkcode auditSection}.
 *
 * @param deps Lake root and the workflows runner, as the web app has them.
 * @returns The fragment.
 */
export async function loadAuditSection(
  deps: { root?: string; now?: () => number; workflows?: { workflows?: Workflows } },
): Promise<HtmlEscapedString> {
  const runner = deps.workflows?.workflows;
  const log = runner?.audit ?? new AuditLog(deps.root ?? "data");
  const since = (deps.now ?? Date.now)() - 7 * 86_400_000;
  return await auditSection({
    entries: await log.read({ since }),
    pending: runner?.pending() ?? [],
    workflows: runner?.states() ?? [],
  });
}
