import assert from "node:assert/strict";
import { DuckDBInstance } from "@duckdb/node-api";
import { createViews, type ViewFiles } from "../../lake/_views.ts";
import { writeSamples } from "../../lake/mod.ts";

const empty = (): ViewFiles => ({
  samples: [],
  rollup_1m: [],
  rollup_1h: [],
  _fresh_1m: [],
  _fresh_1h: [],
});

Deno.test("createViews() lists again when a listed file is gone by the time DuckDB binds the view", async () => {
  // The race the chaos test met in CI: a compaction removed a part between the listing and the
  // view. Here the first listing names a part that does not exist, the second the real one.
  const root = Deno.makeTempDirSync();
  const db = await DuckDBInstance.create(":memory:");
  const con = await db.connect();
  try {
    const [file] = writeSamples(
      [{ ts: 1_700_000_000_000, host: "h", metric: "m", labels: {}, value: 3 }],
      { root, id: 1, sync: false },
    );
    const gone = file!.path.replace("part-", "part-9");
    let listings = 0;
    const files = await createViews((sql) => con.run(sql), () => {
      listings++;
      return { ...empty(), samples: [listings === 1 ? gone : file!.path] };
    });
    assert.equal(listings, 2);
    assert.deepEqual(files.samples, [file!.path]);
    const r = await con.runAndReadAll("SELECT sum(value)::DOUBLE AS v FROM samples");
    assert.deepEqual(r.getRowObjectsJS(), [{ v: 3 }]);

    // a file that stays gone: the error after 8 listings; any other error at once
    listings = 0;
    await assert.rejects(
      createViews((sql) => con.run(sql), () => (listings++, { ...empty(), samples: [gone] })),
      /No files found|No such file|Cannot open file/,
    );
    assert.equal(listings, 8);
    listings = 0;
    await assert.rejects(
      createViews(
        () => Promise.reject(new Error("Parser Error: boom")),
        () => (listings++, empty()),
      ),
      /Parser Error/,
    );
    assert.equal(listings, 1);
  } finally {
    con.closeSync();
    db.closeSync();
    Deno.removeSync(root, { recursive: true });
  }
});
