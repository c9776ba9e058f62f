/**
 * Test helper: a real app over a real temporary lake (DuckDB, Parquet, sandbox), no port.
 *
 * @module
 */
import {
  IngestWriter,
  type IngestWriterOptions,
  joinBuffered,
  openLake,
  SpoolBuffer,
} from "../../lake/mod.ts";
import {
  type AppOptions,
  createApp,
  LiveHub,
  type LiveHubOptions,
  openSqlSandbox,
  type SqlSandboxOptions,
} from "../../web/mod.ts";

/** A test app and what it runs on. */
export interface TestApp {
  app: ReturnType<typeof createApp>;
  root: string;
  hub: LiveHub;
  lake: Awaited<ReturnType<typeof openLake>>;
  ingest: IngestWriter;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Options: app settings plus hub and sandbox settings. */
export interface TestAppOptions
  extends Partial<Omit<AppOptions, "lake" | "hub" | "sandbox" | "ingest">> {
  hub?: LiveHubOptions;
  sandbox?: Omit<SqlSandboxOptions, "root">;
  root?: string;
  /** Ingest writer settings; default no fsync (tests call `ingest.flush()` before reading). */
  ingest?: Partial<Omit<IngestWriterOptions, "root">>;
}

/**
 * Builds an app over a fresh temporary lake (or `options.root`).
 *
 * @param options App, hub and sandbox options.
 * @returns The app; dispose it with `await using`.
 */
export async function testApp(options: TestAppOptions = {}): Promise<TestApp> {
  const root = options.root ?? await Deno.makeTempDir({ prefix: "perfscope-web-" });
  const hub = new LiveHub(options.hub);
  const lake = await openLake({ root });
  const ingest = new IngestWriter({ root, sync: false, ...options.ingest });
  // as serve does: collected and pushed samples are read before their flush too
  const buffered = joinBuffered([new SpoolBuffer(root), ingest]);
  lake.includeBuffered(buffered);
  const sandbox = await openSqlSandbox({ root, buffered, ...options.sandbox });
  const { hub: _h, sandbox: _s, root: _r, ingest: _i, ...rest } = options;
  // the tests write samples at T0 (2024): the server's clock stands just after it, so that the
  // ingest time window (30 days back, 5 minutes ahead) admits them
  const now = options.now ?? (() => T0 + 60_000);
  const app = createApp({ ...rest, now, lake, hub, sandbox, ingest, root });
  return {
    app,
    root,
    hub,
    lake,
    ingest,
    async [Symbol.asyncDispose]() {
      ingest.close();
      hub.close();
      await sandbox.close();
      await lake.close();
      if (!options.root) await Deno.remove(root, { recursive: true });
    },
  };
}

/** A fixed instant used by the tests: 2024-01-01T00:00:00Z. */
export const T0 = Date.UTC(2024, 0, 1);

/**
 * One `/api/ingest` row of the buffered-read tests: `queue_depth{queue="a"}` on `edge-1`, `i`
 * seconds after {@linkcode T0}, value `i + 0.25`.
 *
 * @param i Seconds after `T0`.
 * @param extra Fields to add or replace (e.g. `{ value: null }`).
 * @returns The row.
 */
export function queueSample(i: number, extra: Record<string, unknown> = {}) {
  return {
    ts: T0 + i * 1000,
    host: "edge-1",
    metric: "queue_depth",
    labels: { queue: "a" },
    value: i + 0.25,
    ...extra,
  };
}

/**
 * JSON lines for `/api/ingest`.
 *
 * @param rows Objects, one per line.
 * @returns The body.
 */
export function jsonLines(rows: readonly unknown[]): string {
  return rows.map((r) => JSON.stringify(r)).join("\n") + "\n";
}

/**
 * Posts rows to the app's `/api/ingest` as JSON lines.
 *
 * @param t The app.
 * @param rows The samples, e.g. `{ ts, host, metric, labels, value }`.
 * @returns The answer (not yet read).
 */
export function postRows(t: TestApp, rows: readonly unknown[]): Promise<Response> {
  return Promise.resolve(t.app.request("/api/ingest", {
    method: "POST",
    headers: { "content-type": "application/x-ndjson" },
    body: jsonLines(rows),
  }));
}

/**
 * Flushes the app's ingest writer and counts the samples its lake holds, through `/api/query`.
 *
 * @param t The app.
 * @param origin Prefixed to the path, e.g. `http://localhost:8000` for the origin checks.
 * Default none.
 * @returns The number of samples.
 */
export async function storedSamples(t: TestApp, origin = ""): Promise<number> {
  t.ingest.flush();
  const res = await t.app.request(`${origin}/api/query`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ sql: "SELECT count(*) FROM samples" }),
  });
  return Number((await res.json()).rows[0][0]);
}

/**
 * A test app whose lake holds ten samples of metric `m` on host `h` (values 0…9, one a second
 * from {@linkcode T0}), pushed through `/api/ingest` and flushed to Parquet.
 *
 * @param options As for {@linkcode testApp}.
 * @returns The app; dispose it with `await using`.
 */
export async function seededApp(options: TestAppOptions = {}): Promise<TestApp> {
  const t = await testApp(options);
  const rows = Array.from(
    { length: 10 },
    (_, i) => ({ ts: T0 + i * 1000, host: "h", metric: "m", value: i }),
  );
  await postRows(t, rows);
  t.ingest.flush();
  return t;
}
