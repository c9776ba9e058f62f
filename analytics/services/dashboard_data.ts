/**
 * The data of one dashboard panel from the config: a metric's series (filtered by labels) or the
 * result of the panel's read-only SQL, shaped for a chart, a table or a single number. The web
 * app and the offline report draw the same data.
 *
 * @module
 */
import { metricInfo, parseLabels } from "../../collectors/mod.ts";
import type { Lake } from "../../lake/mod.ts";
import { appMetricInfo, pushedUnit } from "../../receivers/mod.ts";

/** A panel as configured (see `config/schema_dashboards.ts`). */
export interface PanelSpec {
  title: string;
  metric?: string | undefined;
  labels?: Record<string, string> | undefined;
  host?: string | undefined;
  sql?: string | undefined;
  kind?: "line" | "area" | "bar" | "table" | "number" | undefined;
  /** Unit of the values; default the unit the metric's source declared (`# UNIT`, OTLP unit,
   * as the app-metric registry knows it), else none. */
  unit?: string | undefined;
  thresholds?: number[] | undefined;
  /** Time range, ms; default 15 minutes. */
  range?: number | undefined;
}

/** A SQL result: column names and rows (timestamps may come as ISO text). */
export interface SqlTable {
  /** Names, and DuckDB's type where the runner gives it (the SQL sandbox does). */
  columns: { name: string; type?: string }[];
  rows: unknown[][];
}

/** A panel's data. */
export interface PanelData {
  title: string;
  kind: "line" | "area" | "bar" | "table" | "number";
  unit: string;
  thresholds: number[];
  from: number;
  to: number;
  /** Chart series: one per matching series (metric panels) or per `name` (SQL panels). */
  series: { name: string; ts: number[]; values: (number | null)[] }[];
  /** The rows of a SQL panel (null for metric panels). */
  table: { columns: string[]; rows: unknown[][] } | null;
  /** The newest finite value (a number panel's figure). */
  last: number | null;
  /** Why the panel has no data (a failed query's message, or none matching). */
  error: string | null;
}

/** Options of {@linkcode panelData}. */
export interface PanelDataOptions {
  /** End of the range, ms. */
  now: number;
  /** Runs a panel's SQL read-only (the web app's sandbox); default the lake's own connection. */
  runSql?: (sql: string) => Promise<SqlTable>;
  /** Most points per series; default 600. */
  maxPoints?: number;
}

/**
 * Reads a panel's data. A failing SQL query is reported in `error`, not thrown, so one bad
 * panel leaves the others of its dashboard standing.
 *
 * @param lake The lake (metric panels, and SQL panels without `runSql`).
 * @param panel The panel.
 * @param options Time, SQL runner and resolution.
 * @returns The data.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openLake, writeSamples } from "../../lake/mod.ts";
 * import { panelData } from "./dashboard_data.ts";
 * const root = Deno.makeTempDirSync();
 * const t = Date.UTC(2024, 0, 1);
 * writeSamples([1, 2, 3].map((v, i) => ({ ts: t + i * 1000, host: "h", metric: "m", labels: { a: "x" }, value: v })), { root, id: t });
 * const lake = await openLake({ root });
 * const d = await panelData(lake, { title: "M", metric: "m", labels: { a: "x" }, kind: "number" }, { now: t + 3000 });
 * assert.equal(d.last, 3);
 * lake.close();
 * ```
 */
export async function panelData(
  lake: Lake,
  panel: PanelSpec,
  options: PanelDataOptions,
): Promise<PanelData> {
  const to = options.now + 1;
  const from = options.now - (panel.range ?? 900_000);
  const base: PanelData = {
    title: panel.title,
    kind: panel.kind ?? "line",
    // a metric panel without a unit takes the metric's own: a built-in one's from the
    // collectors' registry (disk writes read "20 M" without it), an application metric's as
    // its source declared it, a pushed one's from its name, as Explore's axis does
    unit: panel.unit ?? (panel.metric === undefined ? "" : metricUnit(panel.metric)),
    thresholds: panel.thresholds ?? [],
    from,
    to,
    series: [],
    table: null,
    last: null,
    error: null,
  };
  if (panel.sql !== undefined) return await sqlPanel(lake, panel.sql, base, options);
  const got = await lake.seriesMany({
    metric: panel.metric!,
    ...(panel.host && { host: panel.host }),
    from,
    to,
    maxPoints: options.maxPoints ?? 600,
  });
  const want = Object.entries(panel.labels ?? {});
  for (const s of got.series) {
    const l = parseLabels(s.labels);
    if (!want.every(([k, v]) => l[k] === v)) continue;
    base.series.push({
      name: [s.host, s.labels].filter(Boolean).join(" "),
      ts: [...s.ts],
      values: [...s.values].map((v) => Number.isFinite(v) ? v : null),
    });
  }
  base.last = newest(base.series);
  if (base.series.length === 0) base.error = `No data for ${panel.metric} in the range`;
  // a metric drawn as a table: each series with its newest value
  if (base.kind === "table") {
    base.table = {
      columns: ["series", "value"],
      rows: base.series.map((s) => [s.name, newest([s])]),
    };
  }
  return base;
}

async function sqlPanel(
  lake: Lake,
  sql: string,
  base: PanelData,
  options: PanelDataOptions,
): Promise<PanelData> {
  let result: SqlTable;
  try {
    result = options.runSql ? await options.runSql(sql) : await lakeSql(lake, sql);
  } catch (error) {
    return { ...base, error: `Query failed: ${(error as Error).message.split("\n")[0]}` };
  }
  const columns = result.columns.map((c) => c.name);
  base.table = { columns, rows: exactIntegers(result) };
  const ti = columns.indexOf("ts"), vi = columns.indexOf("value"), ni = columns.indexOf("name");
  if (ti >= 0 && vi >= 0) {
    const by = new Map<string, { name: string; ts: number[]; values: (number | null)[] }>();
    for (const row of result.rows) {
      const t = toMs(row[ti]);
      if (!Number.isFinite(t)) continue;
      const name = ni >= 0 ? String(row[ni]) : base.title;
      let s = by.get(name);
      if (!s) by.set(name, s = { name, ts: [], values: [] });
      const v = Number(row[vi]);
      s.ts.push(t);
      s.values.push(row[vi] === null || !Number.isFinite(v) ? null : v);
    }
    base.series = [...by.values()];
    base.last = newest(base.series);
  } else if (result.rows.length > 0) {
    const cell = Number(result.rows[0]![vi >= 0 ? vi : 0]);
    base.last = Number.isFinite(cell) ? cell : null;
  }
  if (result.rows.length === 0) base.error = "The query returned no rows";
  return base;
}

/** The rows with a 64-bit or wider integer column's digit strings (the SQL sandbox sends a
 * BIGINT as text, `count(*)` included) as numbers where a double holds them exactly, so a table
 * panel prints `70,680` right-aligned as a number, not `70680` as a name. */
function exactIntegers(result: SqlTable): unknown[][] {
  const wide = result.columns.map((c) => /^U?(BIG|HUGE)INT$/.test(c.type ?? ""));
  if (!wide.includes(true)) return result.rows;
  return result.rows.map((row) =>
    row.map((v, i) =>
      wide[i] && typeof v === "string" && Number.isSafeInteger(Number(v)) && /^-?\d+$/.test(v)
        ? Number(v)
        : v
    )
  );
}

async function lakeSql(lake: Lake, sql: string): Promise<SqlTable> {
  const rows = await lake.query<Record<string, unknown>>(sql);
  const columns = rows.length ? Object.keys(rows[0]!).map((name) => ({ name })) : [];
  return { columns, rows: rows.map((r) => columns.map((c) => plain(r[c.name]))) };
}

function plain(v: unknown): unknown {
  if (typeof v === "bigint") return Number(v);
  if (v instanceof Date) return v.toISOString();
  return v ?? null;
}

function toMs(v: unknown): number {
  if (typeof v === "number") return v;
  if (v instanceof Date) return v.getTime();
  if (typeof v === "string") {
    // DuckDB's TIMESTAMP text has no zone: the lake's times are UTC
    const iso = /[zZ]|[+-]\d\d:?\d\d$/.test(v) ? v : v.replace(" ", "T") + "Z";
    return Date.parse(iso);
  }
  return NaN;
}

function newest(series: PanelData["series"]): number | null {
  let best: [number, number] | null = null;
  for (const s of series) {
    for (let i = s.values.length - 1; i >= 0; i--) {
      const v = s.values[i];
      if (v === null || v === undefined) continue;
      if (!best || s.ts[i]! > best[0]) best = [s.ts[i]!, v];
      break;
    }
  }
  return best ? best[1] : null;
}

/** The unit a metric carries without a panel's `unit:` (see {@linkcode panelData}'s `unit`). */
function metricUnit(name: string): string {
  return metricInfo(name)?.unit ?? appMetricInfo(name)?.unit ?? pushedUnit(name);
}
