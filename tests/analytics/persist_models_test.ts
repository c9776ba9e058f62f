import assert from "node:assert/strict";
import { join } from "node:path";
import {
  loadModel,
  loadModels,
  modelFileName,
  modelKey,
  modelsDir,
  parseModel,
  saveModel,
  type StoredModel,
} from "../../analytics/models/persist_models.ts";

function model(kind: StoredModel["kind"], host: string): StoredModel {
  const series = {
    host,
    metric: "filesystem_used_bytes",
    labels: "mountpoint=/var",
    from: 1,
    to: 2,
  };
  return {
    version: 1,
    key: modelKey(kind, series),
    kind,
    series,
    model: "linear",
    params: { trend: { a: 1, b: 2, c: 0 }, profile: [0.5, -0.5] },
    backtest: { linearMae: 0.25, quadraticMae: NaN },
    residuals: { scale: 0.1, points: 120 },
    fittedAt: Date.UTC(2024, 0, 8),
  };
}

Deno.test("saveModel() and loadModels() round-trip models, NaN as null", async () => {
  const root = Deno.makeTempDirSync();
  const a = model("capacity", "db1");
  const b = model("forecast", "db1");
  const path = saveModel(root, a);
  saveModel(root, b);
  assert.equal(path, join(modelsDir(root), modelFileName(a.key)));
  const { models, errors } = await loadModels(root);
  assert.deepEqual(errors, []);
  assert.deepEqual(models.map((m) => m.key), [a.key, b.key]);
  assert.deepEqual(models[0], { ...a, backtest: { linearMae: 0.25, quadraticMae: null } });
  assert.deepEqual((await loadModels(root, { kind: "forecast" })).models.map((m) => m.kind), [
    "forecast",
  ]);
  assert.equal((await loadModel(root, a.key))?.model, "linear");
  assert.equal(await loadModel(root, "capacity/none/x{}"), undefined);
  // Saving again replaces the file whole; no temporary file is left behind.
  saveModel(root, { ...a, model: "quadratic" });
  assert.equal((await loadModel(root, a.key))?.model, "quadratic");
  assert.deepEqual(
    [...Deno.readDirSync(modelsDir(root))].filter((e) => !e.name.endsWith(".json")),
    [],
  );
});

Deno.test("loadModels() skips and reports corrupt files without failing", async () => {
  const root = Deno.makeTempDirSync();
  saveModel(root, model("capacity", "db1"));
  const dir = modelsDir(root);
  Deno.writeTextFileSync(join(dir, "a-torn.json"), '{"version": 1, "key": "x"');
  Deno.writeTextFileSync(
    join(dir, "b-wrong.json"),
    JSON.stringify({ ...model("capacity", "h"), kind: "magic" }),
  );
  Deno.writeTextFileSync(join(dir, "c-array.json"), "[]");
  Deno.writeTextFileSync(join(dir, "notes.txt"), "ignored");
  const { models, errors } = await loadModels(root);
  assert.equal(models.length, 1);
  assert.deepEqual(errors.map((e) => e.file.split("/").at(-1)), [
    "a-torn.json",
    "b-wrong.json",
    "c-array.json",
  ]);
  assert.match(errors[1]!.reason, /Invalid model file: kind is missing or wrong/);
});

Deno.test("loadModels() of a lake without models gives nothing", async () => {
  assert.deepEqual(await loadModels(Deno.makeTempDirSync()), { models: [], errors: [] });
});

Deno.test("parseModel() names the first missing field", () => {
  const good = model("forecast", "h");
  const without = (field: string) => {
    const copy: Record<string, unknown> = { ...good };
    delete copy[field];
    return JSON.stringify(copy);
  };
  for (
    const field of [
      "version",
      "key",
      "model",
      "fittedAt",
      "series",
      "params",
      "backtest",
      "residuals",
    ]
  ) {
    assert.throws(() => parseModel(without(field)), new RegExp(`${field} is missing`));
  }
  assert.throws(() => parseModel("null"), /top-level object/);
  assert.throws(() => parseModel("{"), SyntaxError);
  assert.equal(parseModel(JSON.stringify(good)).key, good.key);
});

Deno.test("modelFileName() keeps distinct keys apart after slugging", () => {
  const a = modelFileName("capacity/h/m{a=1}");
  const b = modelFileName("capacity/h/m{a_1}");
  assert.notEqual(a, b);
  assert.match(a, /^capacity_h_m_a_1_-[0-9a-f]{8}\.json$/);
  assert.equal(modelKey("forecast", { host: null, metric: "m", labels: "" }), "forecast/*/m{}");
});
