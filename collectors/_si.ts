/**
 * Loads `systeminformation` on first use, so that importing the collectors (the Linux
 * collector) does not parse the package (~6 MB of RSS). Private to the collectors.
 *
 * @module
 */

type Si = typeof import("systeminformation");

let loading: Promise<Si> | undefined;

/** The `systeminformation` module, imported once on first call. */
export function loadSi(): Promise<Si> {
  loading ??= import("systeminformation").then((m) => (m.default ?? m) as Si);
  return loading;
}
