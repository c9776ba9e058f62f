/**
 * Test helper: a lake holding one simulated host (`h1`, one CPU, top process 1) whose samples
 * end at the last whole hour, for commands that read "the last N days" from now.
 *
 * @module
 */
import { simulateHost } from "../lake/mod.ts";

const HOUR = 3_600_000;

/**
 * Simulates the host's last `hours` hours at a 10-minute step into a new lake.
 *
 * @param hours How many hours of samples.
 * @param prefix The temporary directory's name prefix.
 * @returns The lake's root.
 */
export async function recentHostLake(hours: number, prefix: string): Promise<string> {
  const root = await Deno.makeTempDir({ prefix });
  const end = Math.floor(Date.now() / HOUR) * HOUR;
  simulateHost({
    root,
    host: "h1",
    start: end - hours * HOUR,
    durationMs: hours * HOUR,
    stepMs: 600_000,
    cpus: 1,
    topN: 1,
  });
  return root;
}

/**
 * {@linkcode recentHostLake}'s lake, removed on disposal: `await using lake = …` in a test.
 *
 * @param hours How many hours of samples.
 * @param prefix The temporary directory's name prefix.
 * @returns The lake's root, and its removal as `Symbol.asyncDispose`.
 */
export async function disposableRecentHostLake(
  hours: number,
  prefix: string,
): Promise<{ root: string } & AsyncDisposable> {
  const root = await recentHostLake(hours, prefix);
  return { root, [Symbol.asyncDispose]: () => Deno.remove(root, { recursive: true }) };
}
