/**
 * Private: what the collector's spool and the ingest spool share to keep segments for their
 * readers (the remote-write senders): a readers directory of `<name>.json` position files, and
 * an outbox directory capped in bytes, oldest segments deleted first.
 *
 * @module
 */

/**
 * Whether a readers directory names at least one reader (`<name>.json`).
 *
 * @param dir The readers directory.
 * @returns True when a reader is registered.
 */
export function hasReaders(dir: string): boolean {
  try {
    for (const e of Deno.readDirSync(dir)) {
      if (e.isFile && e.name.endsWith(".json")) return true;
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return false;
}

/**
 * Moves a segment into an outbox (a rename: same file system), then deletes the oldest outbox
 * segments while the outbox is over its cap.
 *
 * @param path The segment file (closed).
 * @param outbox The outbox directory.
 * @param listed The outbox's segment paths, oldest first (called after the move).
 * @param maxBytes The cap.
 */
export function moveToOutbox(
  path: string,
  outbox: string,
  listed: () => string[],
  maxBytes: number,
): void {
  Deno.mkdirSync(outbox, { recursive: true });
  Deno.renameSync(path, `${outbox}/${path.slice(path.lastIndexOf("/") + 1)}`);
  const segments: { path: string; size: number }[] = [];
  for (const p of listed()) {
    try {
      segments.push({ path: p, size: Deno.statSync(p).size });
    } catch {
      // deleted meanwhile by a reader that sent it
    }
  }
  let total = segments.reduce((a, x) => a + x.size, 0);
  for (const { path, size } of segments) {
    if (total <= maxBytes) break;
    try {
      Deno.removeSync(path);
    } catch {
      // deleted meanwhile by a reader that sent it
    }
    total -= size;
  }
}
