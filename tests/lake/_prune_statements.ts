/**
 * Shared by the tests of pruned buffered copies (`tests/web/sql_sandbox_prune_test.ts`, the SQL
 * sandbox; `tests/lake/table_with_buffered_prune_test.ts`, the `query` command): a buffer of
 * 7,200 rows, a source that counts what each statement copies, and the statements, each with
 * the most rows it should copy (undefined: only the answers must agree).
 */
import {
  type BufferedFilter,
  type BufferedSource,
  IngestWriter,
  simulateHost,
} from "../../lake/mod.ts";

export const T0 = Date.UTC(2024, 0, 2, 12); // after the simulated day, so buffered rows are the newest
export const HOUR = 3_600_000;

/** A source that remembers how many rows each statement was given. */
export function counting(source: BufferedSource) {
  const taken: number[] = [];
  const filters: BufferedFilter[] = [];
  const counted: BufferedSource = {
    bufferedRows(filter, stored) {
      const rows = source.bufferedRows(filter, stored);
      taken.push(rows.ts.length);
      filters.push(filter);
      return rows;
    },
    bufferedSeries: () => source.bufferedSeries(),
    bufferedExtent: () => source.bufferedExtent(),
  };
  return { counted, taken, filters };
}

const at = (k: number) => T0 + k * 250;
const iso = (ms: number) => new Date(ms).toISOString().replace("T", " ").replace("Z", "");

/** Statements with the rows each should copy at most (undefined: no promise, only equality). */
export const STATEMENTS: [string, number?][] = [
  ["SELECT count(*), sum(value) FROM samples WHERE metric = 'cpu_user'", 2400],
  ["SELECT count(*) FROM samples WHERE metric = 'CPU_USER'", 0],
  ["SELECT count(*) FROM samples WHERE metric = 'cpu_system'", 2400],
  ["SELECT count(*) FROM samples WHERE lower(metric) = 'cpu_user'"],
  ["SELECT metric, count(*) FROM samples WHERE metric LIKE 'cpu%' GROUP BY 1 ORDER BY 1"],
  ["SELECT metric, count(*) FROM samples WHERE metric ILIKE 'CPU_user' GROUP BY 1 ORDER BY 1"],
  ["SELECT count(*) FROM samples WHERE metric = 'cpu_user' OR host = 'beta'"],
  ["SELECT count(*) FROM samples WHERE metric = 'cpu_user' OR metric = 'mem'", 4800],
  [
    `SELECT count(*), min(ts), max(ts) FROM samples WHERE (metric = 'cpu_user' OR metric = 'mem')
     AND ts >= epoch_ms(${at(300)})`,
    1200,
  ],
  [`SELECT count(*) FROM samples WHERE ts BETWEEN '${iso(at(10))}' AND '${iso(at(20))}'`, 198],
  [`SELECT count(*) FROM samples WHERE ts >= TIMESTAMP '${iso(at(10))}' AND ts < epoch_ms(${
    at(20)
  })`],
  [`SELECT count(*) FROM samples WHERE ts > epoch_ms(${at(399)})`, 18],
  [`SELECT count(*) FROM samples WHERE ts >= epoch_ms(${at(399)})`, 18],
  [`SELECT count(*) FROM samples WHERE ts < epoch_ms(${at(1)})`, 36],
  [`SELECT count(*) FROM samples WHERE ts <= epoch_ms(${at(0)})`, 18],
  [`SELECT count(*) FROM samples WHERE ts = epoch_ms(${at(7)})`, 18],
  [`SELECT count(*) FROM samples WHERE epoch_ms(${at(7)}) = ts`, 18],
  [`SELECT count(*) FROM samples WHERE epoch_ms(${at(390)}) < ts`],
  [`SELECT count(*) FROM samples WHERE ts > epoch_ms(${at(7) + 1}) AND ts < epoch_ms(${at(8)})`],
  [`SELECT count(*) FROM samples WHERE ts >= '${iso(at(7))}.0001'`],
  [`SELECT count(*) FROM samples WHERE ts >= '${iso(at(7))}'::TIMESTAMP`],
  [`SELECT count(*) FROM samples WHERE ts >= '${iso(at(7))}'::TIMESTAMPTZ`],
  ["SELECT count(*) FROM samples WHERE ts > 'not a time'"],
  ["SELECT count(*) FROM samples WHERE ts > now() - INTERVAL 1 DAY"],
  [`SELECT count(*) FROM samples WHERE ts >= epoch_ms(${T0 - HOUR})`],
  [
    `SELECT a.metric, count(*) FROM samples a JOIN samples b ON a.ts = b.ts AND a.host = b.host
     AND a.labels = b.labels WHERE a.metric = 'cpu_user' AND b.metric = 'mem' GROUP BY 1`,
  ],
  [
    `SELECT count(*) FROM samples a JOIN samples b USING (ts, host, labels)
     WHERE a.metric = 'cpu_user' AND b.metric = 'mem'`,
  ],
  [
    `SELECT count(*) FROM samples a LEFT JOIN samples b ON a.ts = b.ts AND b.metric = 'mem'
     WHERE a.metric = 'cpu_user' AND a.host = 'alpha'`,
  ],
  [
    `SELECT count(*) FROM samples WHERE metric = 'mem'
     AND value > (SELECT avg(value) FROM samples WHERE metric = 'cpu_user')`,
    4800,
  ],
  [
    `SELECT count(*) FROM samples s WHERE s.metric = 'mem' AND EXISTS
     (SELECT 1 FROM samples t WHERE t.ts = s.ts AND t.metric = 'cpu_user' AND t.host = s.host)`,
    4800,
  ],
  ["SELECT count(*) FROM samples s WHERE EXISTS (SELECT 1 FROM samples WHERE s.metric = 'mem')"],
  ["SELECT count(*) FROM samples s WHERE samples.metric = 'mem'"],
  ["SELECT count(*) FROM samples WHERE samples.metric = 'mem'", 2400],
  ["SELECT count(*) FROM main.samples WHERE metric = 'mem'", 2400],
  [
    `SELECT (SELECT count(*) FROM samples WHERE metric = o.metric) FROM
     (SELECT 'mem' AS metric) o`,
  ],
  [
    `WITH c AS (SELECT * FROM samples WHERE host = 'alpha')
     SELECT metric, count(*) FROM c WHERE metric = 'mem' GROUP BY 1`,
    4800,
  ],
  [
    `WITH samples AS (SELECT ts, host, labels AS metric, metric AS labels, value FROM samples
     WHERE host = 'beta') SELECT count(*) FROM samples WHERE metric = 'core=1'`,
  ],
  [
    `WITH samples AS (SELECT * FROM samples) SELECT count(*) FROM samples
     WHERE metric = 'mem'`,
  ],
  ["SELECT count(*) FROM samples AS s(a, b, labels, metric) WHERE metric = 'core=0'"],
  ["SELECT count(*) FROM samples s(a, b, c) WHERE c = 'mem'"],
  [
    `SELECT metric, count(*) FROM samples WHERE metric = 'mem' GROUP BY 1 UNION ALL
     SELECT host, count(*) FROM samples WHERE host = 'alpha' GROUP BY 1 ORDER BY 1`,
  ],
  ["SELECT count(*) FROM samples WHERE metric IN ('mem', 'cpu_system')", 4800],
  ["SELECT count(*) FROM samples WHERE metric NOT IN ('mem', 'cpu_system')"],
  ["SELECT count(*) FROM samples WHERE labels = 'core=1' AND host = 'alpha'", 1600],
  ["SELECT count(*) FROM samples WHERE host = 'ALPHA'", 0],
  ["SELECT count(*) FROM samples WHERE metric = 'mem' AND metric = 'cpu_user'", 0],
  ["SELECT count(*) FROM samples WHERE NOT (metric = 'mem')"],
  ["SELECT count(*) FROM samples WHERE metric <> 'mem'"],
  ["SELECT count(*) FROM samples WHERE (metric = 'mem') = false"],
  ["SELECT count(*) FROM samples WHERE metric = $$mem$$", 2400],
  ["SELECT count(*) FROM samples WHERE metric = 'mem'' OR 1=1 --'", 0],
  ["SELECT count(*) FROM samples WHERE metric IN (SELECT 'mem')"],
  ["SELECT count(*) FROM samples WHERE metric = 'mem' COLLATE nocase"],
  ["SELECT count(*) FROM samples WHERE metric COLLATE nocase = 'MEM'"],
  [
    `SELECT ts, value, lag(value) OVER (ORDER BY ts) FROM samples WHERE metric = 'mem'
     AND host = 'alpha' AND labels = 'core=0' ORDER BY ts LIMIT 20`,
    400,
  ],
  [
    `SELECT m.metric, n FROM (SELECT DISTINCT metric FROM samples WHERE host = 'alpha') m,
     LATERAL (SELECT count(*) AS n FROM samples s WHERE s.metric = m.metric) ORDER BY 1`,
  ],
  ["SELECT metric, count(*) FROM samples GROUP BY metric HAVING metric = 'mem'"],
  [
    `SELECT ts, host, labels, value FROM samples WHERE metric = 'mem'
     QUALIFY row_number() OVER (PARTITION BY host, labels ORDER BY ts DESC) = 1 ORDER BY 2, 3`,
    2400,
  ],
  ["FROM samples SELECT count(*) WHERE metric = 'mem'", 2400],
  [
    `WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3)
     SELECT n, (SELECT count(*) FROM samples WHERE metric = 'mem') FROM r ORDER BY n`,
    2400,
  ],
  ["SELECT count(*) FROM samples WHERE \"METRIC\" = 'mem'", 2400],
  ["SELECT count(*) FROM samples WHERE metric = 'mem' AND value > 1e400"],
  ["SELECT count(*) FROM rollup_1m", 0],
  ["SELECT 42", 0],
  ["SELECT metric, count(*), sum(value) FROM samples GROUP BY 1 ORDER BY 1"],
  ["DESCRIBE samples"],
  ["EXPLAIN SELECT count(*) FROM samples WHERE metric = 'mem'"],
  ["SUMMARIZE SELECT value FROM samples WHERE metric = 'mem'"],
  ["PIVOT (SELECT host, metric FROM samples WHERE metric = 'mem') ON metric USING count(*)"],
  ["SELECT * FROM read_parquet('/etc/passwd')"],
  ["SELECT * FROM _buffered.rows"],
  ["SELECT count(*) FROM samples WHERE metric = 'mem'; DROP VIEW samples"],
  ["SELECT count(*) FROM samples WHERE metric = (SELECT current_setting('memory_limit'))"],
  ["SELECT count(*) FROM samples, query('SELECT 1') WHERE metric = 'mem'"],
  ["SELECT count(*) FROM samples USING SAMPLE 100% (bernoulli) WHERE metric = 'mem'"],
  ["SELECT count(*) FROM samples TABLESAMPLE 100% WHERE metric = 'mem'"],
];

/** A lake of one simulated host (two hours, a day before `T0`) and an ingest writer holding
 * 2 hosts × 3 metrics × 3 labels × 400 times, a row every 250 ms from `T0`, values in quarters
 * (any order of summing them is exact). */
export async function pruneFixture(): Promise<
  { root: string; writer: IngestWriter } & AsyncDisposable
> {
  const root = await Deno.makeTempDir({ prefix: "perfscope-prune-" });
  const dir = await Deno.makeTempDir({ prefix: "perfscope-prune-writer-" });
  simulateHost({
    root,
    host: "alpha",
    start: T0 - 24 * HOUR,
    durationMs: 2 * HOUR,
    stepMs: 60_000,
    cpus: 2,
  });
  const writer = new IngestWriter({
    root: dir,
    sync: false,
    now: () => T0,
    maxBufferedRows: 100_000,
    flushRows: 1_000_000,
    flushEveryMs: 3_600_000,
  });
  const series: [string, string, string][] = [];
  for (const h of ["alpha", "beta"]) {
    for (const m of ["cpu_user", "cpu_system", "mem"]) {
      for (const l of ["core=0", "core=1", ""]) series.push([h, m, l]);
    }
  }
  for (let k = 0; k < 400; k++) {
    writer.writeBatch({
      ts: series.map(() => at(k)),
      host: series.map((s) => s[0]),
      metric: series.map((s) => s[1]),
      labels: series.map((s) => s[2]),
      value: series.map((_, i) => ((k * 7 + i) % 40) / 4),
    });
  }
  return {
    root,
    writer,
    async [Symbol.asyncDispose]() {
      writer.close();
      await Deno.remove(root, { recursive: true });
      await Deno.remove(dir, { recursive: true });
    },
  };
}
