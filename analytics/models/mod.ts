/**
 * Forecast models (seasonal naive, seasonal mean, drift, Holt–Winters, double seasonal Holt-Winters,
 * theta, MSTL+ETS, augurs MSTL and their kernels: STL, LOESS, period detection) used by `forecast`,
 * and fitted models persisted next to the lake (`saveModel`, `loadModels`). Only persistence is
 * public; the models are reached through `analytics/forecast/`.
 *
 * @module
 */

export {
  loadModel,
  loadModels,
  modelFileName,
  modelKey,
  type ModelLoadError,
  modelsDir,
  parseModel,
  saveModel,
  type StoredModel,
} from "./persist_models.ts";
