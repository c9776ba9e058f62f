/**
 * At most one run of a workflow at a time, across processes. A run holds
 * `DATA/workflows/run-<name>.lock` from its first step to its end with the lake's OS-level lock
 * (`flock`: the kernel drops it when the holder exits, `kill -9` included, so a crash never leaves
 * a workflow locked), and the file names the run: pid, host, how that process was started, when
 * the run started and its trigger. The runner's in-memory flag saw only its own runs: two
 * processes on one data directory (a second `serve --no-collect` beside the collecting one) each
 * ran the same workflow on the same alert or schedule at once, and an approval started a run
 * beside one already going. A rollback of the workflow's actions holds it too (a rollback beside a
 * run undid a change while it was being made): by hand it is refused while a run goes, on an
 * alert's resolve it waits for the run ({@linkcode waitRunLock}).
 *
 * @module
 */
import { type HeldLock, readBusyHolder, sleep, tryProcessLock } from "../lake/mod.ts";

/** The run that holds a workflow's lock, as its file names it. */
export interface RunHolder {
  /** The process running it. */
  pid: number;
  /** That process's host. */
  hostname: string;
  /** How that process was started, e.g. `deno task serve`. */
  command: string;
  /** When the run started (ms epoch). */
  started: number;
  /** The workflow. */
  workflow: string;
  /** Its trigger in words, e.g. `alert Swap firing on h1 (value 97.5)`. */
  why: string;
}

/** A run of the workflow is going (in this process or another), so no second one starts. */
export class WorkflowBusyError extends Error {
  /** The workflow. */
  readonly workflow: string;
  /** The run going, where its lock file could be read. */
  readonly run: RunHolder | undefined;

  /**
   * @param workflow The workflow.
   * @param run The run going, if known.
   * @param what What was refused and what to do, after the run's description, e.g. `approval
   *   a1 still waits: approve it again once that run ends`.
   */
  constructor(workflow: string, run: RunHolder | undefined, what: string) {
    super(`Workflow ${workflow} is already running: ${describeRun(run)}; ${what}`);
    this.name = "WorkflowBusyError";
    this.workflow = workflow;
    this.run = run;
  }
}

/**
 * The lock file of a workflow: its name kept readable where it is safe in a file name, with a
 * hash of the whole name so two names that read alike never share a lock.
 *
 * @param root Lake root.
 * @param workflow The workflow's name.
 * @returns `<root>/workflows/run-<name>-<hash>.lock`.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runLockPath } from "./run_lock.ts";
 * assert.match(runLockPath("data", "calm-cpu"), /^data\/workflows\/run-calm-cpu-[0-9a-f]{8}\.lock$/);
 * assert.notEqual(runLockPath("data", "a/b"), runLockPath("data", "a_b"));
 * ```
 */
export function runLockPath(root: string, workflow: string): string {
  const readable = workflow.replace(/[^A-Za-z0-9._-]/g, "_").slice(0, 64);
  return `${root}/workflows/run-${readable}-${fnv1a(workflow)}.lock`;
}

/**
 * Takes a workflow's run lock without waiting.
 *
 * @param root Lake root.
 * @param run The run about to start (written into the lock file).
 * @returns The held lock, or the run that holds it (`undefined` when its file names nobody yet).
 * @throws {LakeError} If the lock file cannot be written.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { takeRunLock } from "./run_lock.ts";
 * const root = Deno.makeTempDirSync();
 * const run = { pid: Deno.pid, hostname: "h", command: "x", started: 0, workflow: "w", why: "test" };
 * const first = takeRunLock(root, run);
 * assert.ok("held" in first);
 * const second = takeRunLock(root, run);
 * assert.ok("busy" in second && second.busy?.why === "test");
 * first.held.release();
 * ```
 */
export function takeRunLock(
  root: string,
  run: RunHolder,
): { held: HeldLock } | { busy: RunHolder | undefined } {
  const path = runLockPath(root, run.workflow);
  const held = tryProcessLock(`${root}/workflows`, path, run);
  if (held) return { held };
  const o = readBusyHolder(path);
  if (!o) return { busy: undefined };
  return {
    busy: {
      pid: o.pid,
      hostname: o.hostname,
      command: o.command,
      started: o.started,
      workflow: typeof o.workflow === "string" ? o.workflow : run.workflow,
      why: typeof o.why === "string" ? o.why : "an unknown trigger",
    },
  };
}

/** Options of {@linkcode waitRunLock}. */
export interface WaitRunLockOptions {
  /** Ends the wait: the promise resolves to `undefined` without the lock (after one try, also
   * when it is aborted already). Default none. */
  signal?: AbortSignal;
  /** Called once, when the first try finds the lock held, with the run that holds it. */
  onBusy?: (run: RunHolder | undefined) => void;
  /** How long to wait between tries, in ms. Default 250. */
  every?: number;
}

/**
 * Takes a workflow's run lock, waiting for the run that holds it to end (in this process or
 * another): for work that must not be dropped, nor done beside a run, such as a rollback when its
 * alert resolves. It tries again every `every` ms rather than blocking on the lock, so that a stop
 * can end the wait.
 *
 * @param root Lake root.
 * @param run The holder to write into the lock file, asked for when the lock is taken (so
 *   `started` is then, not when the wait began).
 * @param options Signal, the busy callback, the interval.
 * @returns The held lock, or `undefined` when the signal ended the wait.
 * @throws {LakeError} If the lock file cannot be written.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { takeRunLock, waitRunLock } from "./run_lock.ts";
 * const root = Deno.makeTempDirSync();
 * const run = { pid: Deno.pid, hostname: "h", command: "x", started: 0, workflow: "w", why: "run" };
 * const first = takeRunLock(root, run);
 * assert.ok("held" in first);
 * const seen: string[] = [];
 * const waiting = waitRunLock(root, () => ({ ...run, why: "rollback" }), {
 *   every: 5,
 *   onBusy: (busy) => seen.push(busy!.why),
 * });
 * setTimeout(() => first.held.release(), 20);
 * const held = await waiting;
 * assert.deepEqual(seen, ["run"]);
 * const third = takeRunLock(root, run);
 * assert.ok("busy" in third && third.busy?.why === "rollback");
 * held!.release();
 * ```
 */
export async function waitRunLock(
  root: string,
  run: () => RunHolder,
  options: WaitRunLockOptions = {},
): Promise<HeldLock | undefined> {
  const every = options.every ?? 250;
  for (let tries = 0;; tries++) {
    // one try even when stopped already: a free lock is taken, a held one named
    if (tries > 0 && options.signal?.aborted) return undefined;
    const holder = run();
    if (tries === 0) {
      const first = takeRunLock(root, holder);
      if ("held" in first) return first.held;
      options.onBusy?.(first.busy);
    } else {
      // only the first refusal reads who holds it: reading a file not yet named blocks ~0.2 s
      const path = runLockPath(root, holder.workflow);
      const held = tryProcessLock(`${root}/workflows`, path, holder);
      if (held) return held;
    }
    await sleep(every, options.signal);
  }
}

/**
 * A run in words, for a one-line message.
 *
 * @param run The run, if its lock file could be read.
 * @returns E.g. `a run started 2026-12-07T19:20:01.000Z by pid 42 (deno task serve) for alert
 *   Swap firing on h1`.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeRun } from "./run_lock.ts";
 * const run = { pid: 42, hostname: Deno.hostname(), command: "deno task serve", started: 0, workflow: "w", why: "schedule @daily" };
 * assert.equal(describeRun(run), "a run started 1970-01-01T00:00:00.000Z by pid 42 (deno task serve) for schedule @daily");
 * assert.match(describeRun(undefined), /another process/);
 * ```
 */
export function describeRun(run: RunHolder | undefined): string {
  if (!run) return "a run in another process (it has not written its name yet)";
  const when = Number.isFinite(run.started)
    ? new Date(run.started).toISOString()
    : "at an unknown time";
  const where = run.hostname && run.hostname !== Deno.hostname() ? ` on ${run.hostname}` : "";
  return `a run started ${when} by pid ${run.pid}${where} (${run.command}) for ${run.why}`;
}

/** FNV-1a over the name's UTF-8 bytes, 8 hex digits (http://www.isthe.com/chongo/tech/comp/fnv/). */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (const b of new TextEncoder().encode(text)) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h.toString(16).padStart(8, "0");
}
