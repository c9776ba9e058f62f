/**
 * Silences: label matchers and a time span during which matching alerts send no notification.
 * Kept in memory; each change is appended to `DATA/alerts/silences.log` and flushed before it is
 * acknowledged, and the log is folded into `DATA/alerts/silences.json` now and then (see
 * `silence_log.ts`), so a restart, even after a crash in the middle of a write, keeps them.
 *
 * @module
 */
import { join } from "node:path";
import {
  canonicalMatcher,
  type CompiledMatcher,
  compileMatcher,
  type Matcher,
  matchesAll,
} from "./matchers.ts";
import { silenceBreadthProblem } from "./silence_breadth.ts";
import { readSilenceFiles, SilenceLog, type SilenceLogOptions } from "./silence_log.ts";
import type { Silence } from "./silence.ts";

export type { Silence };

/** Where a silence stands at a given time. */
export type SilenceState = "pending" | "active" | "expired";

/** What {@linkcode SilenceStore.create} takes. */
export interface NewSilence {
  matchers: Matcher[];
  /** Default now. */
  startsAt?: number;
  endsAt: number;
  createdBy?: string;
  comment?: string;
}

/** Options for {@linkcode SilenceStore.open}. */
export interface SilenceStoreOptions {
  /** Clock in ms; default `Date.now`. */
  now?: () => number;
  /** How long expired silences are kept (shown) before they are dropped; default 5 days. */
  retentionMs?: number;
  /** Most silences kept; default 10 000. */
  max?: number;
  /** Furthest ahead of now a silence may end, ms; default 365 days. */
  maxAheadMs?: number;
  /** How the file is written (compaction threshold; the bench's whole rewrite). */
  log?: Omit<SilenceLogOptions, "records">;
}

const DAY = 86_400_000;
/** A silence ends at most this far ahead: a year covers any planned work (a yearly freeze, a
 * decommission) and the Alerts page lists it; one lasting centuries is a typo or a way to turn
 * an alert off, which belongs in the rules. */
export const MAX_SILENCE_AHEAD_MS = 365 * DAY;

/** The silences file under a lake root. */
export function silencesPath(root: string): string {
  return join(root, "alerts", "silences.json");
}

/** A silence and its compiled matchers. */
interface Entry {
  silence: Silence;
  matchers: CompiledMatcher[];
}

/** The silences, persisted under one file. */
export class SilenceStore {
  readonly #now: () => number;
  readonly #retentionMs: number;
  readonly #max: number;
  readonly #maxAheadMs: number;
  #entries = new Map<string, Entry>();
  #writing: Promise<void> = Promise.resolve();
  #log: SilenceLog | undefined;

  private constructor(options: SilenceStoreOptions) {
    this.#now = options.now ?? Date.now;
    this.#retentionMs = options.retentionMs ?? 5 * 86_400_000;
    this.#max = options.max ?? 10_000;
    this.#maxAheadMs = options.maxAheadMs ?? MAX_SILENCE_AHEAD_MS;
  }

  /**
   * Opens the store: reads `<root>/alerts/silences.json` and `silences.log` when they exist
   * (cutting off a record a crash left torn).
   *
   * @param root Lake root; `undefined` keeps the silences in memory only.
   * @param options Clock, retention and limit.
   * @returns The store.
   * @throws {SyntaxError} When a file exists but is not a silences file or log (it is never
   * overwritten).
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { SilenceStore } from "./silences.ts";
   * const root = await Deno.makeTempDir();
   * const store = await SilenceStore.open(root, { now: () => 1000 });
   * await store.create({ matchers: [{ name: "host", op: "=", value: "db1" }], endsAt: 5000 });
   * const again = await SilenceStore.open(root, { now: () => 2000 });
   * assert.equal(again.silencedBy({ host: "db1" }).length, 1);
   * assert.equal(again.silencedBy({ host: "db2" }).length, 0);
   * ```
   */
  static async open(root: string | undefined, options: SilenceStoreOptions = {}) {
    const path = root === undefined ? undefined : silencesPath(root);
    const store = new SilenceStore(options);
    if (path === undefined) return store;
    const { silences, records } = await readSilenceFiles(path);
    for (const s of silences.values()) {
      store.#entries.set(s.id, { silence: s, matchers: s.matchers.map(compileMatcher) });
    }
    store.#gc(store.#now());
    store.#log = new SilenceLog(path, { records, ...options.log });
    return store;
  }

  /**
   * Every silence kept, newest first.
   *
   * @returns The silences with their state now.
   */
  list(): (Silence & { state: SilenceState })[] {
    const now = this.#now();
    return [...this.#entries.values()].map((e) => ({
      ...e.silence,
      state: stateAt(e.silence, now),
    }))
      .sort((a, b) => b.createdAt - a.createdAt);
  }

  /**
   * The ids of the active silences that match labels.
   *
   * @param labels An alert's labels.
   * @returns Matching silence ids; empty when none.
   */
  silencedBy(labels: Readonly<Record<string, string>>): string[] {
    const now = this.#now();
    const ids: string[] = [];
    for (const { silence, matchers } of this.#entries.values()) {
      if (silence.startsAt <= now && now < silence.endsAt && matchesAll(matchers, labels)) {
        ids.push(silence.id);
      }
    }
    return ids;
  }

  /**
   * Adds a silence and writes the file.
   *
   * @param input Matchers (at least one that does not match an empty value), span, author.
   * @returns The silence.
   * @throws {RangeError} On no matchers, matchers that would match every alert (see
   * `silenceBreadthProblem`), a bad regular expression, an end not after the start or in the
   * past, an end more than `maxAheadMs` ahead, or too many silences.
   */
  async create(input: NewSilence): Promise<Silence> {
    const now = this.#now();
    const matchers = input.matchers.map(compileMatcher);
    if (matchers.length === 0) throw new RangeError("A silence needs at least one matcher");
    const broad = silenceBreadthProblem(matchers);
    if (broad !== undefined) throw new RangeError(broad);
    const startsAt = Math.max(input.startsAt ?? now, now);
    if (!(input.endsAt > startsAt)) {
      throw new RangeError("A silence must end after it starts and in the future");
    }
    if (input.endsAt - now > this.#maxAheadMs) {
      const end = Math.abs(input.endsAt) <= 8.64e15
        ? `ends ${new Date(input.endsAt).toISOString()}`
        : "never ends";
      throw new RangeError(
        `A silence must end within ${this.#maxAheadMs / DAY} days from now: this one ${end}`,
      );
    }
    this.#gc(now);
    if (this.#entries.size >= this.#max) {
      throw new RangeError(`Too many silences (${this.#max}): expire some first`);
    }
    const silence: Silence = {
      id: crypto.randomUUID(),
      // host="Web1" is kept as host="web1": what it matches, as the lake stores host names
      matchers: input.matchers.map(canonicalMatcher),
      startsAt,
      endsAt: input.endsAt,
      createdBy: input.createdBy ?? "",
      comment: input.comment ?? "",
      createdAt: now,
    };
    this.#entries.set(silence.id, { silence, matchers });
    try {
      await this.#record(silence);
    } catch (error) {
      this.#entries.delete(silence.id); // in force only once stored: a restart would lose it
      throw error;
    }
    return silence;
  }

  /**
   * Expires a silence now (it stays listed as expired until retention drops it).
   *
   * @param id The silence.
   * @returns The silence, or `undefined` when there is none with that id.
   */
  async expire(id: string): Promise<Silence | undefined> {
    const entry = this.#entries.get(id);
    if (!entry) return undefined;
    const now = this.#now();
    if (entry.silence.endsAt > now) {
      const before = entry.silence;
      entry.silence = { ...before, endsAt: now, startsAt: Math.min(before.startsAt, now) };
      try {
        await this.#record(entry.silence);
      } catch (error) {
        entry.silence = before; // not stored: a restart would bring it back in force
        throw error;
      }
    }
    return entry.silence;
  }

  #gc(now: number): void {
    for (const [id, e] of this.#entries) {
      if (e.silence.endsAt + this.#retentionMs < now) this.#entries.delete(id);
    }
  }

  /** Logs a change (see `silence_log.ts`); writes are serialized, each after the last. */
  #record(silence: Silence): Promise<void> {
    const log = this.#log;
    if (log === undefined) return Promise.resolve();
    const all = () => [...this.#entries.values()].map((e) => e.silence);
    this.#writing = this.#writing.catch(() => {}).then(() => log.write(silence, all));
    return this.#writing;
  }
}

function stateAt(s: Silence, now: number): SilenceState {
  return now < s.startsAt ? "pending" : now < s.endsAt ? "active" : "expired";
}
