/**
 * Test helper: a Parquet file of samples read back with hyparquet (a reader independent of the
 * encoder under test), as plain rows to compare.
 *
 * @module
 */
import { parquetReadObjects } from "hyparquet";

/** One sample as read back: time (ms), metric, labels, value. */
export type Row = [number, string, string, number];

/**
 * Reads every row of a Parquet file's bytes, in file order.
 *
 * @param bytes The whole file.
 * @returns Its rows.
 */
export async function readBack(bytes: Uint8Array): Promise<Row[]> {
  const rows = await parquetReadObjects({ file: bytes.slice().buffer });
  return rows.map((
    r,
  ) => [(r.ts as Date).getTime(), r.metric as string, r.labels as string, r.value as number]);
}
