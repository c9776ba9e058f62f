/**
 * Runs `serve` as a child process (`deno run … cli/serve.ts`), for the tests and benches that
 * kill it, restart it on the same data, or measure its CPU apart from the test's own. For
 * `serve` in the test's process, see `_serve.ts`.
 *
 * @module
 */
import assert from "node:assert/strict";

/** Where this checkout's `cli/serve.ts` is. */
const ROOT = new URL("..", import.meta.url);

/** Options for {@linkcode serveChild} and {@linkcode spawnServe}. */
export interface ServeChildOptions {
  /** The checkout whose `cli/serve.ts` runs, also the child's working directory. Default this one. */
  root?: string | URL;
  /** `deno run` flags before the script. Default `["-A"]`. */
  denoFlags?: string[];
  /** More environment for the child. Default none. */
  env?: Record<string, string>;
  /** The port it listens on. Default 0 (a free one, see {@linkcode spawnServe}). */
  port?: number;
  /** Where its standard output goes. Default `"null"`; {@linkcode spawnServe} reads it. */
  stdout?: "piped" | "null";
  /** Where its standard error goes. Default `"null"`. */
  stderr?: "piped" | "null";
}

/**
 * Starts `serve --host 127.0.0.1 --port PORT ...args` as a child process, without waiting.
 *
 * @param args More flags, e.g. `["--data", dir, "--no-collect"]`.
 * @param options See {@linkcode ServeChildOptions}.
 * @returns The child; stop it with SIGTERM (as Ctrl-C would) and await its status.
 */
export function serveChild(args: string[], options: ServeChildOptions = {}): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      ...(options.denoFlags ?? ["-A"]),
      "cli/serve.ts",
      "--host",
      "127.0.0.1",
      "--port",
      String(options.port ?? 0),
      ...args,
    ],
    ...(options.env ? { env: options.env } : {}),
    cwd: options.root ?? ROOT,
    stdin: "null",
    stdout: options.stdout ?? "null",
    stderr: options.stderr ?? "null",
  }).spawn();
}

/** A `serve` child process that listens. */
export interface ServeProcess {
  process: Deno.ChildProcess;
  /** Its base URL as it printed it, e.g. `http://127.0.0.1:41234/`. */
  url: string;
  /** What it wrote to standard error so far (with `stderr: "piped"`), a chunk an entry. */
  stderr: string[];
}

/**
 * Starts `serve` as {@linkcode serveChild} does and waits for the line that gives its URL; its
 * standard output is drained from then on so that it never blocks on a full pipe.
 *
 * @param args More flags, e.g. `["--data", dir, "--no-collect"]`.
 * @param options See {@linkcode ServeChildOptions} (`stdout` is always piped here), and
 * `stderrChunks`: how many of the last chunks of standard error to keep (default all).
 * @returns The child, its URL and its standard error so far.
 * @throws Error where it exits before it listens (once it has exited), with what it wrote.
 */
export async function spawnServe(
  args: string[],
  options: Omit<ServeChildOptions, "stdout"> & { stderrChunks?: number } = {},
): Promise<ServeProcess> {
  const process = serveChild(args, { ...options, stdout: "piped" });
  const stderr: string[] = [];
  const keep = options.stderrChunks ?? Infinity;
  const pumped = options.stderr !== "piped" ? Promise.resolve() : (async () => {
    for await (const chunk of process.stderr.pipeThrough(new TextDecoderStream())) {
      stderr.push(chunk);
      if (stderr.length > keep) stderr.shift();
    }
  })().catch(() => {});
  const reader = process.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
    const m = text.match(/open (http:\/\/\S+)/);
    if (m) {
      (async () => {
        while (!(await reader.read()).done);
      })().catch(() => {});
      return { process, url: m[1]!, stderr };
    }
  }
  await process.status;
  await pumped;
  throw new Error(`serve exited before it listened: ${text}${stderr.join("")}`);
}

/**
 * Stops a `serve` child as Ctrl-C would (SIGTERM) and waits for it to exit.
 *
 * @param process The child.
 * @returns Its exit status.
 */
export async function stopServe(process: Deno.ChildProcess): Promise<Deno.CommandStatus> {
  process.kill("SIGTERM");
  return await process.status;
}

/**
 * Waits until a `serve` child has exited, failing (and killing it) after 60 s instead of hanging:
 * the stop tests assert on the exit, never on how long it took.
 *
 * @param process The child.
 * @returns Its exit status.
 */
export async function exited(process: Deno.ChildProcess): Promise<Deno.CommandStatus> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      process.status,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error("serve did not exit within 60 s")), 60_000);
      }),
    ]);
  } catch (error) {
    process.kill("SIGKILL");
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Waits until a `spawnServe` child's stderr holds `pattern`, failing after 60 s instead of hanging.
 *
 * @param stderr The child's stderr chunks (`ServeProcess.stderr`), still being filled.
 * @param pattern What to wait for.
 */
export async function untilLogged(stderr: string[], pattern: RegExp): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (pattern.test(stderr.join(""))) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`serve never logged ${pattern}: ${stderr.join("")}`);
}

/** serve's flags for the lake `DIR/data` and the config `DIR/perfscope.yaml`, not collecting. */
function flagsIn(dir: string): string[] {
  return ["--data", `${dir}/data`, "--no-collect", "--config", `${dir}/perfscope.yaml`];
}

/**
 * Starts `serve` as {@linkcode serveChild} does on the lake `DIR/data` and the config file
 * `DIR/perfscope.yaml` (which the test writes first), without collecting.
 *
 * @param dir The test's folder.
 * @param options See {@linkcode ServeChildOptions}.
 * @returns The child; stop it with SIGTERM and await its status.
 */
export function serveChildIn(dir: string, options: ServeChildOptions = {}): Deno.ChildProcess {
  return serveChild(flagsIn(dir), options);
}

/**
 * Starts `serve` as {@linkcode spawnServe} does on the lake `DIR/data` and the config file
 * `DIR/perfscope.yaml` (which the test writes first), without collecting.
 *
 * @param dir The test's folder.
 * @param options As for {@linkcode spawnServe}.
 * @returns The child, its URL and its standard error so far.
 */
export function spawnServeIn(
  dir: string,
  options: Parameters<typeof spawnServe>[1] = {},
): Promise<ServeProcess> {
  return spawnServe(flagsIn(dir), options);
}

/**
 * Waits until the `serve` child at `base` answers `/healthz` with 200, asking every 100 ms, for
 * those started by {@linkcode serveChild} (which does not wait).
 *
 * @param base Its URL, e.g. `http://127.0.0.1:18400`.
 * @throws AssertionError "serve did not start" when it has not answered after 300 tries.
 */
export async function untilHealthy(base: string): Promise<void> {
  let up = false;
  for (let i = 0; i < 300 && !up; i++) {
    up = await fetch(`${base}/healthz`).then(async (r) => {
      await r.body?.cancel();
      return r.ok;
    }, () => false);
    if (!up) await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(up, "serve did not start");
}

/**
 * Runs `sql` through the `/api/query` of the `serve` at `base`.
 *
 * @param base Its URL, e.g. `http://127.0.0.1:18400`.
 * @param sql One SELECT.
 * @returns The rows.
 * @throws AssertionError where the answer is not 200, with its body as the message.
 */
export async function queryRows(base: string, sql: string): Promise<unknown[][]> {
  const res = await fetch(`${base}/api/query`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ sql }),
  });
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()).rows;
}
