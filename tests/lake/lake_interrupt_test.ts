import assert from "node:assert/strict";
import { LakeError, openLake } from "../../lake/mod.ts";

Deno.test("Lake.interrupt() ends the statement running on the shared connection", async () => {
  const root = await Deno.makeTempDir();
  const lake = await openLake({ root });
  try {
    // hours of work unless interrupted
    const running = lake.query(
      "SELECT count(*) AS n FROM range(1000000000000) t(x) WHERE x % 7 = 3",
    );
    // an interrupt before the statement reaches DuckDB does nothing: repeat until it fails
    const again = setInterval(() => lake.interrupt(), 50);
    try {
      await assert.rejects(running, (e) => e instanceof LakeError && /INTERRUPT/i.test(e.message));
    } finally {
      clearInterval(again);
    }
    // the connection serves the next statement
    assert.deepEqual(await lake.query("SELECT 1 AS one"), [{ one: 1 }]);
  } finally {
    lake.close();
    await Deno.remove(root, { recursive: true });
  }
});
