/**
 * The hosts' extents (first and last sample time) as the lake's row holders gather them: each
 * row, file or source met widens its host's span.
 *
 * @module
 */

/**
 * Widens `host`'s extent in `extents` to take in `first`..`last`; a host not there yet gets a
 * new object (an extent passed in is never kept, so the caller's stays its own).
 *
 * @param extents Per host, the first and last time, ms (changed in place).
 * @param host The host.
 * @param first The earliest time to take in, ms.
 * @param last The latest time to take in, ms.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { widenExtent } from "./widen_extent.ts";
 * const extents = new Map<string, { first: number; last: number }>();
 * widenExtent(extents, "a", 5, 9);
 * widenExtent(extents, "a", 2, 7);
 * assert.deepEqual(extents.get("a"), { first: 2, last: 9 });
 * ```
 */
export function widenExtent(
  extents: Map<string, { first: number; last: number }>,
  host: string,
  first: number,
  last: number,
): void {
  const e = extents.get(host);
  if (!e) extents.set(host, { first, last });
  else (e.first = Math.min(e.first, first), e.last = Math.max(e.last, last));
}
