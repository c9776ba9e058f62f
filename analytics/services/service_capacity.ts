/**
 * Concurrency capacity of services: Gunther's USL fitted to a service's own history (throughput
 * against concurrency, from requests in flight or Little's law N = X·R), and the time until its
 * request rate, growing as it does, reaches a share of the fitted peak throughput. The rows rank
 * with the machine resources in the capacity report.
 *
 * @module
 */
import { formatLabels, parseLabels } from "../../collectors/mod.ts";
import type { SeriesKey, SeriesSource } from "../series/series_source.ts";
import type { EvidenceRules } from "../capacity/evidence_rules.ts";
import { type CapacityRowFields, forecastRow } from "../capacity/forecast_row.ts";
import { sampleExtent } from "../capacity/sample_extent.ts";
import { sameHost } from "../../lake/mod.ts";
import {
  belongs,
  findServices,
  IN_FLIGHT,
  REQUEST_COUNTERS,
  REQUEST_HISTOGRAMS,
  type ServiceSetting,
  type ServiceSpec,
} from "./service_catalog.ts";
import { fitUsl, type UslFit } from "./usl_fit.ts";

/** Options of {@linkcode serviceCapacity}. */
export interface ServiceCapacityOptions {
  /** Forecast start, ms. */
  now: number;
  /** History read, ms. */
  sinceMs: number;
  /** How far ahead an ETA counts, ms. */
  horizonMs: number;
  /** Share of the USL peak throughput treated as the mark; default 0.8. */
  ratio?: number;
  /** Configured services; default none. */
  services?: readonly ServiceSetting[] | undefined;
  /** Evidence rules overrides. */
  evidence?: Partial<EvidenceRules> | undefined;
  /** Bootstrap rounds of the ETA interval; default 200. */
  bootstrap?: number | undefined;
  /** Grid step of the USL points, ms; default 5 minutes. */
  stepMs?: number;
  /** Fewest (N, X) points for a fit; default 12. */
  minPoints?: number;
}

/** A service's concurrency capacity (the fields of a capacity row, and the fit behind them). */
export interface ServiceCapacity {
  service: string;
  host: string;
  resource: "service";
  /** Request-rate metric and the labels selecting the service. */
  metric: string;
  labels: string;
  /** The fit (null when there is none: see `reason`). */
  fit: UslFit | null;
  /** Where N comes from, e.g. `http_server_active_requests` or `Little's law …`. */
  concurrencySource: string;
  /** The stored request-rate series summed into the throughput (more than one: e.g. one per
   * status code; `labels` then names none of them). */
  rateSeries: SeriesKey[];
  /** The fitted (N, X) points. */
  concurrency: number[];
  throughput: number[];
  /** Why there is no capacity figure (null when there is). */
  reason: string | null;
}

/**
 * Fits the USL to each service's history and forecasts its request rate to `ratio` × the peak.
 * Services whose load has not varied enough (fewer than `minPoints` points, or the busiest
 * concurrency under 1.5× the quietest) or whose fit shows no peak (κ = 0) get a reason and no
 * capacity row.
 *
 * @param source The series source.
 * @param options Time, horizon, services and evidence.
 * @returns Per service, the fit and, when there is a peak, a capacity row.
 * @throws {RangeError} If the ratio is not in (0, 1].
 */
export async function serviceCapacity(
  source: SeriesSource,
  options: ServiceCapacityOptions,
): Promise<{ capacity: ServiceCapacity; row: ServiceCapacityRow | null }[]> {
  const ratio = options.ratio ?? 0.8;
  if (!(ratio > 0 && ratio <= 1)) throw new RangeError(`Invalid service threshold: ${ratio}`);
  const keys = await source.metrics();
  const specs = findServices(keys, options.services ?? []);
  const out: { capacity: ServiceCapacity; row: ServiceCapacityRow | null }[] = [];
  for (const spec of specs) {
    const got = await usl(source, spec, keys, options);
    if (!got) continue;
    out.push({ capacity: got.capacity, row: got.capacity.fit ? rowOf(got, ratio, options) : null });
  }
  return out;
}

/** The capacity-row shape (`CapacityRow` of the capacity report, for resource `service`);
 * `sumOf` lists the request-rate series summed (only when more than one: the row's labels name
 * none). */
export interface ServiceCapacityRow extends CapacityRowFields {
  resource: "service";
}

async function usl(
  source: SeriesSource,
  spec: ServiceSpec,
  keys: readonly SeriesKey[],
  o: ServiceCapacityOptions,
) {
  const mine = keys.filter((k) => belongs(spec, k.host, parseLabels(k.labels)));
  const has = (m: string) => mine.some((k) => k.metric === m);
  const hist = REQUEST_HISTOGRAMS.find((h) => has(`${h}_count_per_second`));
  const rateMetric = REQUEST_COUNTERS.find(has) ?? (hist ? `${hist}_count_per_second` : undefined);
  if (!rateMetric) return null;
  const step = o.stepMs ?? 300_000;
  const from = o.now - o.sinceMs, to = o.now + 1;
  let tier = "raw";
  const grid = async (metric: string) => {
    const sum = new Map<number, number>();
    for (const k of mine.filter((k) => k.metric === metric)) {
      const s = await source.series({ ...k, from, to, step });
      tier = s.tier;
      const seen = new Map<number, { sum: number; n: number }>();
      for (let i = 0; i < s.ts.length; i++) {
        if (!Number.isFinite(s.values[i]!)) continue;
        const t = Math.floor(s.ts[i]! / step) * step;
        const a = seen.get(t) ?? { sum: 0, n: 0 };
        a.sum += s.values[i]!, a.n++;
        seen.set(t, a);
      }
      for (const [t, a] of seen) sum.set(t, (sum.get(t) ?? 0) + a.sum / a.n);
    }
    return sum;
  };
  const x = await grid(rateMetric);
  const flight = IN_FLIGHT.find(has);
  let n: Map<number, number>;
  let concurrencySource: string;
  if (flight) {
    n = await grid(flight);
    concurrencySource = flight;
  } else if (hist && has(`${hist}_sum_per_second`)) {
    // Little's law: N = X · R, with R = latency-seconds per second ÷ requests per second, so
    // N is the latency-seconds per second itself
    n = await grid(`${hist}_sum_per_second`);
    concurrencySource = `Little's law (${hist}_sum_per_second = RPS × mean latency)`;
  } else {
    return null;
  }
  const ts = [...x.keys()].sort((a, b) => a - b);
  const N: number[] = [], X: number[] = [], T: number[] = [];
  for (const t of ts) {
    const nv = n.get(t), xv = x.get(t)!;
    if (nv !== undefined && nv > 0 && Number.isFinite(xv)) N.push(nv), X.push(xv), T.push(t);
  }
  const host = mine.find((k) => k.metric === rateMetric)!.host;
  const rateKeys = mine.filter((k) => k.metric === rateMetric);
  const capacity: ServiceCapacity = {
    service: spec.name,
    host,
    resource: "service",
    metric: rateMetric,
    // one series: its own labels, so the charts read it back; several: the service's labels
    labels: rateKeys.length === 1 ? rateKeys[0]!.labels : formatLabels(spec.labels),
    fit: null,
    rateSeries: rateKeys,
    concurrencySource,
    concurrency: N,
    throughput: X,
    reason: null,
  };
  const minPoints = o.minPoints ?? 12;
  const lo = Math.min(...N), hi = Math.max(...N);
  if (N.length < minPoints) {
    capacity.reason = `${N.length} points of ${
      step / 60_000
    }-minute load; a USL fit needs ${minPoints}`;
  } else if (!(hi >= 1.5 * lo)) {
    capacity.reason = `Concurrency has only ranged ${lo.toPrecision(3)}–${
      hi.toPrecision(3)
    }; a USL fit needs load that varies`;
  } else {
    const fit = fitUsl(N, X);
    if (!Number.isFinite(fit.peakThroughput) || !(fit.kappa > 0)) {
      capacity.reason = "The USL fit shows no throughput peak yet (κ = 0)";
    } else capacity.fit = fit;
  }
  // the history the evidence rules judge: the request rate's samples' own first and last, as
  // for every capacity row (sampleExtent), not the 5-minute bucket starts the fit uses
  const hostExtent = (await source.extent()).find((e) => sameHost(e.host, host));
  const { first, last } = sampleExtent(Float64Array.from(T), Float64Array.from(X), {
    tier,
    stepMs: step,
    host: hostExtent,
  });
  return { capacity, ts: Float64Array.from(T), x: Float64Array.from(X), tier, first, last };
}

function rowOf(
  got: {
    capacity: ServiceCapacity;
    ts: Float64Array;
    x: Float64Array;
    tier: string;
    first: number;
    last: number;
  },
  ratio: number,
  o: ServiceCapacityOptions,
): ServiceCapacityRow {
  const { capacity: c, ts, x, first, last } = got;
  const fit = c.fit!;
  const { fields } = forecastRow(ts, x, {
    limit: fit.peakThroughput,
    threshold: fit.peakThroughput * ratio,
    now: o.now,
    horizonMs: o.horizonMs,
    first,
    last,
    tier: got.tier,
    evidence: o.evidence,
    bootstrap: o.bootstrap,
  });
  const p = (v: number) => Number(v.toPrecision(4));
  return {
    host: c.host,
    resource: "service",
    metric: c.metric,
    labels: c.labels,
    ...fields,
    limitSource: `USL peak of service ${c.service}: X(N*) at N* = ${p(fit.peakConcurrency)} ` +
      `(σ = ${p(fit.sigma)}, κ = ${p(fit.kappa)}, λ = ${p(fit.lambda)}, R² = ${
        fit.r2.toFixed(3)
      }, ${fit.points} points; N from ${c.concurrencySource})`,
    ...(c.rateSeries.length > 1 && { sumOf: c.rateSeries }),
  };
}
