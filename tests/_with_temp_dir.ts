/**
 * Runs a command with `TMPDIR` pointing at a fresh folder and removes that folder when the command
 * ends. The tests make hundreds of temporary lakes, spools, configs and peer data folders; many
 * tests leave theirs behind on purpose (a killed child's files are what the next step reads) and
 * a killed child cannot remove its own, so without this a full run left thousands of folders in
 * /tmp, run after run. Set `PERFSCOPE_KEEP_TEST_TMP=1` to keep the folder for a post-mortem; its
 * path is printed on stderr then.
 *
 * Usage: `deno run -A tests/_with_temp_dir.ts COMMAND [ARGS...]`; exits with the command's code.
 *
 * @module
 */

/**
 * Runs `command` with `TMPDIR` set to a new folder under the current temporary folder, passes
 * SIGINT and SIGTERM on to it, and removes the folder afterwards unless asked to keep it.
 *
 * @param command The program and its arguments.
 * @param keep Whether to keep the folder (its path goes to stderr).
 * @returns The command's exit code (128 + signal number when a signal ended it).
 */
export async function withTempDir(command: string[], keep = false): Promise<number> {
  const [program, ...args] = command;
  if (program === undefined) throw new Error("usage: _with_temp_dir.ts COMMAND [ARGS...]");
  const dir = await Deno.makeTempDir({ prefix: "perfscope-tests-" });
  const child = new Deno.Command(program, {
    args,
    env: { TMPDIR: dir },
    stdin: "inherit",
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
  const forward = (signal: Deno.Signal) => () => {
    try {
      child.kill(signal);
    } catch { /* the child has already ended */ }
  };
  const listeners = (["SIGINT", "SIGTERM"] as const).map((s) => [s, forward(s)] as const);
  for (const [s, f] of listeners) Deno.addSignalListener(s, f);
  try {
    const status = await child.status;
    return status.signal === null ? status.code : 128 + signalNumber(status.signal);
  } finally {
    for (const [s, f] of listeners) Deno.removeSignalListener(s, f);
    if (keep) console.error(`test temporary files kept in ${dir}`);
    else await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

function signalNumber(signal: Deno.Signal): number {
  return { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 }[signal as string] ?? 1;
}

if (import.meta.main) {
  Deno.exit(await withTempDir(Deno.args, Deno.env.get("PERFSCOPE_KEEP_TEST_TMP") === "1"));
}
