/**
 * Test helper: a lake whose reads include an ingest writer's buffer (`Lake.includeBuffered`), as
 * serve wires them, in a temporary folder removed on dispose.
 *
 * @module
 */
import { IngestWriter, type Lake, openLake } from "../../lake/mod.ts";

/** What {@linkcode bufferedLake} returns; `await using` closes both and removes the folder. */
export interface BufferedLake extends AsyncDisposable {
  root: string;
  writer: IngestWriter;
  lake: Lake;
}

/**
 * Opens a writer and a lake reading its buffer in a new temporary folder.
 *
 * @param now The writer's clock (the tests' samples sit just before it).
 * @param options Writer options: flush on its thread, rows per flush.
 * @returns The writer and the lake.
 */
export async function bufferedLake(
  now: number,
  options: { flushInWorker?: boolean; flushRows?: number } = {},
): Promise<BufferedLake> {
  const root = await Deno.makeTempDir({ prefix: "perfscope-buffered-" });
  const writer = new IngestWriter({ root, sync: false, now: () => now, ...options });
  const lake = await openLake({ root });
  lake.includeBuffered(writer);
  return {
    root,
    writer,
    lake,
    async [Symbol.asyncDispose]() {
      writer.close();
      lake.close();
      await Deno.remove(root, { recursive: true });
    },
  };
}
