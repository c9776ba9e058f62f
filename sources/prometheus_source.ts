/**
 * A series source over a Prometheus query API, so the analytics (capacity, forecasts, anomaly
 * scores, the fleet report) read a fleet's TSDB as they read the local lake. The base URL is
 * the one under which `/api/v1/query_range` answers:
 *
 * | engine | base URL |
 * | --- | --- |
 * | Prometheus | `http://prometheus:9090` |
 * | VictoriaMetrics single node | `http://victoria:8428` |
 * | VictoriaMetrics cluster | `http://vmselect:8481/select/<tenant>/prometheus` |
 * | Grafana Mimir | `http://mimir:8080/prometheus` (header `X-Scope-OrgID: <tenant>`) |
 * | Thanos Query | `http://thanos-query:10902` |
 *
 * A trailing `/api/v1` is accepted and dropped. Reads choose the resolution the way the lake
 * picks its tier (`pickTierFor`): up to 6 h raw samples (VictoriaMetrics' `/api/v1/export`
 * where it answers, else a range-vector query), up to 8 days 1-minute buckets, longer 1-hour
 * buckets (`avg_over_time`/`last_over_time` through `query_range`, split so that no request
 * asks more than 10,000 points, under Prometheus' 11,000 limit).
 *
 * The object returned is a {@linkcode SeriesSource} (the contract the analytics read through,
 * defined in this folder's `series_source.ts`).
 *
 * @module
 */

import { formatLabels } from "../collectors/mod.ts";
import { pickTierFor, sameHost, TIER_MS, type TierLimits } from "../lake/mod.ts";
import type { HostExtent, SeriesKey, SeriesSource, WindowRow } from "./series_source.ts";

/** One series' identity (the {@linkcode SeriesKey} of every source). */
export type PromSeriesKey = SeriesKey;

/** A host's first and last sample time, ms (the {@linkcode HostExtent} of every source). */
export type PromHostExtent = HostExtent;

/** A window summary of one series (the {@linkcode WindowRow} of every source). */
export type PromWindowRow = WindowRow;

/** Options of {@linkcode prometheusSource}. */
export interface PrometheusSourceOptions {
  /** Extra headers (e.g. `X-Scope-OrgID` for Mimir). */
  headers?: Record<string, string>;
  /** `Authorization: Bearer <token>`. */
  bearerToken?: string;
  /** `Authorization: Basic`. */
  basicAuth?: { username: string; password: string };
  /** Label holding the host name. Default `host`. */
  hostLabel?: string;
  /** Labels that group hosts (external labels of the agents) rather than tell series apart:
   * left out of a series' `labels` and reported by {@linkcode PrometheusSource.hostGroups}.
   * Default `["env", "dc", "role"]`. */
  groupLabels?: readonly string[];
  /** How far back discovery and the extent look, ms. Default 30 days. */
  lookbackMs?: number;
  /** A metric every host sends, one series each, for the extent (first and last sample per
   * host); where no host has it, every series is scanned (slower). Default
   * `perfscope_rss_bytes` (each perfscope agent sends it). */
  probeMetric?: string;
  /** Where the tiers hand over (as the lake's `lake.tiers`). */
  tiers?: TierLimits;
  /** Use VictoriaMetrics' `/api/v1/export` for raw reads: `"auto"` tries it once and falls back
   * to range-vector queries when the server lacks it. Default `"auto"`. */
  exportApi?: "auto" | "never";
  /** Clock, ms. Default `Date.now`. */
  now?: () => number;
  /** Fetch to use. Default `fetch`. */
  fetch?: typeof fetch;
  /** HTTP client for every request, e.g. one from {@linkcode tlsClient} trusting a private CA
   * or presenting a client certificate. The caller owns (and closes) it. Default: Deno's. */
  client?: Deno.HttpClient;
  /** Name for methods notes. Default `prometheus <base>`. */
  name?: string;
}

/** The series source over a query API, with the fleet's host groups. */
export interface PrometheusSource extends SeriesSource {
  /** The normalized base URL. */
  readonly base: string;
  /** Each host's group labels (`env`, `dc`, `role` by default), from discovery. */
  hostGroups(): Promise<Map<string, Record<string, string>>>;
}

/** Raised when the query API answers with an error (or not at all). */
export class PrometheusQueryError extends Error {
  /** @param message What failed. @param options Cause. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "PrometheusQueryError";
  }
}

const MAX_POINTS = 10_000;

/**
 * Normalizes a query API URL: trailing slashes and a trailing `/api/v1` dropped, and so are
 * credentials in it (`http://user:pass@host`), which must not show in names and messages
 * ({@linkcode prometheusSource} sends them as basic auth).
 *
 * @param url The URL as given.
 * @returns The base.
 * @throws {RangeError} If it is not an http(s) URL.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { queryBase } from "./prometheus_source.ts";
 * assert.equal(queryBase("http://vmselect:8481/select/0/prometheus/api/v1/"), "http://vmselect:8481/select/0/prometheus");
 * assert.equal(queryBase("http://127.0.0.1:8428"), "http://127.0.0.1:8428");
 * assert.equal(queryBase("https://me:pw@vm:8428/"), "https://vm:8428");
 * ```
 */
export function queryBase(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new RangeError(`Invalid source URL: ${url}`);
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") {
    throw new RangeError(`Invalid source URL: ${url} (http or https only)`);
  }
  u.username = "";
  u.password = "";
  return u.href.replace(/\/+$/, "").replace(/\/api\/v1$/, "");
}

/** Basic-auth credentials written in a URL, if any (percent-decoded). */
function urlCredentials(url: string): { username: string; password: string } | undefined {
  const u = new URL(url);
  if (u.username === "" && u.password === "") return undefined;
  return { username: decodeURIComponent(u.username), password: decodeURIComponent(u.password) };
}

/** Quotes a label value for PromQL. */
function q(value: string): string {
  return JSON.stringify(value);
}

/** Parses a canonical label string (`k=v,k2=v2`, `\` escapes). */
function parseCanonical(text: string): [string, string][] {
  const out: [string, string][] = [];
  if (text === "") return out;
  let key: string | undefined;
  let cur = "";
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === "\\" && i + 1 < text.length) cur += text[++i];
    else if (ch === "=" && key === undefined) {
      key = cur;
      cur = "";
    } else if (ch === ",") {
      out.push([key ?? "", cur]);
      key = undefined;
      cur = "";
    } else cur += ch;
  }
  out.push([key ?? "", cur]);
  return out;
}

/**
 * A series source over a Prometheus-compatible query API.
 *
 * @param url Base URL (see the module documentation for each engine's form); credentials in it
 *   (`http://user:pass@host`) are sent as basic auth unless `basicAuth` or `bearerToken` is
 *   given, and left out of `name`, `base` and error messages.
 * @param options Credentials, labels and limits.
 * @returns The source.
 * @throws {RangeError} If the URL is not http(s).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { prometheusSource } from "./prometheus_source.ts";
 * const src = prometheusSource("http://127.0.0.1:8428/");
 * assert.equal(src.name, "prometheus http://127.0.0.1:8428");
 * ```
 */
export function prometheusSource(
  url: string,
  options: PrometheusSourceOptions = {},
): PrometheusSource {
  const base = queryBase(url);
  const hostLabel = options.hostLabel ?? "host";
  const groupLabels = new Set(options.groupLabels ?? ["env", "dc", "role"]);
  const lookbackMs = options.lookbackMs ?? 30 * 86_400_000;
  const probeMetric = options.probeMetric ?? "perfscope_rss_bytes";
  const now = options.now ?? Date.now;
  const doFetch = options.fetch ?? fetch;
  const headers = new Headers(options.headers);
  const basicAuth = options.basicAuth ?? urlCredentials(url);
  if (options.bearerToken !== undefined) {
    headers.set("Authorization", `Bearer ${options.bearerToken}`);
  } else if (basicAuth) {
    const { username, password } = basicAuth;
    const raw = new TextEncoder().encode(`${username}:${password}`);
    headers.set("Authorization", `Basic ${btoa(String.fromCharCode(...raw))}`);
  }
  const init: { client?: Deno.HttpClient } = options.client ? { client: options.client } : {};
  let useExport = options.exportApi !== "never";
  let discovery:
    | Promise<{ keys: PromSeriesKey[]; groups: Map<string, Record<string, string>> }>
    | undefined;
  let extents: Promise<PromHostExtent[]> | undefined;

  async function api(path: string, params: [string, string][]): Promise<unknown> {
    // VictoriaMetrics (response cache on, its default) moves a range's start and end to
    // multiples of the step: the extent's last evaluation fell up to a step (1.4 h of the 30-day
    // look-back) before now, so a fleet younger than that read as empty, and buckets evaluated at
    // t + step - 1 came back at t. nocache=1 keeps the times asked; other engines ignore it.
    const body = new URLSearchParams(
      path === "/api/v1/query_range" ? [...params, ["nocache", "1"]] : params,
    );
    let response: Response;
    try {
      response = await doFetch(`${base}${path}`, { method: "POST", headers, body, ...init });
    } catch (error) {
      throw new PrometheusQueryError(`Cannot reach ${base}${path}: ${reachProblem(error)}`, {
        cause: error,
      });
    }
    const text = await response.text();
    let json: { status?: string; data?: unknown; error?: string } | undefined;
    try {
      json = JSON.parse(text);
    } catch {
      // not JSON: reported below with the status
    }
    if (!response.ok || json?.status !== "success") {
      throw new PrometheusQueryError(
        `Query API ${base}${path} answered ${response.status}: ${
          (json?.error ?? text).replace(/\s+/g, " ").slice(0, 200).trim()
        }`,
      );
    }
    return json.data;
  }

  function selector(metric: string, host: string, labels: string): string {
    const m = [`__name__=${q(metric)}`, `${hostLabel}=${q(host)}`];
    for (const [k, v] of parseCanonical(labels)) m.push(`${k}=${q(v)}`);
    return `{${m.join(",")}}`;
  }

  function keyOf(metric: Record<string, string>): PromSeriesKey | undefined {
    const host = metric[hostLabel];
    const name = metric.__name__;
    if (host === undefined || name === undefined) return undefined;
    const rest: Record<string, string> = {};
    for (const [k, v] of Object.entries(metric)) {
      if (k !== "__name__" && k !== hostLabel && !groupLabels.has(k)) rest[k] = v;
    }
    return { host, metric: name, labels: formatLabels(rest) };
  }

  function discover() {
    return discovery ??= (async () => {
      const t = now();
      const data = await api("/api/v1/series", [
        ["match[]", `{${hostLabel}!=""}`],
        ["start", String((t - lookbackMs) / 1000)],
        ["end", String(t / 1000)],
      ]) as Record<string, string>[];
      const keys = new Map<string, PromSeriesKey>();
      const groups = new Map<string, Record<string, string>>();
      for (const m of data) {
        const k = keyOf(m);
        if (!k) continue;
        keys.set(`${k.host}\n${k.metric}\n${k.labels}`, k);
        if (!groups.has(k.host)) {
          groups.set(
            k.host,
            Object.fromEntries(Object.entries(m).filter(([name]) => groupLabels.has(name))),
          );
        }
      }
      const sorted = [...keys.values()].sort((a, b) =>
        a.host < b.host
          ? -1
          : a.host > b.host
          ? 1
          : a.metric < b.metric
          ? -1
          : a.metric > b.metric
          ? 1
          : a.labels < b.labels
          ? -1
          : 1
      );
      return { keys: sorted, groups };
    })();
  }

  /**
   * The host label's value as the server holds it: host names are case-insensitive (the lake
   * stores them in lower case), but a label matcher compares exactly, so `web1` asked for is read
   * as the `Web1` the server lists (its own spelling when it holds that exactly).
   */
  async function storedHost(host: string): Promise<string> {
    const { keys } = await discover();
    if (keys.some((k) => k.host === host)) return host;
    return keys.find((k) => sameHost(k.host, host))?.host ?? host;
  }

  /** Raw samples in [from, to): VictoriaMetrics export, else a range-vector query. */
  async function raw(sel: string, from: number, to: number) {
    if (useExport) {
      try {
        const response = await doFetch(
          `${base}/api/v1/export?${new URLSearchParams({
            "match[]": sel,
            start: String(from / 1000),
            end: String((to - 1) / 1000),
          })}`,
          { headers, ...init },
        );
        if (response.ok) {
          const ts: number[] = [];
          const values: number[] = [];
          for (const line of (await response.text()).split("\n")) {
            if (!line) continue;
            const o = JSON.parse(line) as { values: (number | null)[]; timestamps: number[] };
            o.timestamps.forEach((t, i) => {
              if (t >= from && t < to) {
                ts.push(t);
                values.push(o.values[i] ?? NaN);
              }
            });
          }
          return sortPoints(ts, values);
        }
        await response.body?.cancel();
      } catch {
        // no export API here (Prometheus, Mimir, Thanos): range-vector queries from now on
      }
      useExport = false;
    }
    const data = await api("/api/v1/query", [
      ["query", `${sel}[${Math.max(1, Math.ceil(to - from))}ms]`],
      ["time", String((to - 1) / 1000)],
    ]) as { result: { values: [number, string][] }[] };
    const ts: number[] = [];
    const values: number[] = [];
    for (const r of data.result) {
      for (const [t, v] of r.values) {
        const ms = Math.round(t * 1000);
        if (ms >= from && ms < to) {
          ts.push(ms);
          values.push(Number(v));
        }
      }
    }
    return sortPoints(ts, values);
  }

  /** Buckets of `step` ms starting at multiples of `step` in [from, to), each the avg or last
   * of its samples (evaluated at the bucket's end, as `*_over_time` looks back). */
  async function buckets(sel: string, from: number, to: number, step: number, agg: "avg" | "last") {
    const fn = agg === "last" ? "last_over_time" : "avg_over_time";
    const first = Math.floor(from / step) * step;
    const ts: number[] = [];
    const values: number[] = [];
    for (let chunk = first; chunk < to; chunk += step * MAX_POINTS) {
      const end = Math.min(to - 1, chunk + step * (MAX_POINTS - 1));
      const data = await api("/api/v1/query_range", [
        ["query", `${fn}(${sel}[${step}ms])`],
        // evaluating at t + step - 1 covers samples in (t - 1, t + step - 1], i.e. [t, t + step)
        ["start", String((chunk + step - 1) / 1000)],
        ["end", String((end + step - 1) / 1000)],
        ["step", `${step / 1000}`],
      ]) as { result: { values: [number, string][] }[] };
      for (const r of data.result) {
        for (const [t, v] of r.values) {
          const bucket = Math.round(t * 1000) - step + 1;
          if (bucket >= from - step && bucket < to) {
            ts.push(bucket);
            values.push(Number(v));
          }
        }
      }
    }
    return sortPoints(ts, values);
  }

  async function extentOf(): Promise<PromHostExtent[]> {
    const t = now();
    const range = async (query: string, from: number, to: number, step: number) =>
      (await api("/api/v1/query_range", [
        ["query", query],
        ["start", String(from / 1000)],
        ["end", String(to / 1000)],
        ["step", `${step / 1000}`],
      ]) as { result: { metric: Record<string, string>; values: [number, string][] }[] }).result;
    // Coarse: per step of the look-back, which hosts have samples (count_over_time over the
    // whole step, so no sample falls between evaluations), on one series per host if the probe
    // metric is there, else on all of them.
    const step = Math.max(1000, Math.ceil(lookbackMs / 500 / 1000) * 1000);
    let probe = `{__name__=${q(probeMetric)},${hostLabel}!=""}`;
    const coarseQuery = (sel: string) =>
      `count by (${hostLabel}) (count_over_time(${sel}[${step}ms]))`;
    let coarse = await range(coarseQuery(probe), t - lookbackMs + step, t, step);
    if (coarse.length === 0) {
      probe = `{${hostLabel}!=""}`;
      coarse = await range(coarseQuery(probe), t - lookbackMs + step, t, step);
    }
    const result: PromHostExtent[] = [];
    for (const r of coarse) {
      const host = r.metric[hostLabel];
      if (host === undefined || r.values.length === 0) continue;
      const firstEval = Math.round(r.values[0]![0] * 1000);
      const lastEval = Math.round(r.values.at(-1)![0] * 1000);
      // Fine: within the edge steps, the sample times themselves (timestamp() sees the newest
      // sample at or before each evaluation; evaluations closer than the 5-minute look-back
      // miss none)
      const sel = probe.replace(/\}$/, `,${hostLabel}=${q(host)}}`);
      const fine = Math.max(1000, Math.ceil(step / 1000 / 1000) * 1000);
      const edge = async (fn: "min" | "max", from: number, to: number) => {
        const [series] = await range(`${fn}(timestamp(${sel}))`, from, to, fine);
        const v = (series?.values ?? []).map(([, x]) => Number(x) * 1000).filter((x) =>
          x >= from - 300_000 && x <= to
        );
        return v.length ? Math[fn](...v) : NaN;
      };
      const first = await edge("min", firstEval - step, firstEval);
      const last = await edge("max", lastEval - step, Math.min(t, lastEval));
      result.push({
        host,
        first: Number.isFinite(first) ? Math.max(first, firstEval - step) : firstEval - step,
        last: Number.isFinite(last) ? last : lastEval,
      });
    }
    return result.sort((a, b) => (a.host < b.host ? -1 : 1));
  }

  const name = options.name ?? `prometheus ${base}`;
  return {
    name,
    where: name,
    base,
    async metrics() {
      return (await discover()).keys;
    },
    async hostGroups() {
      return (await discover()).groups;
    },
    extent() {
      return extents ??= extentOf();
    },
    async series(o) {
      const host = await storedHost(o.host);
      const sel = selector(o.metric, host, o.labels);
      const ext = (await this.extent()).find((e) => e.host === host);
      const tier = pickTierFor(o.from, o.to, ext, options.tiers);
      if (o.step === undefined && tier === "raw") {
        const s = await raw(sel, o.from, o.to);
        return { tier: "raw", ...s };
      }
      const step = Math.max(o.step ?? 0, TIER_MS[tier], 1000);
      const s = await buckets(sel, o.from, o.to, step, o.agg ?? "avg");
      return { tier, ...s };
    },
    async windowStats(metrics, from, to) {
      const range = `[${Math.max(1000, Math.ceil(to - from))}ms]`;
      const time = String((to - 1) / 1000);
      const rows: PromWindowRow[] = [];
      const asked: string[] = [];
      const hostExtent = new Map((await this.extent()).map((e) => [e.host, e]));
      // one metric at a time: *_over_time drops the name, so series of two metrics with the
      // same labels could not be told apart in one answer
      for (const metric of metrics) {
        const parts = metric === "cpu_ratio"
          ? [`cpu_ratio{cpu="total"}`, `cpu_ratio{mode="idle"}`]
          : [`{__name__=${q(metric)}}`];
        const of = (fn: (sel: string) => string) =>
          parts.map((p) => fn(`${p}${range}`)).join(" or ");
        const queries = {
          avg: of((s) => `avg_over_time(${s})`),
          median: of((s) => `quantile_over_time(0.5, ${s})`),
          max: of((s) => `max_over_time(${s})`),
          n: of((s) => `count_over_time(${s})`),
          lastValue: of((s) => `last_over_time(${s})`),
        };
        const byId = new Map<string, PromWindowRow>();
        for (const [field, query] of Object.entries(queries) as [keyof typeof queries, string][]) {
          asked.push(query);
          const data = await api("/api/v1/query", [["query", query], ["time", time]]) as {
            result: { metric: Record<string, string>; value: [number, string] }[];
          };
          for (const r of data.result) {
            const k = keyOf({ ...r.metric, __name__: metric });
            if (!k) continue;
            const id = `${k.host}\n${k.labels}`;
            let row = byId.get(id);
            if (!row) {
              const e = hostExtent.get(k.host);
              row = {
                ...k,
                avg: NaN,
                median: NaN,
                max: NaN,
                n: 0,
                lastValue: NaN,
                // the host's extent cut to the window: PromQL has no sample-time aggregate
                // that Prometheus, Mimir and Thanos all share
                first: Math.max(from, e?.first ?? from),
                last: Math.min(to - 1, e?.last ?? to - 1),
              };
              byId.set(id, row);
            }
            row[field] = Number(r.value[1]);
          }
        }
        for (const row of byId.values()) if (row.n > 0) rows.push(row);
      }
      return { rows, query: asked.join("\n") };
    },
  };
}

/**
 * Why a request did not get an answer, on one line; a certificate the client does not trust
 * says how to trust it.
 */
function reachProblem(error: unknown): string {
  // fetch's own message is "fetch failed": what failed is in the innermost cause
  let inner = error;
  while (inner instanceof Error && inner.cause instanceof Error) inner = inner.cause;
  const text = (inner instanceof Error ? inner.message : String(inner)).replace(/\s+/g, " ")
    .trim();
  return /certificate|UnknownIssuer|CaUsedAsEndEntity/i.test(text)
    ? `${text} (the server's certificate is not trusted: give its CA in tls.ca_file)`
    : text;
}

/** Files for {@linkcode tlsClient} (PEM). */
export interface SourceTlsFiles {
  /** CA that signed the server's certificate (added to the system's roots). */
  caFile?: string;
  /** Client certificate, with `keyFile`, for servers that ask for one. */
  certFile?: string;
  /** The client certificate's private key. */
  keyFile?: string;
}

/**
 * An HTTP client for a query API over TLS with a private CA or a client certificate, for
 * {@linkcode PrometheusSourceOptions.client}.
 *
 * @param files PEM files; a certificate needs its key and the other way round.
 * @returns The client (close it when done).
 * @throws {RangeError} When a file cannot be read, or only one of `certFile` and `keyFile` is
 *   given.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tlsClient } from "./prometheus_source.ts";
 * assert.throws(() => tlsClient({ caFile: "/nonexistent/ca.pem" }), /^RangeError: Cannot read TLS file/);
 * assert.throws(() => tlsClient({ certFile: "c.pem" }), /certFile and keyFile go together/);
 * ```
 */
export function tlsClient(files: SourceTlsFiles): Deno.HttpClient {
  if ((files.certFile === undefined) !== (files.keyFile === undefined)) {
    throw new RangeError("Invalid TLS options: certFile and keyFile go together");
  }
  const read = (path: string) => {
    try {
      return Deno.readTextFileSync(path);
    } catch (error) {
      throw new RangeError(`Cannot read TLS file: ${path} (${(error as Error).message})`);
    }
  };
  return Deno.createHttpClient({
    ...(files.caFile !== undefined && { caCerts: [read(files.caFile)] }),
    ...(files.certFile !== undefined && files.keyFile !== undefined &&
      { cert: read(files.certFile), key: read(files.keyFile) }),
  });
}

function sortPoints(ts: number[], values: number[]): { ts: Float64Array; values: Float64Array } {
  const order = ts.map((_, i) => i).sort((a, b) => ts[a]! - ts[b]!);
  const outTs = new Float64Array(order.length);
  const outV = new Float64Array(order.length);
  let n = 0;
  for (const i of order) {
    if (n > 0 && outTs[n - 1] === ts[i]) continue; // a point sent twice counts once
    outTs[n] = ts[i]!;
    outV[n++] = values[i]!;
  }
  return { ts: outTs.slice(0, n), values: outV.slice(0, n) };
}
