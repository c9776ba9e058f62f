/**
 * One of the commands run in a child process of its own, for `serve`'s timed and workflow jobs
 * (a long job never holds the server's event loop, and a crash of one run leaves the server
 * standing). Private to the commands.
 *
 * @module
 */

const HERE = new URL(".", import.meta.url).pathname;

/**
 * Runs `deno run -A cli/<script> ...args` to its end, its output captured; aborting the signal
 * sends it SIGTERM (and the run is still awaited).
 *
 * @param script File under cli/.
 * @param args Its arguments.
 * @param signal Stops it (SIGTERM).
 * @returns Its exit code, stdout and stderr.
 * @throws {Error} If the process cannot be started.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runCliProcess } from "./_run_cli_process.ts";
 * const out = await runCliProcess("compact.ts", ["--help"], new AbortController().signal);
 * assert.equal(out.code, 0);
 * assert.match(new TextDecoder().decode(out.stdout), /compact/);
 * ```
 */
export async function runCliProcess(
  script: string,
  args: string[],
  signal: AbortSignal,
): Promise<Deno.CommandOutput> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${HERE}${script}`, ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stop = () => {
    try {
      child.kill("SIGTERM");
    } catch {
      // it ended between the abort and the kill
    }
  };
  signal.addEventListener("abort", stop, { once: true });
  try {
    return await child.output();
  } finally {
    signal.removeEventListener("abort", stop);
  }
}
