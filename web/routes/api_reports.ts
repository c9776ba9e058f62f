/**
 * `POST /api/reports` with JSON `{}`: "Generate now" on the Reports page. Writes one capacity
 * report into `DATA/reports/` with `writeReport`, the function `deno task report` uses, and
 * answers 201 with its name and link. One generation at a time (another request meanwhile gets
 * 409), stopped after a time limit (503, nothing written).
 *
 * @module
 */
import type { ServiceSetting } from "../../analytics/mod.ts";
import { Hono } from "hono";
import { zValidator } from "@hono/zod-validator";
import { z } from "zod";
import type { Lake } from "../../lake/mod.ts";
import { writeReport } from "../../reports/mod.ts";
import { ConflictError, UnavailableError } from "../errors.ts";
import { rejectInvalid } from "../validate.ts";
import { knownParams } from "../middleware/known_params.ts";
import type { AnalysisSource } from "../deps.ts";

/** Options for {@linkcode reportApiRoutes}. */
export interface ReportApiOptions {
  /** The open lake the analysis reads. */
  lake: Lake;
  /** Read instead of the lake when set (`serve --source`). Default none. */
  source?: AnalysisSource;
  /** Lake root; the report goes to `<root>/reports/`. Default `data`. */
  root?: string;
  /** Clock in ms, which dates the file; default `Date.now`. */
  now?: () => number;
  /** Longest a generation may run, ms; default 120 000. */
  timeoutMs?: number;
  /** Look-back, horizon and bootstrap rounds, as the Capacity page uses; default the analysis'. */
  capacity?: { sinceMs?: number; horizonMs?: number; bootstrap?: number };
  /** Configured services, for the report's services section and USL capacity; default the
   * discovered ones only. */
  services?: readonly ServiceSetting[];
  /** The writer; default `writeReport` (tests wrap it to hold a generation open). */
  write?: typeof writeReport;
}

// no parameters yet: the report takes the server's capacity settings, like the Capacity page
const bodySchema = z.strictObject({});

/**
 * Creates the route (`app.ts` mounts the origin check, the content-type check and the body
 * guard in front of it).
 *
 * @param options The lake, where reports go, the clock and the time limit.
 * @returns A Hono app to mount at the root.
 * @throws {RangeError} If `timeoutMs` is not a positive number.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openLake } from "../../lake/mod.ts";
 * import { reportApiRoutes } from "./api_reports.ts";
 * const root = await Deno.makeTempDir();
 * const lake = await openLake({ root });
 * const app = reportApiRoutes({ lake, root, now: () => Date.UTC(2025, 0, 2) });
 * const res = await app.request("/api/reports", {
 *   method: "POST",
 *   headers: { "content-type": "application/json" },
 *   body: "{}",
 * });
 * lake.close();
 * assert.equal(res.status, 201);
 * assert.equal((await res.json()).name, "capacity-2025-01-02.html");
 * ```
 */
export function reportApiRoutes(options: ReportApiOptions): Hono {
  const timeoutMs = options.timeoutMs ?? 120_000;
  if (!(timeoutMs > 0)) throw new RangeError(`Invalid timeoutMs: ${timeoutMs}`);
  const now = options.now ?? Date.now;
  const write = options.write ?? writeReport;
  const { sinceMs, horizonMs, bootstrap } = options.capacity ?? {};
  let running: number | undefined; // start time of the generation in progress
  return new Hono().post(
    "/api/reports",
    knownParams([]),
    zValidator("json", bodySchema, rejectInvalid),
    async function generateReport(c) {
      if (running !== undefined) {
        throw new ConflictError(
          `Conflict: a report is being generated already (started ${
            new Date(running).toISOString()
          }); retry when it is done`,
        );
      }
      running = now();
      const started = performance.now();
      const signal = AbortSignal.timeout(timeoutMs);
      try {
        const written = await write(options.source?.open() ?? options.lake, {
          root: options.root ?? "data",
          clock: now,
          signal,
          ...(sinceMs !== undefined && { sinceMs }),
          ...(horizonMs !== undefined && { horizonMs }),
          ...(bootstrap !== undefined && { bootstrap }),
          ...(options.services && { services: options.services }),
        });
        const link = `/reports/${encodeURIComponent(written.name)}`;
        c.header("Location", link);
        return c.json({
          name: written.name,
          url: link,
          bytes: written.bytes,
          elapsedMs: Math.round(performance.now() - started),
        }, 201);
      } catch (error) {
        if (signal.aborted && error === signal.reason) {
          throw new UnavailableError(
            `Report timeout: stopped after ${timeoutMs} ms, nothing written; ` +
              "try deno task report, which has no time limit",
          );
        }
        throw error;
      } finally {
        running = undefined;
      }
    },
  );
}
