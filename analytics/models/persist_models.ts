/**
 * Fitted models stored next to the lake in `DATA/models/` as JSON, one file per series and
 * kind, written atomically (temporary file + rename) so a restart, a report or a notebook
 * reuses them. Loading skips and reports corrupt files instead of failing.
 *
 * @module
 */
import { join } from "node:path";
import { writeFileAtomic } from "../../lake/mod.ts";

/** A fitted model as stored. JSON-safe: `NaN` becomes `null`. */
export interface StoredModel {
  /** Format version (1). */
  version: 1;
  /** Unique key of series and kind, see {@linkcode modelKey}. */
  key: string;
  /** `forecast` (analytics/forecast/forecast.ts) or `capacity` (capacityForecast). */
  kind: "forecast" | "capacity";
  /** The series it was fitted on. */
  series: {
    host: string | null;
    metric: string;
    labels: string;
    /** Range fitted, ms. */
    from: number;
    to: number;
    stepMs?: number | null;
    tier?: string;
  };
  /** Model name, e.g. `ets_damped` or `linear`. */
  model: string;
  /** Fitted parameters (the forecast's `fitted`, or the capacity trend and profile). */
  params: Record<string, unknown>;
  /** Backtest scores (MAE, WAPE, coverage…), null where not computed. */
  backtest: Record<string, number | string | null>;
  /** Residual statistics (mean, sd or robust scale, count). */
  residuals: Record<string, number | null>;
  /** When it was fitted, ms since the epoch. */
  fittedAt: number;
}

/** A file that could not be loaded, and why. */
export interface ModelLoadError {
  file: string;
  reason: string;
}

/**
 * The models directory of a lake root.
 *
 * @param root Lake root, e.g. `data`.
 * @returns `<root>/models`.
 */
export function modelsDir(root: string): string {
  return join(root, "models");
}

/**
 * The key of a model: kind, host, metric and labels.
 *
 * @param kind `forecast` or `capacity`.
 * @param series Host (null for all hosts), metric and canonical labels.
 * @returns E.g. `capacity/db1/filesystem_used_bytes{mountpoint=/var}`.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { modelKey } from "./persist_models.ts";
 * assert.equal(modelKey("capacity", { host: "db1", metric: "memory_bytes", labels: "state=used" }),
 *   "capacity/db1/memory_bytes{state=used}");
 * ```
 */
export function modelKey(
  kind: StoredModel["kind"],
  series: { host: string | null; metric: string; labels: string },
): string {
  return `${kind}/${series.host ?? "*"}/${series.metric}{${series.labels}}`;
}

/**
 * The file name a key is stored under: a readable slug plus a hash (FNV-1a, Fowler–Noll–Vo)
 * so distinct keys never collide after slugging.
 *
 * @param key A model key.
 * @returns E.g. `capacity_db1_memory_bytes_state_used_-1a2b3c4d.json`.
 */
export function modelFileName(key: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  const slug = key.replace(/[^A-Za-z0-9._-]+/g, "_").slice(0, 120);
  return `${slug}-${(h >>> 0).toString(16).padStart(8, "0")}.json`;
}

/**
 * Stores a model atomically (temporary file, then rename) under `<root>/models/`.
 *
 * @param root Lake root.
 * @param model The model; its `key` picks the file.
 * @returns The file's path.
 * @throws {Error} If the directory cannot be written.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadModels, saveModel } from "./persist_models.ts";
 * const root = Deno.makeTempDirSync();
 * saveModel(root, { version: 1, key: "capacity/h/m{}", kind: "capacity",
 *   series: { host: "h", metric: "m", labels: "", from: 0, to: 1 }, model: "linear",
 *   params: { b: 2 }, backtest: { mae: NaN }, residuals: { scale: 0.1 }, fittedAt: 5 });
 * const { models } = await loadModels(root);
 * assert.equal(models[0]?.backtest.mae, null); // NaN is stored as null
 * ```
 */
export function saveModel(root: string, model: StoredModel): string {
  const path = join(modelsDir(root), modelFileName(model.key));
  const text = JSON.stringify(
    model,
    (_, v) => (typeof v === "number" && !Number.isFinite(v) ? null : v),
    2,
  );
  writeFileAtomic(path, new TextEncoder().encode(text + "\n"), { sync: true });
  return path;
}

/**
 * Loads every stored model; unreadable, non-JSON or malformed files are skipped and listed in
 * `errors` (so one bad file never stops a report).
 *
 * @param root Lake root.
 * @param options Optional `kind` filter.
 * @returns Models sorted by key, and the files that failed.
 */
export async function loadModels(
  root: string,
  options: { kind?: StoredModel["kind"] } = {},
): Promise<{ models: StoredModel[]; errors: ModelLoadError[] }> {
  const dir = modelsDir(root);
  const models: StoredModel[] = [];
  const errors: ModelLoadError[] = [];
  let names: string[];
  try {
    names = [];
    for await (const e of Deno.readDir(dir)) {
      if (e.isFile && e.name.endsWith(".json")) names.push(e.name);
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return { models, errors };
    throw error;
  }
  for (const name of names.sort()) {
    const file = join(dir, name);
    try {
      const model = parseModel(await Deno.readTextFile(file));
      if (!options.kind || model.kind === options.kind) models.push(model);
    } catch (error) {
      errors.push({ file, reason: error instanceof Error ? error.message : String(error) });
    }
  }
  models.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { models, errors };
}

/**
 * Loads one model by key.
 *
 * @param root Lake root.
 * @param key The model key.
 * @returns The model, or undefined when absent or corrupt.
 */
export async function loadModel(root: string, key: string): Promise<StoredModel | undefined> {
  try {
    const model = parseModel(await Deno.readTextFile(join(modelsDir(root), modelFileName(key))));
    return model.key === key ? model : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Parses and checks a stored model's text.
 *
 * @param text The file's text.
 * @returns The model.
 * @throws {SyntaxError} If it is not JSON.
 * @throws {TypeError} If a required field is missing or of the wrong type (the message names it).
 */
export function parseModel(text: string): StoredModel {
  const v = JSON.parse(text) as Record<string, unknown>;
  const fail = (field: string) => {
    throw new TypeError(`Invalid model file: ${field} is missing or wrong`);
  };
  if (v === null || typeof v !== "object" || Array.isArray(v)) fail("the top-level object");
  if (v.version !== 1) fail("version");
  if (typeof v.key !== "string") fail("key");
  if (v.kind !== "forecast" && v.kind !== "capacity") fail("kind");
  if (typeof v.model !== "string") fail("model");
  if (typeof v.fittedAt !== "number") fail("fittedAt");
  const s = v.series as Record<string, unknown> | null;
  if (!s || typeof s !== "object" || typeof s.metric !== "string" || typeof s.labels !== "string") {
    fail("series");
  }
  for (const f of ["params", "backtest", "residuals"]) {
    if (!v[f] || typeof v[f] !== "object") fail(f);
  }
  return v as unknown as StoredModel;
}
