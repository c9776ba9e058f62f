import assert from "node:assert/strict";
import { openLake, writeSamples } from "../../lake/mod.ts";

Deno.test("Lake.query() redefines the views and retries once when a file behind them went away", async () => {
  const root = Deno.makeTempDirSync();
  const ts = Date.UTC(2024, 0, 1);
  const [written] = writeSamples([{ ts, host: "h", metric: "m", labels: {}, value: 1 }], {
    root,
    id: ts,
  });
  const lake = await openLake({ root });
  // As if compaction in another process replaced a file between the listing and the read.
  const gone = `${Deno.makeTempDirSync()}/gone.parquet`;
  Deno.copyFileSync(written!.path, gone);
  await lake.connection.run(`CREATE OR REPLACE VIEW samples AS FROM read_parquet('${gone}')`);
  Deno.removeSync(gone);
  assert.deepEqual(await lake.query("SELECT count(*) AS n FROM samples"), [{ n: 1 }]);
  lake.close();
});
