/**
 * Loads `systeminformation` on first use, so that importing the collectors (the Linux
 * collector) does not parse the package (~6 MB of RSS). Private to the collectors.
 *
 * @module
 */

type Si = typeof import("npm:systeminformation@5.33.26");

let loading: Promise<Si> | undefined;
// in a variable so that the package stays out of the module graph of `collect` and `serve`: it is
// fetched only on machines without /proc, where the fallback sampler needs it
const SI: string = "npm:systeminformation@5.33.26";

/** The `systeminformation` module, imported once on first call. */
export function loadSi(): Promise<Si> {
  loading ??= (import(SI) as Promise<Si & { default?: Si }>).then((m) => (m.default ?? m) as Si);
  return loading;
}
