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
    if (status.signal === null) return status.code;
    // a crash of the runtime (a segfault) ended a CI run with 129, read as a hang-up: say which
    console.error(`${program} was ended by ${status.signal}`);
    return 128 + signalNumber(status.signal);
  } finally {
    for (const [s, f] of listeners) Deno.removeSignalListener(s, f);
    if (keep) console.error(`test temporary files kept in ${dir}`);
    else await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

/** The signal's number on Linux, as a shell reports 128 + it; 0 for one not listed. */
export function signalNumber(signal: Deno.Signal): number {
  const numbers: Record<string, number> = {
    SIGHUP: 1,
    SIGINT: 2,
    SIGQUIT: 3,
    SIGILL: 4,
    SIGTRAP: 5,
    SIGABRT: 6,
    SIGBUS: 7,
    SIGFPE: 8,
    SIGKILL: 9,
    SIGUSR1: 10,
    SIGSEGV: 11,
    SIGUSR2: 12,
    SIGPIPE: 13,
    SIGALRM: 14,
    SIGTERM: 15,
    SIGXCPU: 24,
    SIGXFSZ: 25,
    SIGSYS: 31,
  };
  return numbers[signal] ?? 0;
}

if (import.meta.main) {
  Deno.exit(await withTempDir(Deno.args, Deno.env.get("PERFSCOPE_KEEP_TEST_TMP") === "1"));
}
