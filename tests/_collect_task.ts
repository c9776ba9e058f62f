/**
 * Test helper: `deno task collect` as people run it, a real child process in this checkout,
 * without a config file, run to its end.
 *
 * @module
 */

const ROOT = new URL("..", import.meta.url).pathname;

/** Options for {@linkcode collectTask}. */
export interface CollectTaskOptions {
  /** `--data`: the lake. */
  data: string;
  /** `--host`: the host name its samples carry. */
  host: string;
  /** `--duration`, e.g. `15s`: how long it runs. */
  duration: string;
  /** `--flush`, e.g. `5s`. */
  flush: string;
  /** `--top`: how many processes it follows. */
  top: number;
}

/** What a finished `deno task collect` gave. */
export interface CollectTaskResult {
  code: number;
  /** Its standard error, decoded. */
  stderr: string;
}

/**
 * Runs `deno task --quiet collect --no-config --data … --host … --duration … --flush … --top …`
 * followed by `args`, and waits for it to exit.
 *
 * @param options See {@linkcode CollectTaskOptions}.
 * @param args More flags, e.g. `["--remote-write", url]`.
 * @returns Its exit code and standard error.
 */
export async function collectTask(
  options: CollectTaskOptions,
  args: string[] = [],
): Promise<CollectTaskResult> {
  const { data, host, duration, flush, top } = options;
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      ...["task", "--quiet", "collect", "--no-config", "--data", data, "--host", host],
      ...["--duration", duration, "--flush", flush, "--top", String(top), ...args],
    ],
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
}
