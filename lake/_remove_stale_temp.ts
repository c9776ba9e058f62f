/**
 * Private: removing the temporary files that killed writers leave behind.
 *
 * @module
 */

import { fileNames } from "./_paths.ts";

/**
 * Deletes temporary files of dead writers: those whose writer's process id (in the name, see
 * `writeFileAtomic` and `copy`) no longer runs, and any older than ten minutes by the real
 * clock (not the `now` option, which may pretend a date years away).
 */
export function removeStaleTemp(dir: string): void {
  for (const name of fileNames(dir)) {
    if (!name.endsWith(".tmp")) continue;
    const path = `${dir}/${name}`;
    try {
      const pid = Number(name.match(/\.(\d+)(?:-\d+)?\.tmp$/)?.[1]);
      const dead = pid > 0 && pid !== Deno.pid && !alive(pid);
      const age = Date.now() - (Deno.statSync(path).mtime?.getTime() ?? Date.now());
      if (dead || age > 600_000) Deno.removeSync(path);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
}

/** Whether a process runs (Linux `/proc`; elsewhere assume it does and rely on the age). */
export function alive(pid: number): boolean {
  try {
    Deno.statSync("/proc/self");
  } catch {
    return true;
  }
  try {
    Deno.statSync(`/proc/${pid}`);
    return true;
  } catch {
    return false;
  }
}
