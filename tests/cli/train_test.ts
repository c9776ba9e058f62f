import assert from "node:assert/strict";
import { join } from "node:path";
import { main } from "../../cli/train.ts";
import { UsageError } from "../../cli/_args.ts";
import { loadModels, modelsDir } from "../../analytics/models/persist_models.ts";
import { simulateHost } from "../../lake/mod.ts";

const DAY = 86_400_000;

let lakeRoot: string | undefined;
function lake(): string {
  if (lakeRoot) return lakeRoot;
  const root = Deno.makeTempDirSync({ prefix: "perfscope-train-" });
  simulateHost({
    root,
    host: "db1",
    start: Date.UTC(2024, 0, 1),
    durationMs: 3 * DAY,
    stepMs: 600_000,
    cpus: 2,
    topN: 1,
    diskFill: { from: 0.6, to: 0.8 },
  });
  return lakeRoot = root;
}

async function run(args: string[]): Promise<{ code: number; out: string }> {
  let out = "";
  const code = await main(args, (t) => void (out += t));
  return { code, out };
}

Deno.test("train stores a forecast and a capacity model for every resource", async () => {
  const root = lake();
  const { code, out } = await run(["--data", root, "--since", "3d"]);
  assert.equal(code, 0, out);
  const { models, errors } = await loadModels(root);
  assert.deepEqual(errors, []);
  const capacity = models.filter((m) => m.kind === "capacity");
  const forecasts = models.filter((m) => m.kind === "forecast");
  assert.ok(capacity.length >= 10, `${capacity.length} capacity models`);
  assert.equal(forecasts.length, capacity.length);
  const varModel = capacity.find((m) =>
    m.series.metric === "filesystem_used_bytes" && m.series.labels.includes("mountpoint=/var")
  )!;
  assert.equal(varModel.model, "linear");
  assert.equal(varModel.params.status, "crossing");
  assert.equal(varModel.params.resource, "filesystem");
  assert.ok(typeof varModel.params.eta === "number");
  assert.equal(varModel.series.stepMs, 900_000);
  assert.equal(varModel.fittedAt, Date.UTC(2024, 0, 4) - 600_000);
  assert.match(
    out,
    /stored capacity\/db1\/filesystem_used_bytes\{device=nvme1n1p1,fstype=xfs,mountpoint=\/var\} {2}linear {2}crossing, eta 2024-01-0/,
  );
  assert.match(out, new RegExp(`${models.length} models stored in ${root}/models\\n$`));
  const f = forecasts[0]!;
  assert.ok(typeof f.backtest.mae === "number" || f.backtest.mae === null);
  assert.ok("mean" in f.residuals);
});

Deno.test("train --metric trains that metric's series and reports corrupt model files", async () => {
  const root = lake();
  Deno.mkdirSync(modelsDir(root), { recursive: true });
  Deno.writeTextFileSync(join(modelsDir(root), "torn.json"), "{");
  const { code, out } = await run(["--data", root, "--metric", "memory_bytes", "--host", "db1"]);
  assert.equal(code, 0, out);
  assert.match(out, /^skipped corrupt .*torn\.json: /);
  assert.match(out, /stored forecast\/db1\/memory_bytes\{state=total\}/);
  assert.match(out, /stored capacity\/db1\/memory_bytes\{state=used\}/);
  assert.doesNotMatch(out, /capacity\/db1\/memory_bytes\{state=total\}/);
  assert.match(out, /1 corrupt file skipped\n$/);
  Deno.removeSync(join(modelsDir(root), "torn.json"));
});

Deno.test("train --help prints usage", async () => {
  const { code, out } = await run(["-h"]);
  assert.equal(code, 0);
  assert.match(out, /^Usage: deno task train/);
});

Deno.test("train rejects bad flags and fails on an empty lake or unknown metric", async () => {
  await assert.rejects(run(["--since", "soon"]), UsageError);
  await assert.rejects(run(["--metric", "Bad Name"]), /Invalid --metric: Bad Name/);
  await assert.rejects(run(["extra"]), /Invalid arguments/);
  await assert.rejects(run(["--data", Deno.makeTempDirSync()]), /No samples in the lake/);
  await assert.rejects(
    run(["--data", lake(), "--metric", "no_such_metric"]),
    /No series of no_such_metric/,
  );
});

Deno.test("train on 7 minutes of data stores capacity models with status insufficient and no ETA", async () => {
  const root = Deno.makeTempDirSync({ prefix: "perfscope-train-short-" });
  simulateHost({
    root,
    host: "fresh",
    start: Date.UTC(2024, 0, 1),
    durationMs: 7 * 60_000,
    stepMs: 10_000,
    cpus: 1,
    topN: 1,
    diskFill: { from: 0.1, to: 0.3 },
  });
  const { out } = await run(["--data", root]);
  const { models } = await loadModels(root);
  const capacity = models.filter((m) => m.kind === "capacity");
  assert.ok(capacity.length > 5, out);
  for (const m of capacity) {
    assert.equal(m.params.status, "insufficient", m.key);
    assert.equal(m.params.eta, null);
    assert.equal(m.params.reason, "7 min of history; ETAs need 1 day");
  }
  assert.match(out, /insufficient, eta none/);
  // the closing line (the Schedule table's detail too) says none of it is usable yet
  const n = capacity.length;
  assert.match(
    out,
    new RegExp(
      `^${models.length} models stored in .*/models \\(${n} with too little history for an ETA\\), ` +
        `\\d+ forecasts? skipped \\(not enough data yet\\)$`,
      "m",
    ),
  );
});

Deno.test("train stores no forecast model that looks further ahead than its history (evidence rules)", async () => {
  // a new user's walkthrough: 6 minutes of data, the default 1-day horizon, read at a 1-hour step,
  // stored a forecast fitted on one point with zero-wide bands for the next 24 hours
  const root = Deno.makeTempDirSync({ prefix: "perfscope-train-horizon-" });
  simulateHost({
    root,
    host: "fresh",
    start: Date.UTC(2024, 0, 1),
    durationMs: 6 * 60_000,
    stepMs: 1_000,
    cpus: 1,
    topN: 1,
  });
  const { code, out } = await run(["--data", root]);
  assert.equal(code, 0, out);
  const { models } = await loadModels(root);
  assert.deepEqual(models.filter((m) => m.kind === "forecast").map((m) => m.key), []);
  assert.ok(models.some((m) => m.kind === "capacity"), out);
  assert.match(out, /^skipped forecast\/fresh\/memory_bytes\{state=used\}: Not enough data yet: /m);
  // with the horizon inside the history, at a step that gives it points, the model is stored
  const short = await run(["--data", root, "--since", "5m", "--horizon", "5m"]);
  assert.equal(short.code, 0, short.out);
  assert.match(short.out, /^stored forecast\/fresh\/memory_bytes\{state=used\}/m);
});
