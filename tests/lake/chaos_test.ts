/**
 * Chaos: real collector, compaction and serve processes killed with SIGKILL at seeded-random
 * points while readers query the lake; after every kill, everything that was visible before is
 * still visible exactly once.
 */
import assert from "node:assert/strict";
import { type Lake, openLake, simulateHost, visibleFiles } from "../../lake/mod.ts";
import { mulberry32 } from "../../lake/_prng.ts";

const repo = new URL("../..", import.meta.url).pathname;
const H = 3_600_000;
const start = Date.UTC(2024, 6, 1, 23);
const SEED = Number(Deno.env.get("PERFSCOPE_CHAOS_SEED") ?? 20241);

/** Count and an order-independent checksum per host and metric of the simulated hosts. */
const CENSUS = "SELECT host, metric, count(*)::DOUBLE AS n, " +
  "sum(hash(ts::TIMESTAMP_MS, metric, labels, value))::VARCHAR AS h FROM samples " +
  "WHERE host LIKE 'sim%' GROUP BY ALL ORDER BY ALL";
/** Samples counted twice anywhere (the collector's own host included). */
const DUPLICATES = "SELECT (count(*) - count(DISTINCT (host, ts, metric, labels)))::DOUBLE AS d " +
  "FROM samples";

type Kind = "compact" | "collect" | "serve";

function command(kind: Kind, root: string): string[] {
  switch (kind) {
    case "compact":
      return ["cli/compact.ts", "--data", root, "--retention", "100000d"];
    case "collect":
      return ["cli/collect.ts", "--data", root, "--host", "chaos", "--interval", "1s"]
        .concat(["--flush", "1s", "--top", "2"]);
    case "serve":
      return ["cli/serve.ts", "--data", root, "--port", "0", "--no-collect"];
  }
}

/** Reads through `read_parquet` over {@linkcode visibleFiles}, as an outside tool would. */
async function directCensus(root: string): Promise<string> {
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const db = await DuckDBInstance.create(":memory:", { threads: "1" });
  const con = await db.connect();
  try {
    for (let attempt = 0;; attempt++) {
      const files = visibleFiles(root, "metrics").map((f) => `'${f}'`).join(", ");
      try {
        const reader = await con.runAndReadAll(
          CENSUS.replace("FROM samples", `FROM read_parquet([${files}], hive_partitioning = true)`),
        );
        return JSON.stringify(reader.getRowObjectsJS());
      } catch (error) {
        // compaction replaced a file between the listing and the read: list again
        if (attempt < 5 && /No such file|No files found/i.test(String(error))) continue;
        throw error;
      }
    }
  } finally {
    con.closeSync();
    db.closeSync();
  }
}

async function lakeCensus(lake: Lake): Promise<string> {
  const [dup] = await lake.query<{ d: number }>(DUPLICATES);
  assert.equal(dup!.d, 0, "a sample is visible twice");
  return JSON.stringify(await lake.query(CENSUS));
}

function tmpFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of Deno.readDirSync(dir)) {
    if (e.isDirectory) out.push(...tmpFiles(`${dir}/${e.name}`));
    else if (e.name.endsWith(".tmp")) out.push(`${dir}/${e.name}`);
  }
  return out;
}

Deno.test({
  name:
    "kill -9 of collector, compaction and serve at random points never loses, hides or doubles a sample",
  sanitizeResources: false,
  async fn() {
    const root = Deno.makeTempDirSync();
    for (const host of ["sim-a", "sim-b"]) {
      simulateHost({
        root,
        host,
        start,
        durationMs: 2 * H,
        stepMs: 60_000,
        chunkMs: 600_000,
        cpus: 2,
        topN: 2,
      });
    }
    const reader = await openLake({ root });
    let before = await lakeCensus(reader);
    assert.ok(before.length > 100);
    assert.equal(await directCensus(root), before);
    const rng = mulberry32(SEED);
    const rounds: Kind[] = ["compact", "collect", "compact", "serve", "compact"];
    const errors: string[] = [];
    let reads = 0;
    for (const [i, kind] of rounds.entries()) {
      // compaction dies when its k-th temporary file appears (mid-write), the others after a delay
      const delayMs = Math.round(300 + rng() * 2200);
      const k = 1 + Math.floor(rng() * 8);
      const at = kind === "compact" ? `its temporary file #${k}` : `${delayMs} ms`;
      const label = `round ${i} (${kind} killed at ${at}, seed ${SEED})`;
      if (kind === "compact") {
        // fresh small files, so that every compaction has work to be killed in
        simulateHost({
          root,
          host: `sim-${i}`,
          start: start + H / 2 + i * 60_000,
          durationMs: H,
          stepMs: 60_000,
          chunkMs: 600_000,
          cpus: 2,
          topN: 2,
          seed: i + 2,
        });
        before = await lakeCensus(reader);
      }
      const child = new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", ...command(kind, root)],
        cwd: repo,
        stdout: "null",
        stderr: "null",
      }).spawn();
      let running = true;
      const kill = () => running && child.kill("SIGKILL");
      const timer = setTimeout(kill, kind === "compact" ? 20_000 : delayMs);
      const status = child.status.finally(() => (running = false));
      if (kind === "compact") {
        (async () => {
          const seen = new Set<string>();
          while (running && seen.size < k) {
            for (const f of tmpFiles(root)) seen.add(f);
            await new Promise((r) => setTimeout(r, 2));
          }
          kill();
        })();
      }
      // readers run while the child works and until it is dead
      const readers = (async () => {
        while (running) {
          try {
            if (await lakeCensus(reader) !== before) errors.push(`${label}: lake reader differs`);
            if (await directCensus(root) !== before) errors.push(`${label}: direct reader differs`);
            reads++;
            await new Promise((r) => setTimeout(r, 100)); // leave the child some CPU
          } catch (error) {
            errors.push(`${label}: ${error instanceof Error ? error.message : error}`);
          }
        }
      })();
      await status;
      clearTimeout(timer);
      await readers;
      assert.deepEqual(errors, [], errors.join("\n"));
      const fresh = await openLake({ root });
      assert.equal(await lakeCensus(fresh), before, label);
      fresh.close();
    }
    assert.ok(reads > 0);
    // the next compaction finishes the job: one file per partition, no temporary file left
    const done = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", ...command("compact", root)],
      cwd: repo,
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(done.code, 0, new TextDecoder().decode(done.stderr));
    assert.doesNotMatch(new TextDecoder().decode(done.stdout), /quarantine/);
    assert.equal(await lakeCensus(reader), before);
    assert.equal(await directCensus(root), before);
    assert.deepEqual(tmpFiles(root), []);
    assert.throws(() => Deno.statSync(`${root}/quarantine`), Deno.errors.NotFound);
    const simFiles = visibleFiles(root, "metrics").filter((f) => f.includes("host=sim-"));
    assert.equal(simFiles.length, 2 * (2 + rounds.filter((k) => k === "compact").length));
    assert.ok(simFiles.every((f) => /compact-\d+\.parquet$/.test(f)));
    reader.close();
  },
});
