/**
 * What one silence change costs to store: the whole file rewritten at every change (temporary
 * file, flush, rename: what perfscope did before `silences.log`) against one record appended and
 * flushed, with the log folded into the snapshot once it holds as many records as there are
 * silences. Each row starts from a store of N silences (a snapshot written beforehand) and times
 * 100 creations, one after the other, each awaited as the API awaits it. The append's amortized
 * cost adds one compaction shared by the N changes that lead to it.
 *
 * `deno run -A bench/silences_write_bench.ts [--quick]`
 *
 * @module
 */
import { SilenceStore } from "../alerts/mod.ts";
import { benchMain, quickFlag } from "./_flags.ts";
import { table } from "./_table.ts";

const T0 = Date.now();
const WRITES = 100;

/** A silence as the API makes them: two matchers, a comment, an author. */
function silence(i: number) {
  return {
    id: crypto.randomUUID(),
    matchers: [
      { name: "host", op: "=~", value: `db-${i}.*` },
      { name: "severity", op: "!=", value: "info" },
    ],
    startsAt: T0,
    endsAt: T0 + 86_400_000,
    createdBy: "oncall@example.com",
    comment: `replacing disk ${i} in rack 12, ticket OPS-${10_000 + i}: alerts expected`,
    createdAt: T0,
  };
}

interface Row {
  p50: number;
  mean: number;
  max: number;
  bytes: number;
}

async function seeded(n: number): Promise<string> {
  const root = await Deno.makeTempDir({ prefix: "perfscope-silence-bench-" });
  await Deno.mkdir(`${root}/alerts`);
  const all = Array.from({ length: n }, (_, i) => silence(i));
  await Deno.writeTextFile(`${root}/alerts/silences.json`, JSON.stringify({ silences: all }));
  return root;
}

function size(path: string): number {
  try {
    return Deno.statSync(path).size;
  } catch {
    return 0;
  }
}

async function run(n: number, rewrite: boolean, writes: number): Promise<Row> {
  const root = await seeded(n);
  const store = await SilenceStore.open(root, { now: () => T0, log: { rewrite } });
  const ms: number[] = [];
  let bytes = 0;
  for (let i = 0; i < writes; i++) {
    const logBefore = size(`${root}/alerts/silences.log`);
    const t = performance.now();
    await store.create({
      matchers: [{ name: "host", op: "=", value: `new-${i}` }],
      endsAt: T0 + 3_600_000,
      createdBy: "oncall@example.com",
      comment: `bench write ${i}: a comment of typical length for a maintenance silence`,
    });
    ms.push(performance.now() - t);
    bytes += rewrite
      ? size(`${root}/alerts/silences.json`)
      : size(`${root}/alerts/silences.log`) - logBefore;
  }
  await Deno.remove(root, { recursive: true });
  ms.sort((a, b) => a - b);
  const mean = ms.reduce((a, b) => a + b, 0) / ms.length;
  return { p50: ms[ms.length >> 1]!, mean, max: ms.at(-1)!, bytes: bytes / writes };
}

const USAGE = `Usage: deno run -A bench/silences_write_bench.ts [--quick]

Times storing a silence: the whole file rewritten at every change against one record appended to
silences.log, on stores of 1,000 and 9,900 silences, 100 creations each.

  --quick   1,000 silences and 20 creations only
  --help    this text`;

/** Runs both ways on each size and prints them side by side. */
async function main({ quick }: { quick: boolean }): Promise<void> {
  const sizes = quick ? [1_000] : [1_000, 9_900];
  const writes = quick ? 20 : WRITES;
  const rows = [[
    "silences",
    "rewrite p50 ms",
    "append p50 ms",
    "ratio",
    "rewrite mean ms",
    "append mean ms",
    "append amortized ms",
    "rewrite B/write",
    "append B/write",
  ]];
  for (const n of sizes) {
    const whole = await run(n, true, writes);
    const log = await run(n, false, writes);
    // the compaction that comes after n appends: one whole rewrite, shared by those n
    const amortized = log.mean + whole.mean / n;
    const amortizedBytes = log.bytes + whole.bytes / n;
    rows.push([
      n.toLocaleString("en"),
      whole.p50.toFixed(2),
      log.p50.toFixed(2),
      `${(whole.p50 / log.p50).toFixed(1)}×`,
      whole.mean.toFixed(2),
      log.mean.toFixed(2),
      amortized.toFixed(2),
      Math.round(whole.bytes).toLocaleString("en"),
      Math.round(amortizedBytes).toLocaleString("en"),
    ]);
  }
  console.log(`${writes} creations each, flushed to disk (fsync) in both ways`);
  console.log(table(rows));
}

if (import.meta.main) await benchMain(USAGE, quickFlag, main);
