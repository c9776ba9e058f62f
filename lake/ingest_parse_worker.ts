/**
 * The ingest writer's parse thread (a Worker, `IngestWriterOptions.parseInWorker`): it takes a
 * request body's chunks (transferred, not copied), joins and parses them with the same
 * `parseIngestLines` as the event loop would, and answers with compact columns: `ts` and `value`
 * as typed arrays and a series number per row, plus only the series this thread has not sent
 * before. The strings of a 5,000-line body (15,000 of them) and the body's bytes are made and
 * dropped here, so neither their parse nor their garbage collection holds up the server's event
 * loop (`/healthz`, the collector's live view), which only copies numbers.
 *
 * Series table: both sides number the series in the order this thread first sends them, and the
 * answers are taken in order, so a number means the same (host, metric, labels) on both sides.
 * Past `MAX_SERIES` the table starts again (`reset` in the answer) so that churning label values
 * cannot grow it without bound.
 *
 * @module
 */
import { type IngestLimits, parseIngestLines } from "./ingest_lines.ts";

/** One body to parse. */
export interface IngestParseJob {
  job: number;
  chunks: Uint8Array[];
  options: IngestLimits & { now: number };
}

/** The answer: the rows as columns over the series table, or the error. */
export interface IngestParseResult {
  job: number;
  /** Set when the body was refused: the message of the parser's `RangeError`. */
  invalid?: string;
  /** Set when parsing failed otherwise. */
  error?: string;
  /** The table started again before this answer's new series. */
  reset?: boolean;
  /** Plain arrays, not typed ones: their copies on the event loop's side are young garbage the
   * next minor collection frees, where typed arrays' memory outside the heap waited for a full
   * one (measured: ~70 KB a body piling up to ~45 MB). */
  ts?: number[];
  value?: number[];
  series?: number[];
  /** Series first seen in this body, numbered from the table's size before it. */
  hosts?: string[];
  metrics?: string[];
  labels?: string[];
}

/** Series both sides remember before the table starts again. */
export const MAX_SERIES = 50_000;

const scope = self as unknown as {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  onmessage: ((e: MessageEvent) => void) | null;
};

/** host → metric → labels → series number. */
let table = new Map<string, Map<string, Map<string, number>>>();
let size = 0;
/** Reused for bodies up to its size, so a steady stream of bodies allocates no new buffer. */
const joined = new Uint8Array(1024 * 1024);

function join(chunks: readonly Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  let n = 0;
  for (const c of chunks) n += c.length;
  const out = n <= joined.length ? joined : new Uint8Array(n);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out.subarray(0, n);
}

function parse(j: IngestParseJob): [IngestParseResult, Transferable[]] {
  const batch = parseIngestLines(join(j.chunks), j.options);
  j.chunks.length = 0;
  const n = batch.ts.length;
  const series = new Array<number>(n);
  let reset = false;
  // a body's new series alone could pass the cap: start again before it, not in the middle
  if (size + n > MAX_SERIES && size > 0) {
    table = new Map();
    size = 0;
    reset = true;
  }
  const hosts: string[] = [], metrics: string[] = [], labels: string[] = [];
  let byMetric: Map<string, Map<string, number>> | undefined;
  let byLabels: Map<string, number> | undefined;
  let lastHost = "", lastMetric = "";
  for (let i = 0; i < n; i++) {
    const h = batch.host[i]!, m = batch.metric[i]!, l = batch.labels[i]!;
    if (byMetric === undefined || h !== lastHost) {
      byMetric = table.get(h);
      if (byMetric === undefined) table.set(h, byMetric = new Map());
      lastHost = h, byLabels = undefined;
    }
    if (byLabels === undefined || m !== lastMetric) {
      byLabels = byMetric.get(m);
      if (byLabels === undefined) byMetric.set(m, byLabels = new Map());
      lastMetric = m;
    }
    let k = byLabels.get(l);
    if (k === undefined) {
      k = size++;
      byLabels.set(l, k);
      hosts.push(h), metrics.push(m), labels.push(l);
    }
    series[i] = k;
  }
  return [
    { job: j.job, reset, ts: batch.ts, value: batch.value, series, hosts, metrics, labels },
    [],
  ];
}

// only inside a Worker (a module that imports the types must not take the main thread's messages)
if ("WorkerGlobalScope" in globalThis) {
  scope.onmessage = (e: MessageEvent) => {
    const j = e.data as IngestParseJob;
    let answer: [IngestParseResult, Transferable[]];
    try {
      answer = parse(j);
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      answer = [
        error instanceof RangeError ? { job: j.job, invalid: text } : {
          job: j.job,
          error: text,
        },
        [],
      ];
    }
    scope.postMessage(answer[0], answer[1]);
  };
}
