/**
 * The "Hosts by group" section of a fleet report: for each external label the hosts carry
 * (`env`, `dc`, `role`…), one table with a row per value: hosts, resources by severity and the
 * group's most pressing resources. Absent when the source gave no group labels (the lake).
 *
 * @module
 */
import { groupLabels, hostGroupsBy } from "../analytics/mod.ts";
import type { ReportData } from "./report_data.ts";
import { escapeHtml as e, escapeName as n } from "./format_value.ts";
import { badge, etaText } from "./render_summary.ts";

/** Most pressing resources named per group. */
const GROUP_TOP = 3;

/**
 * Renders the section (empty text when the hosts have no group labels).
 *
 * @param data The report.
 * @returns The section's HTML.
 */
export function renderGroups(data: ReportData): string {
  const labels = groupLabels(data);
  if (labels.length === 0) return "";
  const byId = new Map(data.resources.map((r) => [r.id, r]));
  const tables = labels.map((label) => {
    const rows = hostGroupsBy(data, label, { top: GROUP_TOP }).map((g) => {
      const s = g.severity;
      const worst = g.ranking.map((id) => byId.get(id)!).map((r) =>
        `<li><a href="#res-${e(r.id)}"><bdi>${n(r.name)}</bdi></a> ${badge(r.severity)} ${
          etaText(r, data)
        }</li>`
      ).join("");
      return `<tr data-group="${e(label)}=${e(g.value)}"><td>${n(g.value)}</td>` +
        `<td class="num">${g.hosts.length}</td><td class="num">${g.resources}</td>` +
        `<td class="num">${s.critical}</td><td class="num">${s.warning}</td>` +
        `<td class="num">${s.ok}</td><td class="num">${s.unknown}</td>` +
        `<td class="num">${g.withEta}</td><td><ol class="group-top">${worst}</ol>` +
        `<details class="more"><summary>${g.hosts.length} host${
          g.hosts.length === 1 ? "" : "s"
        }</summary>${g.hosts.map((h) => `<bdi>${n(h)}</bdi>`).join(", ")}</details></td></tr>`;
    });
    return `<h3 id="group-${e(label)}">By ${e(label)}</h3>
<table class="status groups"><thead><tr><th>${e(label)}</th><th class="num">Hosts</th>` +
      `<th class="num">Resources</th><th class="num">Critical</th><th class="num">Warning</th>` +
      `<th class="num">OK</th><th class="num">Unknown</th><th class="num">With ETA</th>` +
      `<th>Most pressing</th></tr></thead>\n<tbody>\n${rows.join("\n")}\n</tbody></table>`;
  });
  return `<section id="groups"><h2>Hosts by group</h2>
<p class="muted">The fleet's hosts grouped by their external labels (${
    labels.map((l) => `<code>${e(l)}</code>`).join(", ")
  }), each group ranked as the whole fleet is (soonest exhaustion first).</p>
${tables.join("\n")}
</section>`;
}
