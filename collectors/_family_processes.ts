/**
 * The top-processes family: the part of a snapshot whose cost grows with the host (one
 * `/proc/[pid]/stat` read per process read). Its cost is bounded per snapshot: the process list
 * is read with `getdents64` every few seconds (less often on hosts with many processes), and a
 * snapshot reads only the candidates for the rankings (the processes ranked by last-known CPU
 * and memory that used CPU at their last read), processes new since the last listing, and a
 * rotating slice of the rest. A stat line is decoded and split by string built-ins: in V8's lite
 * mode (how the collector runs) that is about twice as fast as a byte loop in JavaScript.
 * Private to the collectors.
 *
 * @module
 */

import type { Context } from "./_context.ts";
import { none } from "./_context.ts";
import { listPids, PidList } from "./_list_pids.ts";
import type { Series } from "./snapshot.ts";

const decoder = new TextDecoder();

/**
 * The numbers kept per process, in typed arrays by slot rather than in object fields: at 10,000
 * processes boxed doubles and per-process path strings cost ~4 MB of the collector's RSS.
 */
class Store {
  /** ticks, start, readTs, cpu, rss per slot. */
  f = new Float64Array(5 * 256);
  /** seen, readRound, mark per slot. */
  i = new Int32Array(3 * 256);
  #free: number[] = [];
  #next = 0;
  constructor(readonly procRoot: string) {}

  alloc(): number {
    const s = this.#free.pop() ?? this.#next++;
    if (5 * (s + 1) > this.f.length) {
      const f = new Float64Array(this.f.length * 2);
      f.set(this.f);
      this.f = f;
      const i = new Int32Array(this.i.length * 2);
      i.set(this.i);
      this.i = i;
    }
    this.f.fill(NaN, 5 * s, 5 * s + 4);
    this.f[5 * s + 4] = 0;
    this.i.fill(0, 3 * s, 3 * s + 3);
    return s;
  }

  release(slot: number): void {
    this.#free.push(slot);
  }
}

/** What the scanner keeps about one process between snapshots. */
class Proc {
  name = "";
  /** Command line for the `command` label; read once when first ranked, again after exec. */
  command: string | undefined;
  /** Series by ranking ([cpu ratio, rss]), rebuilt when the name changes. */
  byCpu: [Series, Series] | undefined;
  byMemory: [Series, Series] | undefined;
  gone = false;
  readonly slot: number;
  constructor(readonly pid: number, readonly store: Store) {
    this.slot = store.alloc();
  }
  /** Its stat file (made when read: a string kept per process would cost ~0.6 MB at 10,000). */
  get path(): string {
    return `${this.store.procRoot}/${this.pid}/stat`;
  }
  get ticks(): number {
    return this.store.f[5 * this.slot]!;
  }
  set ticks(v: number) {
    this.store.f[5 * this.slot] = v;
  }
  get start(): number {
    return this.store.f[5 * this.slot + 1]!;
  }
  set start(v: number) {
    this.store.f[5 * this.slot + 1] = v;
  }
  get readTs(): number {
    return this.store.f[5 * this.slot + 2]!;
  }
  set readTs(v: number) {
    this.store.f[5 * this.slot + 2] = v;
  }
  /** CPU ratio over the time between its last two reads (`NaN` before the second). */
  get cpu(): number {
    return this.store.f[5 * this.slot + 3]!;
  }
  set cpu(v: number) {
    this.store.f[5 * this.slot + 3] = v;
  }
  get rss(): number {
    return this.store.f[5 * this.slot + 4]!;
  }
  set rss(v: number) {
    this.store.f[5 * this.slot + 4] = v;
  }
  /** The listing that last saw it. */
  get seen(): number {
    return this.store.i[3 * this.slot]!;
  }
  set seen(v: number) {
    this.store.i[3 * this.slot] = v;
  }
  /** The round in which it was last read (or tried). */
  get readRound(): number {
    return this.store.i[3 * this.slot + 1]!;
  }
  set readRound(v: number) {
    this.store.i[3 * this.slot + 1] = v;
  }
  /** The round in which it was last taken as a ranking candidate. */
  get mark(): number {
    return this.store.i[3 * this.slot + 2]!;
  }
  set mark(v: number) {
    this.store.i[3 * this.slot + 2] = v;
  }
}

/** Field values parsed by {@linkcode parseStat}: utime, stime, starttime, rss pages. */
const fields = new Float64Array(4);

/** Field indexes after the name (state is 0) kept in {@linkcode fields}, or -1. */
const slot = new Int8Array(23).fill(-1);
slot[11] = 0; // utime
slot[12] = 1; // stime
slot[19] = 2; // starttime
slot[21] = 3; // rss

/**
 * Parses a `/proc/[pid]/stat` line from bytes into {@linkcode fields}; the name lies between
 * the first `(` and the last `)`. Bytes, not a decoded string: at 10,000 processes the first
 * reads of every process would otherwise make ~6 MB of short-lived strings, and the young
 * generation that grows to hold them stays in the collector's RSS.
 *
 * @param b The buffer.
 * @param len Bytes of the line in it.
 * @param name The name last seen for this pid: returned as is when the bytes still say it.
 * @returns The name, or `undefined` if the line is malformed.
 */
function parseStat(b: Uint8Array, len: number, name: string): string | undefined {
  let open = 0;
  while (open < len && b[open] !== 40) open++; // (
  // The name is at most 64 bytes (a kernel worker's with its workqueue; 15 for the others):
  // the last `)` is searched from there, not from the end of a ~300-byte line.
  let close = Math.min(len - 1, open + 66);
  while (close > open && b[close] !== 41) close--; // )
  if (open === 0 || open >= len || close <= open) return undefined;
  if (!parseFieldsFast(b, len, close) && !parseFields(b, len, close)) return undefined;
  const n = close - open - 1;
  if (n === name.length) {
    let same = true;
    for (let i = 0; i < n && same; i++) same = b[open + 1 + i] === name.charCodeAt(i);
    if (same) return name; // (ASCII names; any other name is decoded and compared below)
  }
  return decoder.decode(b.subarray(open + 1, close));
}

/**
 * The kept fields of a well-formed line (every field up to rss ended by one space, the kept
 * ones all digits): the fields between are skipped by `indexOf`, a built-in, instead of byte by
 * byte in the interpreter (about 3× less time per line in lite mode). False for any other line:
 * {@linkcode parseFields} then decides, byte by byte.
 */
function parseFieldsFast(b: Uint8Array, len: number, close: number): boolean {
  let nl = b.indexOf(10, close);
  if (nl < 0 || nl > len) nl = len;
  let pos = close + 2;
  for (let field = 0; field <= 21; field++) {
    const k = slot[field]!;
    if (k < 0) {
      const sp = b.indexOf(32, pos);
      if (sp < 0 || sp >= nl) return false;
      pos = sp + 1;
      continue;
    }
    let value = 0;
    const from = pos;
    let c = b[pos]!;
    while (pos < nl && c >= 48 && c <= 57) {
      value = value * 10 + c - 48;
      c = b[++pos]!;
    }
    if (pos === from || pos >= nl || c !== 32) return false;
    fields[k] = value;
    pos++;
  }
  return true;
}

/** The kept fields of any line, byte by byte (spaces and newlines separate fields). */
function parseFields(b: Uint8Array, len: number, close: number): boolean {
  let field = 0;
  let value = 0;
  let digits = 0;
  for (let i = close + 2; i <= len && field <= 21; i++) {
    const c = i < len ? b[i]! : 32;
    if (c === 32 || c === 10) {
      const k = slot[field]!;
      if (k >= 0) {
        if (digits === 0) return false; // an empty or non-numeric field
        fields[k] = value;
      }
      field++;
      value = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      value = value * 10 + c - 48;
      digits++;
    } else if (slot[field]! >= 0) {
      return false; // a sign or a letter where a count belongs
    }
  }
  return field > 21; // else truncated
}

/** ms of listing interval per process: 10,000 processes are listed every 15 s, not every 5. */
export const LIST_MS_PER_PROCESS = 1.5;

/** Options of {@linkcode ProcessScanner}. */
export interface ProcessScanOptions {
  /** Processes per ranking. */
  topN: number;
  /** Kernel clock ticks per second (`USER_HZ`, 100 on Linux). */
  clockTicks: number;
  /** Bytes per page for RSS. */
  pageSize: number;
  /**
   * Least time (ms of snapshot time) between listings of the proc root; on big hosts the
   * listing waits {@linkcode LIST_MS_PER_PROCESS} ms per process known. 0 lists at every
   * snapshot. Default 0.
   */
  listMs?: number;
  /**
   * Processes read per snapshot besides the ranking candidates: new ones first, then the next
   * ones in a rotation over all. Default 16. `Infinity` reads every process at every listing.
   */
  readsPerSnapshot?: number;
}

/**
 * Ranks processes by CPU and by resident memory and emits the top N of each. The first two
 * snapshots read every process (the second ranks by CPU). After that a snapshot reads:
 * - the ranking candidates (the top 2N by last-known CPU and by last-known RSS) that used CPU
 *   at their last read (an idle process cannot have moved up by CPU, and its memory seldom
 *   changes);
 * - processes found by the last listing and not read yet, then the next ones of a rotation
 *   over all known processes, `readsPerSnapshot` in all.
 * A process read after a while gets the CPU ratio of the whole time since its last read, so a
 * process that woke up between two reads of the rotation enters the rankings at its next read.
 * The rankings are of last-known values: the emitted top N can hold processes not read in this
 * snapshot (with the values of their last read).
 */
export class ProcessScanner {
  readonly topN: number;
  readonly clockTicks: number;
  readonly pageSize: number;
  readonly listMs: number;
  readonly readsPerSnapshot: number;
  #procs = new Map<number, Proc>();
  /** Every known process in listing order: the rotation. */
  #order: Proc[] = [];
  /** Processes new in the last listing (scratch). */
  #added: Proc[] = [];
  #cursor = 0;
  /** Processes the last listing found and that were not read since. */
  #fresh: Proc[] = [];
  /** Processes read once since they were found: read again at the next snapshot for a rate. */
  #again: Proc[] = [];
  #againNext: Proc[] = [];
  #pids = new PidList();
  #listedTs = -Infinity;
  #listings = 0;
  #round = 0;
  #scans = 0;
  #byCpu: Proc[] = [];
  #byRss: Proc[] = [];
  #candidates: Proc[] = [];
  #store: Store | undefined;
  #released: number[] = [];

  /** @param options See {@linkcode ProcessScanOptions}. */
  constructor(options: ProcessScanOptions) {
    this.topN = options.topN;
    this.clockTicks = options.clockTicks;
    this.pageSize = options.pageSize;
    this.listMs = options.listMs ?? 0;
    this.readsPerSnapshot = options.readsPerSnapshot ?? 16;
  }

  /** Processes known from the last listing (less those found gone since). */
  get size(): number {
    return this.#procs.size;
  }

  /**
   * Emits `processes_total`, then `process_cpu_ratio` and `process_rss_bytes` for the top N
   * by CPU (`rank_by=cpu`; none on the first snapshot, which has no CPU rates yet) and by RSS
   * (`rank_by=memory`). Processes that exit or have unreadable stat are dropped; a pid reused
   * by a new process (other start time) starts over with no rate.
   */
  collect(ctx: Context): void {
    const round = ++this.#round;
    const everything = this.#scans < 2 || this.readsPerSnapshot === Infinity;
    const listEvery = Math.max(this.listMs, this.#procs.size * LIST_MS_PER_PROCESS);
    const listed = this.#scans < 2 || !(ctx.ts - this.#listedTs < listEvery);
    if (listed) this.#list(ctx);
    const candidates = this.#candidates;
    candidates.length = 0;
    if (everything) {
      if (listed) {
        this.#scans++;
        for (const p of this.#order) this.#take(ctx, p, round, true, false);
        this.#fresh.length = 0;
      } else {
        for (const p of this.#byCpu) this.#take(ctx, p, round, p.cpu !== 0, true);
        for (const p of this.#byRss) this.#take(ctx, p, round, p.cpu !== 0, true);
      }
    } else {
      for (const p of this.#byCpu) this.#take(ctx, p, round, p.cpu !== 0, true);
      for (const p of this.#byRss) this.#take(ctx, p, round, p.cpu !== 0, true);
      let budget = this.readsPerSnapshot;
      const again = this.#again;
      const next = this.#againNext;
      next.length = 0;
      for (const p of again) {
        if (budget <= 0) next.push(p);
        else if (!p.gone && p.readRound !== round) {
          this.#take(ctx, p, round, true, false);
          budget--;
        }
      }
      this.#again = next;
      this.#againNext = again;
      const fresh = this.#fresh;
      while (budget > 0 && fresh.length > 0) {
        const p = fresh.pop()!;
        if (p.gone || p.readRound === round) continue;
        this.#take(ctx, p, round, true, false);
        if (!p.gone) this.#again.push(p);
        budget--;
      }
      const order = this.#order;
      for (let steps = 0; budget > 0 && steps < order.length; steps++) {
        if (this.#cursor >= order.length) this.#cursor = 0;
        const p = order[this.#cursor++]!;
        if (p.gone || p.readRound === round) continue;
        this.#take(ctx, p, round, true, false);
        budget--;
      }
    }
    const k = 2 * this.topN;
    const byCpu = this.#byCpu;
    const byRss = this.#byRss;
    for (const p of byCpu) if (p.mark !== round && !p.gone) candidates.push(p), p.mark = round;
    for (const p of byRss) if (p.mark !== round && !p.gone) candidates.push(p), p.mark = round;
    // Handles are kept open for the candidates only: a process leaving both lists is closed.
    const before = byCpu.concat(byRss);
    byCpu.length = 0;
    byRss.length = 0;
    for (const p of candidates) {
      if (p.gone) continue;
      if (p.cpu === p.cpu) insert(byCpu, p, k, true);
      insert(byRss, p, k, false);
    }
    for (const p of before) {
      if (!p.gone && !byCpu.includes(p) && !byRss.includes(p)) ctx.files.evict(p.path);
    }
    // Every holder checks `gone` before a slot's numbers: the slots of the gone are free now.
    for (const slot of this.#released) this.#store!.release(slot);
    this.#released.length = 0;
    ctx.gauge("processes_total", none, this.#procs.size);
    const n = this.topN;
    for (let i = 0; i < n && i < byCpu.length; i++) {
      const p = byCpu[i]!;
      const [cpu, rss] = p.byCpu ??= series(ctx, p, "cpu");
      ctx.put(cpu, p.cpu);
      ctx.put(rss, p.rss);
    }
    for (let i = 0; i < n && i < byRss.length; i++) {
      const p = byRss[i]!;
      const [cpu, rss] = p.byMemory ??= series(ctx, p, "memory");
      ctx.put(cpu, p.cpu);
      ctx.put(rss, p.rss);
    }
  }

  /**
   * Reads `p` if `read` and not read in this round (keeping its handle open if `keep`), then
   * makes it a ranking candidate.
   */
  #take(ctx: Context, p: Proc, round: number, read: boolean, keep: boolean): void {
    if (p.gone) return;
    if (read && p.readRound !== round) {
      p.readRound = round;
      if (!this.#read(ctx, p, keep)) return;
    }
    if (p.mark !== round) {
      p.mark = round;
      this.#candidates.push(p);
    }
  }

  /** Reads one process; false (and forgotten) if it is gone or its stat is malformed. */
  #read(ctx: Context, p: Proc, keep: boolean): boolean {
    const files = ctx.files;
    let name: string | undefined;
    try {
      // Only ranking candidates keep their handle (see collect): the rotation opens and closes.
      const len = files.readBytes(p.path, false, keep);
      if (len !== undefined) name = parseStat(files.bytes, len, p.name);
    } catch {
      name = undefined;
    }
    if (name === undefined) {
      this.#drop(ctx, p);
      return false;
    }
    const ticks = fields[0]! + fields[1]!;
    const start = fields[2]!;
    const seconds = (ctx.ts - p.readTs) / 1000;
    p.cpu = start === p.start && ticks >= p.ticks && seconds > 0
      ? (ticks - p.ticks) / this.clockTicks / seconds
      : NaN;
    if (start !== p.start && p.start === p.start) forget(p); // the pid now names a new process
    p.ticks = ticks;
    p.start = start;
    p.readTs = ctx.ts;
    p.rss = fields[3]! * this.pageSize;
    if (name !== p.name) { // exec renames a process
      p.name = name;
      forget(p);
    }
    return true;
  }

  #drop(ctx: Context, p: Proc): void {
    if (p.gone) return;
    p.gone = true;
    p.cpu = NaN;
    ctx.files.evict(p.path);
    if (this.#procs.get(p.pid) === p) this.#procs.delete(p.pid);
    // The slot is reused only after the lists that may still hold the process let go of it.
    this.#released.push(p.slot);
  }

  /** Lists the proc root: adds new pids (to be read first), forgets those gone. */
  #list(ctx: Context): void {
    this.#listedTs = ctx.ts;
    const listing = ++this.#listings;
    const pids = this.#pids;
    listPids(ctx.procRoot, pids);
    const procs = this.#procs;
    const ids = pids.ids;
    const store = this.#store ??= new Store(ctx.procRoot);
    const added = this.#added;
    added.length = 0;
    for (let i = 0; i < pids.count; i++) {
      const pid = ids[i]!;
      let p = procs.get(pid);
      if (!p) {
        procs.set(pid, p = new Proc(pid, store));
        this.#fresh.push(p);
        added.push(p);
      }
      store.i[3 * p.slot] = listing; // p.seen, without a call per process
    }
    // The new order is the map's (the known in their order, then the new in listing order),
    // made from the old order's array rather than by the map's iterator (an object per
    // process in the interpreter). A pid gone from the listing is gone even if its handle
    // still reads.
    const order = this.#order;
    let k = 0;
    for (let j = 0; j < order.length; j++) {
      const p = order[j]!;
      if (p.gone) continue; // dropped since the last listing: no longer in the map
      if (store.i[3 * p.slot] !== listing) this.#drop(ctx, p);
      else order[k++] = p;
    }
    order.length = k;
    for (const p of added) order.push(p);
  }
}

/** Drops what depends on the program a pid runs: its series and its command line. */
function forget(p: Proc): void {
  p.byCpu = undefined;
  p.byMemory = undefined;
  p.command = undefined;
}

/** Longest `command` label kept, in characters (the Live page shows the rest on hover). */
export const COMMAND_MAX = 160;

/** Arguments that hold a secret: `--password=x`, `token=x`, `--password x`, `//user:pw@host`. */
const SECRET_ASSIGN =
  /^(-{0,2}[\w.-]*(?:pass(?:word|wd)?|secret|token|api[_-]?key|auth|credentials?)[\w.-]*)[=:](.+)$/i;
const URL_PASSWORD = /(\/\/[^/:@\s]*:)[^@\s]*@/;
const SECRET_FLAG = /^-{1,2}[\w.-]*(?:pass(?:word|wd)?|secret|token|api[_-]?key|credentials?)$/i;

/**
 * A process's command line from `/proc/PID/cmdline` (arguments joined by spaces), with secret
 * looking values replaced by `***` (a command line is public on the host, but the lake and the
 * web page may travel further) and cut to {@linkcode COMMAND_MAX} characters. Kernel threads and
 * unreadable files fall back to the name from `stat`.
 *
 * @param procRoot Root of `/proc`.
 * @param pid The process id.
 * @param name The name from `stat` (the fallback).
 * @returns The command line for the `command` label.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readCommand } from "./_family_processes.ts";
 * const root = Deno.makeTempDirSync();
 * Deno.mkdirSync(`${root}/7`);
 * Deno.writeTextFileSync(`${root}/7/cmdline`, "psql\0--password\0hunter2\0db\0");
 * assert.equal(readCommand(root, "7", "psql"), "psql --password *** db");
 * assert.equal(readCommand(root, "8", "kworker/0:1"), "kworker/0:1");
 * ```
 */
export function readCommand(procRoot: string, pid: string, name: string): string {
  let bytes: Uint8Array;
  try {
    bytes = Deno.readFileSync(`${procRoot}/${pid}/cmdline`);
  } catch {
    return name; // gone, or not ours to read
  }
  return commandText(decoder.decode(bytes).split("\0"), name);
}

/**
 * The `command` label from a process's arguments: secret-looking values replaced by `***`,
 * control characters by spaces, cut to {@linkcode COMMAND_MAX} characters; `name` when there
 * are no arguments (a kernel thread).
 *
 * @param argv The arguments (empty ones are dropped).
 * @param name The fallback.
 * @returns The label value.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { commandText } from "./_family_processes.ts";
 * assert.equal(commandText(["psql", "postgres://me:pw@db/x"], "psql"), "psql postgres://me:***@db/x");
 * assert.equal(commandText([], "kthreadd"), "kthreadd");
 * ```
 */
export function commandText(argv: readonly string[], name: string): string {
  const args = argv.filter((a) => a !== "");
  if (args.length === 0) return name;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const m = a.match(SECRET_ASSIGN);
    if (m) args[i] = `${m[1]}=***`;
    else if (URL_PASSWORD.test(a)) args[i] = a.replace(URL_PASSWORD, "$1***@");
    else if (SECRET_FLAG.test(a) && i + 1 < args.length) args[++i] = "***";
  }
  // Control characters (a newline inside an argument) would break a table row or a log line.
  // deno-lint-ignore no-control-regex
  const text = args.join(" ").replace(/[\x00-\x1f\x7f]/g, " ");
  return text.length > COMMAND_MAX ? `${text.slice(0, COMMAND_MAX - 1)}…` : text;
}

/** A process's two series in one ranking. */
function series(ctx: Context, p: Proc, rankBy: string): [Series, Series] {
  p.command ??= readCommand(ctx.procRoot, String(p.pid), p.name);
  const labels = Object.freeze({
    pid: String(p.pid),
    name: p.name,
    command: p.command,
    rank_by: rankBy,
  });
  return [ctx.series("process_cpu_ratio", labels), ctx.series("process_rss_bytes", labels)];
}

/** Keeps `rows` sorted descending by CPU or RSS, at most `n` long (insertion: n is small). */
function insert(rows: Proc[], p: Proc, n: number, cpu: boolean): void {
  if (n <= 0) return;
  const v = cpu ? p.cpu : p.rss;
  if (rows.length === n && (cpu ? rows[n - 1]!.cpu : rows[n - 1]!.rss) >= v) return;
  let i = rows.length;
  while (i > 0 && (cpu ? rows[i - 1]!.cpu : rows[i - 1]!.rss) < v) i--;
  rows.splice(i, 0, p);
  if (rows.length > n) rows.pop();
}
