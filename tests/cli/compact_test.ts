import assert from "node:assert/strict";
import { main } from "../../cli/compact.ts";
import { openLake, simulateHost } from "../../lake/mod.ts";

const day = Date.UTC(2024, 2, 1);

Deno.test("compact main() merges, builds rollups and applies --retention relative to --now (partitions wholly older than it go)", async () => {
  const root = Deno.makeTempDirSync();
  simulateHost({
    root,
    start: day,
    durationMs: 2 * 86_400_000,
    stepMs: 600_000,
    chunkMs: 3_600_000,
  });
  assert.equal(
    await main(["--data", root, "--now", "2024-03-03T12:00:00Z", "--retention", "1d"]),
    0,
  );
  const lake = await openLake({ root });
  const rows = await lake.query("SELECT date, count(*) AS n FROM samples GROUP BY 1 ORDER BY 1");
  assert.deepEqual(rows, [{ date: "2024-03-02", n: 144 * 308 }]);
  assert.deepEqual(await lake.query("SELECT sum(count) AS n FROM rollup_1h"), [{ n: 144 * 308 }]);
  lake.close();
});

Deno.test("compact main() prints help and rejects bad flags", async () => {
  assert.equal(await main(["-h"]), 0);
  await assert.rejects(() => main(["--retention", "forever"]), {
    name: "UsageError",
    message: /Invalid --retention/,
  });
  await assert.rejects(() => main(["--now", "yesterday"]), {
    name: "UsageError",
    message: /Invalid --now/,
  });
  await assert.rejects(() => main(["--x"]), { name: "UsageError" });
});

Deno.test("compact main() on an empty lake succeeds", async () => {
  assert.equal(await main(["--data", Deno.makeTempDirSync()]), 0);
});

Deno.test("compact --now later than the clock is refused before any file is touched", async () => {
  // a new user's walkthrough: --now 2999-01-01 (a typo of the year away) expired every partition
  const root = Deno.makeTempDirSync();
  simulateHost({ root, start: Date.now() - 3_600_000, durationMs: 600_000, stepMs: 60_000 });
  const before = [...Deno.readDirSync(`${root}/metrics`)].length;
  await assert.rejects(() => main(["--data", root, "--now", "2999-01-01", "--retention", "1d"]), {
    name: "UsageError",
    message: /^Invalid --now: 2999-01-01 is later than the clock \(.*\): retention would expire/,
  });
  assert.equal([...Deno.readDirSync(`${root}/metrics`)].length, before);
  const lake = await openLake({ root });
  assert.deepEqual(await lake.query("SELECT count(*) AS n FROM samples"), [{ n: 10 * 308 }]);
  lake.close();
});

Deno.test("compact on a lake of one day says '1 partition', not '1 partitions', and groups its row count", async () => {
  // the scheduler's first compaction of a new lake printed "Compacted 1 partitions" into the audit
  const root = Deno.makeTempDirSync();
  simulateHost({ root, start: day, durationMs: 3_600_000, stepMs: 600_000, chunkMs: 3_600_000 });
  const cli = new URL("../../cli/compact.ts", import.meta.url).pathname;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", cli, "--data", root, "--now", "2024-03-01T12:00:00Z"],
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  // its rows grouped as the other commands print counts: it said "1848 rows"
  const m = text.match(
    /^Compacted 1 partition: 1 file into 1, (\d{1,3}(?:,\d{3})+) rows \(.+\); expired 0 partitions\n$/,
  );
  assert.ok(m, text);
  const lake = await openLake({ root });
  const [{ n }] = await lake.query("SELECT count(*) AS n FROM samples") as [{ n: number }];
  lake.close();
  assert.equal(Number(m[1]!.replaceAll(",", "")), Number(n));
  Deno.removeSync(root, { recursive: true });
});
