/**
 * The summary section of a report: one paragraph a capacity planner can act on, the status
 * table (the tightest resources first, the rest folded) and the bottleneck ranking chart.
 *
 * @module
 */
import type { ReportData, ResourceSection } from "./report_data.ts";
import {
  escapeHtml as e,
  escapeName as n,
  formatDuration,
  formatEta,
  formatGrowth,
  formatValue,
} from "./format_value.ts";

/** Rows of the status table shown before "show all". */
export const SUMMARY_ROWS = 12;
/** Bars in the ranking chart. */
export const RANKING_BARS = 15;

/** A status badge. */
export function badge(status: string): string {
  return `<span class="badge ${e(status)}">${e(status)}</span>`;
}

/** Time to exhaustion of a resource with its interval, relative to the report's time. */
export function etaText(r: ResourceSection, data: ReportData): string {
  if (r.status === "insufficient") return `unknown: ${e(r.reason ?? "too little history")}`;
  return formatEta(r.eta, r.etaLow, r.etaHigh, data.now, data.horizonMs);
}

/** The level treated as exhaustion, e.g. `475 GiB (95 %)`. */
export function markText(r: ResourceSection): string {
  if (r.threshold === null) return "–";
  const share = r.limit ? ` (${formatValue(r.threshold / r.limit, "ratio")})` : "";
  return `${formatValue(r.threshold, r.unit)}${share}`;
}

function row(r: ResourceSection, i: number, data: ReportData): string {
  return `<tr><td class="num">${i + 1}</td><td><a href="#res-${e(r.id)}"><bdi>${
    n(r.name)
  }</bdi></a></td><td>${badge(r.severity)}${
    r.status === "insufficient" ? " insufficient" : ""
  }</td>` +
    `<td class="num">${formatValue(r.current, r.unit)} / ${formatValue(r.limit, r.unit)}</td>` +
    `<td class="num">${formatValue(r.utilization, "ratio")}</td>` +
    `<td class="num">${formatGrowth(r.growthPerDay, r.unit)}</td>` +
    `<td class="num">${markText(r)}</td><td>${etaText(r, data)}</td></tr>`;
}

function table(rows: string[]): string {
  return `<table class="status"><thead><tr><th class="num">#</th><th>Resource</th>` +
    `<th>Status</th><th class="num">Current / limit</th>` +
    `<th class="num">Used</th><th class="num">Growth</th><th class="num">Exhausted at</th>` +
    `<th>Time to exhaustion (80 % interval)</th></tr></thead>\n<tbody>\n${
      rows.join("\n")
    }\n</tbody></table>`;
}

/** The lead of a report with no resource (a new user's first run): what is missing, what an ETA
 * needs, and what to run; it said only "The lake holds no capacity series for this range". */
function emptyLead(data: ReportData): string {
  const missing = data.reason ?? "The lake holds no capacity series for this range";
  return `<strong>Not enough data yet:</strong> ${e(missing)}. A report ranks resources with a ` +
    `known limit (file systems, memory, CPU) from their samples, and a time to exhaustion needs ${
      formatDuration(data.evidence.minSpanMs)
    } of history. Keep <code>deno task serve</code> (or <code>deno task collect</code>) running ` +
    `on each host, then run <code>deno task report</code> again.`;
}

function lead(data: ReportData): string {
  const rs = data.resources;
  const top = rs[0];
  if (!top) return emptyLead(data);
  const horizon = formatDuration(data.horizonMs);
  if (data.status === "insufficient") {
    return `<strong>Too little history for times to exhaustion:</strong> ${
      e(data.reason ?? "")
    }. Every resource's severity is unknown until then; the current levels below are facts, not forecasts.`;
  }
  if (top.eta === null) {
    const fullest = rs.reduce((a, b) => ((b.utilization ?? -1) > (a.utilization ?? -1) ? b : a));
    return `No resource reaches its exhaustion mark within ${horizon}. The fullest is <strong><bdi>${
      n(fullest.name)
    }</bdi></strong> at ${formatValue(fullest.utilization, "ratio")} of its limit.`;
  }
  const soon = rs.filter((r) => r.eta !== null).length;
  return `<strong><bdi>${n(top.name)}</bdi></strong> runs out first: ${
    formatValue(top.utilization, "ratio")
  } used, growing ${formatGrowth(top.growthPerDay, top.unit)}, it reaches ${markText(top)} ${
    etaText(top, data)
  }. ${soon} resource${soon === 1 ? " reaches its" : "s reach their"} mark within ${horizon}.`;
}

/**
 * Renders the summary section.
 *
 * @param data The report.
 * @returns The section's HTML.
 */
export function renderSummary(data: ReportData): string {
  const rs = data.resources;
  const count = (s: string) => rs.filter((r) => r.severity === s).length;
  const rows = rs.map((r, i) => row(r, i, data));
  const rest = rows.length > SUMMARY_ROWS
    // 13 resources read "Show the other 1 resources"
    ? `\n<details class="more"><summary>Show the other ${rows.length - SUMMARY_ROWS} resource${
      rows.length - SUMMARY_ROWS === 1 ? "" : "s"
    }</summary>\n${table(rows.slice(SUMMARY_ROWS))}\n</details>`
    : "";
  const ranked = rs.filter((r) => r.utilization !== null).length;
  return `<section id="summary"><h2>Summary</h2>
<p class="counts">${rs.length} resource${rs.length === 1 ? "" : "s"} on ${data.hosts.length} host${
    data.hosts.length === 1 ? "" : "s"
  }: ${badge("critical")} ${count("critical")} ${badge("warning")} ${count("warning")} ${
    badge("ok")
  } ${count("ok")}${count("unknown") ? ` ${badge("unknown")} ${count("unknown")}` : ""}</p>
<p class="lead">${lead(data)}</p>
${rows.length ? table(rows.slice(0, SUMMARY_ROWS)) : ""}${rest}
<p class="muted">Exhaustion marks: 95 % of a file system's size, inodes or memory; a run queue of
one process per core; 90 % of the connection limit. Intervals are 80 % bootstrap intervals.</p>
<h3 id="bottlenecks">Bottleneck ranking</h3>
${
    ranked
      ? `<figure class="chart" id="chart-ranking" data-chart="ranking" data-resource="">` +
        `<div class="plot"></div><figcaption>Utilization of the ${
          Math.min(RANKING_BARS, ranked)
        } tightest of ${ranked} resources, in ranking order (soonest exhaustion first); ` +
        `the dashed rule is 100 % of the limit.</figcaption></figure>`
      : '<p class="muted">No resource has a known limit.</p>'
  }
</section>`;
}
