/**
 * Test helper: how many samples a lake holds, read back through a real lake.
 *
 * @module
 */
import { openLake } from "../lake/mod.ts";

/**
 * Opens the lake at `root`, counts its samples and closes it.
 *
 * @param root The lake's root.
 * @returns The number of rows in `samples`.
 */
export async function countSamples(root: string): Promise<number> {
  const lake = await openLake({ root });
  try {
    const [row] = await lake.query<{ n: bigint | number }>("SELECT count(*) AS n FROM samples");
    return Number(row!.n);
  } finally {
    lake.close();
  }
}
