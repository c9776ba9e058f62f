/**
 * Runs an allowlisted command: argv without a shell, an environment holding only `PATH` and the
 * action's own variables, a time limit (SIGKILL to the command and what it started), output
 * captured and truncated.
 *
 * @module
 */

/** Options of {@linkcode runCommand}. */
export interface RunCommandOptions {
  /** Longest run in ms before SIGKILL. Default 30 000. */
  timeoutMs?: number;
  /** Variables besides `PATH` (the rest of the environment is not passed). Default none. */
  env?: Record<string, string>;
  /** Bytes of stdout+stderr kept (cut before a character that would cross it). Default 4096. */
  maxOutput?: number;
  /** Stops the command (SIGKILL). */
  signal?: AbortSignal;
}

/** How a command ended. */
export interface CommandOutcome {
  /** Exit code (`null` when killed by a signal). */
  code: number | null;
  /** stdout then stderr, truncated to `maxOutput` bytes (a note says so). */
  output: string;
  /** True when the time limit killed it. */
  timedOut: boolean;
}

/**
 * Runs `argv[0]` with the rest as arguments.
 *
 * @param argv Program and arguments.
 * @param options Time limit, environment, output cap, signal.
 * @returns The exit code, output and whether it timed out.
 * @throws {Deno.errors.NotFound} When the program does not exist.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runCommand } from "./run_command.ts";
 * const r = await runCommand(["sh", "-c", "echo $HOME; echo hi"]);
 * assert.equal(r.code, 0);
 * assert.equal(r.output, "\nhi\n"); // HOME was scrubbed
 * ```
 */
export async function runCommand(
  argv: readonly string[],
  options: RunCommandOptions = {},
): Promise<CommandOutcome> {
  const [program, ...args] = argv;
  if (program === undefined) throw new RangeError("Empty argv");
  const max = options.maxOutput ?? 4096;
  const child = new Deno.Command(program, {
    args,
    clearEnv: true,
    env: { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", ...options.env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    // a process group of its own (setsid), so that a kill reaches what the command started
    // too: a shell's children would otherwise run on, orphaned, and hold its output open
    detached: true,
  }).spawn();
  let timedOut = false;
  const kill = () => {
    try {
      Deno.kill(-child.pid, "SIGKILL");
    } catch {
      try {
        child.kill("SIGKILL");
      } catch {
        // already gone
      }
    }
  };
  const timer = setTimeout(() => {
    timedOut = true;
    kill();
  }, options.timeoutMs ?? 30_000);
  options.signal?.addEventListener("abort", kill, { once: true });
  try {
    const [out, err, status] = await Promise.all([
      // 3 bytes past the cap tell whether the cap falls inside a character
      capture(child.stdout, max + 3),
      capture(child.stderr, max + 3),
      child.status,
    ]);
    const both = new Uint8Array(out.bytes.length + err.bytes.length);
    both.set(out.bytes);
    both.set(err.bytes, out.bytes.length);
    const kept = utf8Boundary(both, Math.min(max, both.length));
    let output = new TextDecoder().decode(both.subarray(0, kept));
    const total = out.total + err.total;
    if (total > kept) output += `… (${total - kept} bytes cut)`;
    return { code: status.signal === null ? status.code : null, output, timedOut };
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", kill);
  }
}

/** The largest cut at or before `at` that does not split a UTF-8 character (so the kept output
 * stays within the cap and ends in no replacement character). */
function utf8Boundary(bytes: Uint8Array, at: number): number {
  if (at >= bytes.length) return bytes.length;
  let cut = at;
  // continuation bytes are 10xxxxxx: back off to the lead byte of the character being cut
  while (cut > 0 && cut > at - 3 && (bytes[cut]! & 0xc0) === 0x80) cut--;
  return cut;
}

/** Reads a stream to its end, keeping at most `max` bytes (the rest is counted, not held). */
async function capture(stream: ReadableStream<Uint8Array>, max: number) {
  const kept: Uint8Array[] = [];
  let size = 0, total = 0;
  for await (const chunk of stream) {
    total += chunk.length;
    if (size < max) {
      const part = chunk.subarray(0, max - size);
      kept.push(part);
      size += part.length;
    }
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const k of kept) bytes.set(k, at), at += k.length;
  return { bytes, total };
}
