import assert from "node:assert/strict";
import { main } from "../../cli/compact.ts";
import { openLake, simulateHost } from "../../lake/mod.ts";

const day = Date.UTC(2024, 2, 1);

Deno.test("compact takes data and retention from --config, and a flag wins over the file", async () => {
  const root = await Deno.makeTempDir();
  simulateHost({ root, start: day, durationMs: 3 * 86_400_000, stepMs: 3_600_000 });
  const file = `${root}.yaml`;
  await Deno.writeTextFile(file, `data: ${root}\nlake:\n  retention: 2d\n`);
  const dates = async () => {
    const lake = await openLake({ root });
    const rows = await lake.query("SELECT DISTINCT date FROM samples ORDER BY 1");
    lake.close();
    return rows.map((r) => r.date);
  };
  assert.equal(await main(["--config", file, "--now", "2024-03-04T12:00:00Z"]), 0);
  assert.deepEqual(await dates(), ["2024-03-02", "2024-03-03"]);
  assert.equal(
    await main(["--config", file, "--retention", "1d", "--now", "2024-03-04T12:00:00Z"]),
    0,
  );
  assert.deepEqual(await dates(), ["2024-03-03"]);
  await Deno.remove(root, { recursive: true });
  await Deno.remove(file);
});

Deno.test("compact refuses an invalid or missing --config with the file's position", async () => {
  const file = `${await Deno.makeTempDir()}/p.yaml`;
  await Deno.writeTextFile(file, "lake:\n  retention: forever\n");
  await assert.rejects(main(["--config", file]), {
    name: "ConfigError",
    message: new RegExp(`^${file}:2:14: lake.retention: invalid duration "forever"`),
  });
  await assert.rejects(main(["--config", `${file}.none`]), /cannot read/);
});

Deno.test("compact refuses a --retention without a unit and deletes nothing", async () => {
  const root = await Deno.makeTempDir();
  try {
    simulateHost({ root, start: day, durationMs: 3 * 86_400_000, stepMs: 3_600_000 });
    for (const bare of ["5", "30", "1.5", " 7 ", "1e3"]) {
      await assert.rejects(
        main(["--data", root, "--retention", bare, "--now", "2024-03-04T12:00:00Z"]),
        {
          name: "UsageError",
          message: /^Invalid --retention: .* needs a unit \(e\.g\. .*d or .*h\)/,
        },
      );
    }
    const lake = await openLake({ root });
    const rows = await lake.query("SELECT DISTINCT date FROM samples ORDER BY 1");
    lake.close();
    assert.deepEqual(rows.map((r) => r.date), ["2024-03-01", "2024-03-02", "2024-03-03"]);
    assert.equal(
      await main(["--data", root, "--retention", "36h", "--now", "2024-03-04T12:00:00Z"]),
      0,
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
