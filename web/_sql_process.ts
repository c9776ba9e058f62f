/**
 * Private: one child process running `_sql_child.ts`, seen from the server. It sends a request
 * line, reads the framed answer, and kills the child when the answer takes too long or the
 * child's resident memory (`VmRSS` in `/proc/<pid>/status`, read every 50 ms) passes the cap.
 *
 * @module
 */
import type { ChildConfig, ChildRequest } from "./_sql_child.ts";
import type { BufferedFilter } from "../lake/mod.ts";
import { filterOfWire, requestBytes } from "./_sql_wire.ts";
import { QueryMemoryError, QueryTimeoutError, UnavailableError } from "./errors.ts";

/** An answer from the child. */
export type ChildReply =
  | { ok: true; body: Uint8Array<ArrayBuffer>; truncated: boolean }
  | { ok: false; status: 400 | 403 | 422; message: string };

/** Takes the files and the buffered rows a statement needs (called once the query process said
 * which: a request that `ask`s). */
export type TakeRows = (need: BufferedFilter) => Pick<ChildRequest, "files" | "buffered">;

/** Limits of one request. */
export interface RequestLimits {
  /** Time limit in ms. */
  timeoutMs: number;
  /** Resident memory cap of the child in bytes. */
  maxMemoryBytes: number;
}

const CHILD = new URL("./_sql_child.ts", import.meta.url);
const CONFIG = new URL("../deno.json", import.meta.url);
const READY_TIMEOUT_MS = 60_000;
const WATCH_MS = 50;

/**
 * Resident memory of a process in bytes, from `/proc/<pid>/status`; undefined off Linux.
 *
 * @param pid Process id.
 * @returns Bytes, or undefined.
 */
export function residentBytes(pid: number): number | undefined {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(Deno.readTextFileSync(`/proc/${pid}/status`));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

function configArgs(): string[] {
  if (CONFIG.protocol !== "file:") return [];
  try {
    Deno.statSync(CONFIG);
    return ["--config", decodeURIComponent(CONFIG.pathname)];
  } catch {
    return [];
  }
}

/** A running child; use once at a time (`request` is not re-entrant). */
export class SqlProcess {
  readonly #child: Deno.ChildProcess;
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #tmp: string;
  #buf = new Uint8Array(0);
  #ready: Promise<void>;
  #killedBy: Error | undefined;
  #closed: Promise<void> | undefined;

  /**
   * Spawns the child (it reports ready once DuckDB is loaded).
   *
   * @param config Settings for the child, except its temporary folder, made here.
   */
  constructor(config: Omit<ChildConfig, "tmp">) {
    this.#tmp = Deno.makeTempDirSync({ prefix: "perfscope-sql-" });
    const full: ChildConfig = { ...config, tmp: this.#tmp };
    this.#child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--quiet",
        "--no-prompt",
        ...configArgs(),
        "--allow-read",
        "--allow-env",
        "--allow-sys",
        "--allow-ffi",
        `--allow-write=${this.#tmp}`,
        CHILD.href,
        JSON.stringify(full),
      ],
      stdin: "piped",
      stdout: "piped",
      stderr: "null",
    }).spawn();
    this.#reader = this.#child.stdout.getReader();
    this.#writer = this.#child.stdin.getWriter();
    this.#ready = this.#readLine().then((line) => {
      if (!JSON.parse(line).ready) throw new Error(`Unexpected first line: ${line}`);
    });
    this.#ready.catch(() => {});
  }

  /** True until the child was killed or exited. */
  get alive(): boolean {
    return this.#killedBy === undefined && this.#closed === undefined;
  }

  async #next(): Promise<void> {
    const { value, done } = await this.#reader.read();
    if (done) throw this.#killedBy ?? new UnavailableError("Query failed: the sandbox exited");
    const joined = new Uint8Array(this.#buf.length + value.length);
    joined.set(this.#buf);
    joined.set(value, this.#buf.length);
    this.#buf = joined;
  }

  async #readLine(): Promise<string> {
    let nl: number;
    while ((nl = this.#buf.indexOf(10)) < 0) await this.#next();
    const line = new TextDecoder().decode(this.#buf.subarray(0, nl));
    this.#buf = this.#buf.subarray(nl + 1);
    return line;
  }

  async #readBytes(n: number): Promise<Uint8Array<ArrayBuffer>> {
    const out = new Uint8Array(n);
    let have = Math.min(n, this.#buf.length);
    out.set(this.#buf.subarray(0, have));
    this.#buf = this.#buf.subarray(have);
    while (have < n) {
      const { value, done } = await this.#reader.read();
      if (done) throw this.#killedBy ?? new UnavailableError("Query failed: the sandbox exited");
      const take = Math.min(n - have, value.length);
      out.set(value.subarray(0, take), have);
      have += take;
      if (take < value.length) this.#buf = value.slice(take);
    }
    return out;
  }

  #kill(reason: Error): void {
    if (this.#killedBy) return;
    this.#killedBy = reason;
    try {
      this.#child.kill("SIGKILL");
    } catch {
      // already gone
    }
  }

  /**
   * Runs one request under the limits; the child is killed when it breaks one.
   *
   * @param request The statement and format.
   * @param limits Time and memory limits.
   * @param json Buffered rows inside the JSON line, not as bytes (`_sql_wire.ts`); default
   * false.
   * @param take For a request that `ask`s: the files and rows for the filter the child answers
   * once the statement passed its checks (sent as a second message).
   * @returns The child's answer.
   * @throws {QueryTimeoutError} Over the time limit.
   * @throws {QueryMemoryError} Over the memory cap.
   * @throws {UnavailableError} When the child died otherwise.
   */
  async request(
    request: ChildRequest,
    limits: RequestLimits,
    json = false,
    take?: TakeRows,
  ): Promise<ChildReply> {
    await Promise.race([
      this.#ready,
      new Promise((_, reject) => {
        const t = setTimeout(
          () => reject(new UnavailableError("Query failed: the sandbox did not start")),
          READY_TIMEOUT_MS,
        );
        this.#ready.finally(() => clearTimeout(t)).catch(() => {});
      }),
    ]);
    const timer = setTimeout(
      () => this.#kill(new QueryTimeoutError(limits.timeoutMs)),
      limits.timeoutMs,
    );
    const watch = setInterval(() => {
      const rss = residentBytes(this.#child.pid);
      if (rss !== undefined && rss > limits.maxMemoryBytes) {
        this.#kill(new QueryMemoryError(limits.maxMemoryBytes));
      }
    }, WATCH_MS);
    try {
      for (const bytes of requestBytes(request, json)) await this.#writer.write(bytes);
      let header = JSON.parse(await this.#readLine());
      if (request.ask && header.need !== undefined) {
        if (take === undefined) throw new Error("A request that asks needs take");
        let rows;
        try {
          rows = take(filterOfWire(header.need));
        } catch (error) {
          // the child waits for the rows: it cannot take another request
          this.#kill(error instanceof Error ? error : new Error(String(error)));
          throw error;
        }
        // the second message: the same framing, without a statement
        const message = { ...rows } as ChildRequest;
        for (const bytes of requestBytes(message, json)) await this.#writer.write(bytes);
        header = JSON.parse(await this.#readLine());
      }
      if (!header.ok) return { ok: false, status: header.status, message: header.message };
      const body = await this.#readBytes(header.bytes);
      return { ok: true, body, truncated: header.truncated };
    } catch (error) {
      throw this.#killedBy ?? error;
    } finally {
      clearTimeout(timer);
      clearInterval(watch);
    }
  }

  /** Kills the child, waits for it and removes its temporary folder. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      this.#kill(new UnavailableError("Query failed: the sandbox was closed"));
      await this.#writer.close().catch(() => {});
      await this.#reader.cancel().catch(() => {});
      await this.#child.status;
      await Deno.remove(this.#tmp, { recursive: true }).catch(() => {});
    })();
    return this.#closed;
  }
}
