/**
 * The lake as the analysis commands read it: Parquet plus the collector's spool, as serve's
 * pages and API read it. Private to the commands.
 *
 * @module
 */
import { type Lake, openLake, SpoolBuffer } from "../lake/mod.ts";

/**
 * Opens the lake with the rows the collector has spooled but not yet written to Parquet (its
 * last minute, or every row of a collector in its first minute), each once across a flush, so
 * `deno task capacity` answers as `/api/capacity` does while a collector runs.
 *
 * @param root Lake root (checked to exist by the caller).
 * @returns The open lake; close it when done.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openLakeWithSpool } from "./_lake_with_spool.ts";
 * const lake = await openLakeWithSpool(Deno.makeTempDirSync());
 * assert.deepEqual(await lake.metrics(), []);
 * lake.close();
 * ```
 */
export async function openLakeWithSpool(root: string): Promise<Lake> {
  const lake = await openLake({ root });
  lake.includeBuffered(new SpoolBuffer(root));
  return lake;
}
