/**
 * The top-processes family: the part of a snapshot whose cost grows with the host (one
 * `/proc/[pid]/stat` read per process read). Its cost is bounded per snapshot: the process list
 * is read with `getdents64` every few seconds (less often on hosts with many processes), and a
 * snapshot reads only the candidates for the rankings (the processes ranked by last-known CPU
 * and memory that used CPU at their last read), processes new since the last listing, and a
 * rotating slice of the rest, which slows down when `/proc/stat` shows that the processes not
 * read cannot rank (see {@linkcode ProcessScanner}). A stat line is parsed from bytes, the
 * fields between the kept ones skipped by `indexOf`: in V8's lite mode (how the collector runs)
 * built-ins are what is cheap, and every bytecode counts. Private to the collectors.
 *
 * @module
 */

import type { Context } from "./_context.ts";
import { none } from "./_context.ts";
import { printable } from "./_printable.ts";
import { listPids, PidList } from "./_list_pids.ts";
import type { Series } from "./snapshot.ts";

const decoder = new TextDecoder();

/** Doubles kept per slot: ticks (utime + stime), start time, time of the last read, CPU, RSS. */
const F = 5;
/** Integers kept per slot: pid (-1 once gone), round of the last read, candidate mark, ranked mark. */
const I = 4;

/** What a ranked process keeps beyond its numbers: its series and its command line. */
interface Ranked {
  /** Command line for the `command` label; read once when first ranked, again after exec. */
  command: string | undefined;
  /** Series by ranking ([cpu ratio, rss]), dropped when the name or the start time changes. */
  byCpu: [Series, Series] | undefined;
  byMemory: [Series, Series] | undefined;
}

/**
 * The processes known, by slot: their numbers in typed arrays, their names in an array, and an
 * object only for the ranked ones (their series). An object per process cost ~450 bytes each at
 * 10,000 processes; a slot costs 56 bytes of typed arrays, a name and two array places.
 */
class Store {
  f = new Float64Array(F * 256);
  i = new Int32Array(I * 256);
  /** The name last read, by slot (compared bytewise at each read: no string when unchanged). */
  names: string[] = [];
  ranked: (Ranked | undefined)[] = [];
  #free: number[] = [];
  #next = 0;

  alloc(pid: number): number {
    const s = this.#free.pop() ?? this.#next++;
    if (F * (s + 1) > this.f.length) {
      const f = new Float64Array(this.f.length * 2);
      f.set(this.f);
      this.f = f;
      const i = new Int32Array(this.i.length * 2);
      i.set(this.i);
      this.i = i;
    }
    this.f.fill(NaN, F * s, F * s + 4);
    this.f[F * s + 4] = 0;
    const i = this.i;
    i[I * s] = pid;
    i[I * s + 1] = 0;
    i[I * s + 2] = 0;
    i[I * s + 3] = 0;
    this.names[s] = "";
    this.ranked[s] = undefined;
    return s;
  }

  release(s: number): void {
    this.names[s] = "";
    this.ranked[s] = undefined;
    this.#free.push(s);
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
  // Both searches are built-ins (`indexOf`, `lastIndexOf`), not loops in the interpreter. The
  // name is at most 64 bytes (a kernel worker's with its workqueue; 15 for the others): the
  // last `)` is searched from there back, not from the end of a ~300-byte line.
  const open = b.indexOf(40); // (
  if (open <= 0 || open >= len) return undefined;
  const close = b.lastIndexOf(41, Math.min(len - 1, open + 66)); // )
  if (close <= open) return undefined;
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

/**
 * How much longer the listing waits after a quiet snapshot (see {@linkcode ProcessScanner}):
 * 12 s instead of 3 at 2,000 processes, 20 s instead of 5 on small hosts.
 */
export const QUIET_LIST_FACTOR = 4;

/**
 * Clock ticks per CPU and snapshot by which `/proc/stat`'s aggregate may fall short of the sum
 * of the processes' own counts (see {@linkcode ProcessScanner}): the aggregate is sampled at
 * timer ticks (a CPU that runs short bursts between ticks of an otherwise idle tickless CPU is
 * charged less than it ran), a process's utime + stime is its exact run time cut to whole ticks,
 * and the two are read a few ms apart. Measured on this build machine's real /proc (2 CPUs,
 * ~80 processes, loaded by other jobs; README, collector cost): over 210 one-second intervals
 * the aggregate fell short by at most 2.5 ticks per CPU.
 */
export const SHORTFALL_TICKS_PER_CPU = 3;

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
  /**
   * Those reads when `/proc/stat` shows that no process left unread can rank by CPU (see
   * {@linkcode ProcessScanner}): they keep new processes and the memory ranking coming in.
   * Default 2.
   */
  quietReads?: number;
}

/**
 * Ranks processes by CPU and by resident memory and emits the top N of each. The first two
 * snapshots read every process (the second ranks by CPU). After that a snapshot reads:
 * - the ranking candidates (the top 2N by last-known CPU and by last-known RSS) that used CPU
 *   at their last read (an idle process cannot have moved up by CPU, and its memory seldom
 *   changes);
 * - processes found by the last listing and not read yet, then the next ones of a rotation
 *   over all known processes (in pid order), `readsPerSnapshot` in all, or `quietReads` when
 *   the residual allows.
 *
 * The residual: the CPU time that `/proc/stat`'s `cpu` line (user + nice + system + irq +
 * softirq, set in the context by the stat family, which runs first) gained since the last
 * snapshot, less the ticks of the processes read in both snapshots (the busy candidates, the
 * new ones read a second time), clamped at 0. Every tick an unread process used is in it, so no
 * unread process used more. When it is at most the larger of the N-th CPU of the ranking (the
 * least of the first N's values, in ticks over the interval) and a tolerance
 * ({@linkcode SHORTFALL_TICKS_PER_CPU} × the CPUs that ran anything in the interval, at least
 * one, as the aggregate is rounded to ticks per CPU), no unread
 * process can be in the top N by CPU and the rotation slows to `quietReads`. A process that
 * wakes up raises the residual and the rotation runs at full speed until it is read; processes
 * that exited (and threads' work the kernel gives to no one) also stay in the residual: they can
 * only cause reads, never hide a process. Without `/proc/stat` the rotation never slows. After
 * a quiet snapshot the listing also waits {@linkcode QUIET_LIST_FACTOR} times as long: a new
 * process that uses CPU makes the next snapshot not quiet, and the listing comes at the usual
 * interval.
 *
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
  readonly quietReads: number;
  #store = new Store();
  /** Known pids in ascending order and their slots: the rotation. */
  #pids = new Int32Array(1024);
  #slots = new Int32Array(1024);
  #count = 0;
  /** The next listing's arrays (swapped with the above). */
  #pidsNext = new Int32Array(1024);
  #slotsNext = new Int32Array(1024);
  /** Processes alive by the last listing and reads since. */
  #size = 0;
  #cursor = 0;
  /** Processes dropped since the last listing. */
  #dropped = 0;
  /** Processes the last listing found and that were not read since (slots). */
  #fresh: number[] = [];
  /** Processes read once since they were found: read again at the next snapshot for a rate. */
  #again: number[] = [];
  #againNext: number[] = [];
  #list = new PidList();
  #listedTs = -Infinity;
  #round = 0;
  #scans = 0;
  #byCpu: number[] = [];
  #byRss: number[] = [];
  #byCpuNext: number[] = [];
  #byRssNext: number[] = [];
  #candidates: number[] = [];
  #released: number[] = [];
  /** `/proc/stat`'s ticks at the last snapshot, and that snapshot's time. */
  #lastTotal = NaN;
  #lastTs = NaN;
  /** Ticks of the processes read in this snapshot and the one before. */
  #explained = 0;
  #reads = 0;
  #quiet = false;
  #total: Series | undefined;

  /** @param options See {@linkcode ProcessScanOptions}. */
  constructor(options: ProcessScanOptions) {
    this.topN = options.topN;
    this.clockTicks = options.clockTicks;
    this.pageSize = options.pageSize;
    this.listMs = options.listMs ?? 0;
    this.readsPerSnapshot = options.readsPerSnapshot ?? 16;
    this.quietReads = options.quietReads ?? 2;
  }

  /** Processes known from the last listing (less those found gone since). */
  get size(): number {
    return this.#size;
  }

  /** Stat files read in the last snapshot. */
  get reads(): number {
    return this.#reads;
  }

  /** Whether the last snapshot's rotation slowed (see {@linkcode ProcessScanner}). */
  get quiet(): boolean {
    return this.#quiet;
  }

  /**
   * Emits `processes_total`, then `process_cpu_ratio` and `process_rss_bytes` for the top N
   * by CPU (`rank_by=cpu`; none on the first snapshot, which has no CPU rates yet) and by RSS
   * (`rank_by=memory`). Processes that exit or have unreadable stat are dropped; a pid reused
   * by a new process (other start time) starts over with no rate.
   */
  collect(ctx: Context): void {
    const round = ++this.#round;
    const store = this.#store;
    this.#reads = 0;
    this.#explained = 0;
    // After a quiet snapshot no process unread, new ones included, used much CPU: the listing
    // (for new idle processes, the gone and processes_total) can wait longer.
    const wait = this.#quiet ? QUIET_LIST_FACTOR : 1;
    this.#quiet = false;
    const delta = ctx.cpuTicks - this.#lastTotal;
    const seconds = (ctx.ts - this.#lastTs) / 1000;
    this.#lastTotal = ctx.cpuTicks;
    this.#lastTs = ctx.ts;
    const everything = this.#scans < 2 || this.readsPerSnapshot === Infinity;
    const listEvery = wait * Math.max(this.listMs, this.#size * LIST_MS_PER_PROCESS);
    const listed = this.#scans < 2 || !(ctx.ts - this.#listedTs < listEvery);
    if (listed) this.#listPids(ctx);
    const candidates = this.#candidates;
    candidates.length = 0;
    const byCpu = this.#byCpu;
    const byRss = this.#byRss;
    if (everything && listed) {
      this.#scans++;
      const slots = this.#slots;
      for (let j = 0; j < this.#count; j++) this.#take(ctx, slots[j]!, round, true, false);
      this.#fresh.length = 0;
    } else {
      const f = store.f;
      for (const s of byCpu) this.#take(ctx, s, round, f[F * s + 3] !== 0, true);
      for (const s of byRss) this.#take(ctx, s, round, f[F * s + 3] !== 0, true);
      if (!everything) this.#rotate(ctx, round, delta, seconds);
    }
    this.#rank(ctx, round);
    // Every holder checks the pid before a slot's numbers: the slots of the gone are free now.
    for (const s of this.#released) store.release(s);
    this.#released.length = 0;
    ctx.put(this.#total ??= ctx.series("processes_total", none), this.#size);
    const n = this.topN;
    const f = store.f;
    const top = this.#byCpu;
    for (let j = 0; j < n && j < top.length; j++) {
      const s = top[j]!;
      const r = store.ranked[s] ??= { command: undefined, byCpu: undefined, byMemory: undefined };
      const [cpu, rss] = r.byCpu ??= series(ctx, store, s, r, "cpu");
      ctx.put(cpu, f[F * s + 3]!);
      ctx.put(rss, f[F * s + 4]!);
    }
    const mem = this.#byRss;
    for (let j = 0; j < n && j < mem.length; j++) {
      const s = mem[j]!;
      const r = store.ranked[s] ??= { command: undefined, byCpu: undefined, byMemory: undefined };
      const [cpu, rss] = r.byMemory ??= series(ctx, store, s, r, "memory");
      ctx.put(cpu, f[F * s + 3]!);
      ctx.put(rss, f[F * s + 4]!);
    }
  }

  /** Reads the new processes read once, then decides the budget (the residual), then the rest. */
  #rotate(ctx: Context, round: number, delta: number, seconds: number): void {
    const iv = this.#store.i;
    let budget = this.readsPerSnapshot;
    const again = this.#again;
    const next = this.#againNext;
    next.length = 0;
    for (const s of again) {
      if (budget <= 0) next.push(s);
      else if (iv[I * s]! >= 0 && iv[I * s + 1] !== round) {
        this.#take(ctx, s, round, true, false);
        budget--;
      }
    }
    this.#again = next;
    this.#againNext = again;
    // The N-th CPU of the ranking, at most: the least of the first N's values now.
    const f = this.#store.f;
    const byCpu = this.#byCpu;
    const n = this.topN;
    let nth = byCpu.length < n ? 0 : Infinity;
    for (let j = 0; j < n && j < byCpu.length; j++) {
      const c = f[F * byCpu[j]! + 3]!;
      if (!(c >= nth)) nth = c >= 0 ? c : 0;
    }
    const residual = Math.max(0, delta - this.#explained);
    const allowed = Math.max(
      nth * this.clockTicks * seconds,
      Math.max(1, ctx.busyCpus) * SHORTFALL_TICKS_PER_CPU,
    );
    if (residual <= allowed) { // false when either side is unknown (NaN)
      this.#quiet = true;
      budget = Math.min(budget, this.quietReads);
    }
    const fresh = this.#fresh;
    while (budget > 0 && fresh.length > 0) {
      const s = fresh.pop()!;
      if (iv[I * s]! < 0 || iv[I * s + 1] === round) continue;
      this.#take(ctx, s, round, true, false);
      if (iv[I * s]! >= 0) this.#again.push(s);
      budget--;
    }
    const slots = this.#slots;
    const count = this.#count;
    for (let steps = 0; budget > 0 && steps < count; steps++) {
      if (this.#cursor >= count) this.#cursor = 0;
      const s = slots[this.#cursor++]!;
      if (iv[I * s]! < 0 || iv[I * s + 1] === round) continue;
      this.#take(ctx, s, round, true, false);
      budget--;
    }
  }

  /**
   * Rebuilds the rankings from this snapshot's candidates and the last rankings; handles are
   * kept open for the ranked only (a process leaving both lists is closed).
   */
  #rank(ctx: Context, round: number): void {
    const store = this.#store;
    const f = store.f;
    const iv = store.i;
    const candidates = this.#candidates;
    const byCpu = this.#byCpu;
    const byRss = this.#byRss;
    for (const s of byCpu) {
      if (iv[I * s + 2] !== round && iv[I * s]! >= 0) candidates.push(s), iv[I * s + 2] = round;
    }
    for (const s of byRss) {
      if (iv[I * s + 2] !== round && iv[I * s]! >= 0) candidates.push(s), iv[I * s + 2] = round;
    }
    const k = 2 * this.topN;
    const cpu = this.#byCpuNext;
    const rss = this.#byRssNext;
    cpu.length = 0;
    rss.length = 0;
    for (const s of candidates) {
      if (iv[I * s]! < 0) continue;
      if (f[F * s + 3] === f[F * s + 3]) insert(cpu, s, k, f, 3);
      insert(rss, s, k, f, 4);
    }
    for (const s of cpu) iv[I * s + 3] = round;
    for (const s of rss) iv[I * s + 3] = round;
    for (const s of byCpu) this.#close(ctx, s, round);
    for (const s of byRss) this.#close(ctx, s, round);
    this.#byCpu = cpu;
    this.#byRss = rss;
    this.#byCpuNext = byCpu;
    this.#byRssNext = byRss;
  }

  /** Closes the handle of a process that is no longer ranked. */
  #close(ctx: Context, s: number, round: number): void {
    const iv = this.#store.i;
    if (iv[I * s + 3] === round || iv[I * s]! < 0) return;
    iv[I * s + 3] = round;
    ctx.files.evict(`${ctx.procRoot}/${iv[I * s]}/stat`);
  }

  /**
   * Reads slot `s` if `read` and not read in this round (keeping its handle open if `keep`),
   * then makes it a ranking candidate.
   */
  #take(ctx: Context, s: number, round: number, read: boolean, keep: boolean): void {
    const iv = this.#store.i;
    if (iv[I * s]! < 0) return;
    if (read && iv[I * s + 1] !== round) {
      const consecutive = iv[I * s + 1] === round - 1;
      iv[I * s + 1] = round;
      if (!this.#read(ctx, s, keep, consecutive)) return;
    }
    if (iv[I * s + 2] !== round) {
      iv[I * s + 2] = round;
      this.#candidates.push(s);
    }
  }

  /**
   * Reads one process; false (and forgotten) if it is gone or its stat is malformed. Its ticks
   * since a read in the last snapshot count as explained (see {@linkcode ProcessScanner}).
   */
  #read(ctx: Context, s: number, keep: boolean, consecutive: boolean): boolean {
    const store = this.#store;
    const files = ctx.files;
    // Made when read: a string kept per process would cost ~0.6 MB at 10,000.
    const path = `${ctx.procRoot}/${store.i[I * s]}/stat`;
    let name: string | undefined;
    try {
      // Only ranking candidates keep their handle (see #rank): the rotation opens and closes.
      const len = files.readBytes(path, false, keep);
      if (len !== undefined) name = parseStat(files.bytes, len, store.names[s]!);
    } catch {
      name = undefined;
    }
    if (name === undefined) {
      this.#drop(ctx, s, path);
      return false;
    }
    this.#reads++;
    const f = store.f;
    const o = F * s;
    const ticks = fields[0]! + fields[1]!;
    const start = fields[2]!;
    const last = f[o]!;
    const seconds = (ctx.ts - f[o + 2]!) / 1000;
    if (start === f[o + 1] && ticks >= last) {
      f[o + 3] = seconds > 0 ? (ticks - last) / this.clockTicks / seconds : NaN;
      if (consecutive) this.#explained += ticks - last;
    } else {
      f[o + 3] = NaN;
      if (f[o + 1] === f[o + 1] && start !== f[o + 1]) store.ranked[s] = undefined; // pid reused
    }
    f[o] = ticks;
    f[o + 1] = start;
    f[o + 2] = ctx.ts;
    f[o + 4] = fields[3]! * this.pageSize;
    if (name !== store.names[s]) { // exec renames a process: its series and command go
      store.names[s] = name;
      store.ranked[s] = undefined;
    }
    return true;
  }

  #drop(ctx: Context, s: number, path?: string): void {
    const iv = this.#store.i;
    const pid = iv[I * s]!;
    if (pid < 0) return;
    iv[I * s] = -1;
    this.#dropped++;
    this.#store.f[F * s + 3] = NaN;
    ctx.files.evict(path ?? `${ctx.procRoot}/${pid}/stat`);
    this.#size--;
    // The slot is reused only after the lists that may still hold it let go of it.
    this.#released.push(s);
  }

  /**
   * Lists the proc root and merges the sorted pids with the known ones (integer compares, no
   * lookup per pid): new pids get a slot (to be read first), pids not listed are gone.
   */
  #listPids(ctx: Context): void {
    this.#listedTs = ctx.ts;
    const list = this.#list;
    listPids(ctx.procRoot, list);
    const n = list.count;
    // getdents64 lists /proc's pids in ascending order; another order is sorted first.
    if (!list.sorted) list.ids.subarray(0, n).sort();
    const ids = list.ids;
    if (this.#pidsNext.length < n) {
      this.#pidsNext = new Int32Array(2 * n);
      this.#slotsNext = new Int32Array(2 * n);
    }
    const old = this.#pids;
    const oldSlots = this.#slots;
    const oldCount = this.#count;
    const oldCursor = this.#cursor;
    const pids = this.#pidsNext;
    const slots = this.#slotsNext;
    const store = this.#store;
    const iv = store.i;
    const fresh = this.#fresh;
    let j = 0;
    let k = 0;
    let cursor = -1;
    let last = -1;
    // With no process dropped since the last listing every old slot is valid: a run of pids
    // listed as last time is copied in bulk (one compare per pid in a tight loop).
    const clean = this.#dropped === 0;
    for (let x = 0; x < n; x++) {
      if (clean) {
        const x0 = x;
        const j0 = j;
        while (x < n && j < oldCount && ids[x] === old[j]) x++, j++;
        if (x > x0) {
          pids.set(old.subarray(j0, j), k);
          slots.set(oldSlots.subarray(j0, j), k);
          if (oldCursor >= j0 && oldCursor < j) cursor = k + oldCursor - j0;
          k += x - x0;
          last = old[j - 1]!;
          if (x === n) break;
        }
      }
      const pid = ids[x]!;
      if (pid === last) continue; // listed twice (the directory changed between calls)
      last = pid;
      while (j < oldCount && old[j]! < pid) {
        if (j === oldCursor) cursor = k;
        const gone = oldSlots[j]!;
        if (iv[I * gone] === old[j]) this.#drop(ctx, gone); // a pid not listed is gone
        j++;
      }
      let s = -1;
      if (j < oldCount && old[j] === pid) {
        if (j === oldCursor) cursor = k;
        s = oldSlots[j++]!;
        if (iv[I * s] !== pid) s = -1; // dropped since (exited, or its stat was unreadable)
      }
      if (s < 0) fresh.push(s = store.alloc(pid));
      pids[k] = pid;
      slots[k++] = s;
    }
    for (; j < oldCount; j++) {
      if (j === oldCursor) cursor = k;
      const gone = oldSlots[j]!;
      if (iv[I * gone] === old[j]) this.#drop(ctx, gone);
    }
    this.#pids = pids;
    this.#slots = slots;
    this.#pidsNext = old;
    this.#slotsNext = oldSlots;
    this.#count = k;
    this.#size = k;
    this.#dropped = 0;
    this.#cursor = cursor < 0 ? k : cursor;
  }
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
  const text = printable(args.join(" "));
  return text.length > COMMAND_MAX ? `${text.slice(0, COMMAND_MAX - 1)}…` : text;
}

/** A process's two series in one ranking. */
function series(
  ctx: Context,
  store: Store,
  s: number,
  r: Ranked,
  rankBy: string,
): [Series, Series] {
  const pid = String(store.i[I * s]);
  const name = printable(store.names[s]!);
  r.command ??= readCommand(ctx.procRoot, pid, name);
  const labels = Object.freeze({ pid, name, command: r.command, rank_by: rankBy });
  return [ctx.series("process_cpu_ratio", labels), ctx.series("process_rss_bytes", labels)];
}

/**
 * Keeps `rows` (slots) sorted descending by the value at `off` of each slot's doubles (3 CPU,
 * 4 RSS), at most `n` long (insertion: n is small).
 */
function insert(rows: number[], s: number, n: number, f: Float64Array, off: number): void {
  if (n <= 0) return;
  const v = f[F * s + off]!;
  if (rows.length === n && f[F * rows[n - 1]! + off]! >= v) return;
  let i = rows.length;
  while (i > 0 && f[F * rows[i - 1]! + off]! < v) i--;
  rows.splice(i, 0, s);
  if (rows.length > n) rows.pop();
}
