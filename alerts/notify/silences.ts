/**
 * Silences: label matchers and a time span during which matching alerts send no notification.
 * Kept in memory and written whole to `DATA/alerts/silences.json` (temporary file, then rename)
 * on every change, so a restart keeps them and a reader never sees a torn file.
 *
 * @module
 */
import { dirname, join } from "node:path";
import {
  canonicalMatcher,
  type CompiledMatcher,
  compileMatcher,
  type Matcher,
  matchesAll,
} from "./matchers.ts";

/** A silence as stored and shown. */
export interface Silence {
  /** Random id (UUID). */
  id: string;
  matchers: Matcher[];
  /** Start, ms epoch. */
  startsAt: number;
  /** End, ms epoch; expiring a silence sets it to the present. */
  endsAt: number;
  /** Who made it (free text). */
  createdBy: string;
  /** Why. */
  comment: string;
  /** When it was made, ms epoch. */
  createdAt: number;
}

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
}

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
  readonly #path: string | undefined;
  readonly #now: () => number;
  readonly #retentionMs: number;
  readonly #max: number;
  #entries = new Map<string, Entry>();
  #writing: Promise<void> = Promise.resolve();

  private constructor(path: string | undefined, options: SilenceStoreOptions) {
    this.#path = path;
    this.#now = options.now ?? Date.now;
    this.#retentionMs = options.retentionMs ?? 5 * 86_400_000;
    this.#max = options.max ?? 10_000;
  }

  /**
   * Opens the store: reads `<root>/alerts/silences.json` when it exists.
   *
   * @param root Lake root; `undefined` keeps the silences in memory only.
   * @param options Clock, retention and limit.
   * @returns The store.
   * @throws {SyntaxError} When the file exists but is not a silences file (it is never overwritten).
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
    const store = new SilenceStore(path, options);
    if (path === undefined) return store;
    let text: string;
    try {
      text = await Deno.readTextFile(path);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return store;
      throw error;
    }
    const parsed = JSON.parse(text) as { silences?: Silence[] };
    if (!Array.isArray(parsed.silences)) {
      throw new SyntaxError(`${path}: not a silences file (no "silences" array)`);
    }
    for (const s of parsed.silences) {
      store.#entries.set(s.id, { silence: s, matchers: s.matchers.map(compileMatcher) });
    }
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
   * @throws {RangeError} On no matchers, matchers that would match every alert, a bad regular
   * expression, an end not after the start or in the past, or too many silences.
   */
  async create(input: NewSilence): Promise<Silence> {
    const now = this.#now();
    const matchers = input.matchers.map(compileMatcher);
    if (matchers.length === 0) throw new RangeError("A silence needs at least one matcher");
    // as Alertmanager: a silence whose matchers all match the empty string would mute every alert
    if (matchers.every((m) => m.test({}))) {
      throw new RangeError(
        "At least one matcher must not match the empty value (it would mute every alert)",
      );
    }
    const startsAt = Math.max(input.startsAt ?? now, now);
    if (!(input.endsAt > startsAt)) {
      throw new RangeError("A silence must end after it starts and in the future");
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
    await this.#save();
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
      entry.silence = {
        ...entry.silence,
        endsAt: now,
        startsAt: Math.min(entry.silence.startsAt, now),
      };
      await this.#save();
    }
    return entry.silence;
  }

  #gc(now: number): void {
    for (const [id, e] of this.#entries) {
      if (e.silence.endsAt + this.#retentionMs < now) this.#entries.delete(id);
    }
  }

  /** Writes the file whole (temporary name, then rename); writes are serialized. */
  #save(): Promise<void> {
    const path = this.#path;
    if (path === undefined) return Promise.resolve();
    const text = JSON.stringify(
      { silences: [...this.#entries.values()].map((e) => e.silence) },
      null,
      1,
    );
    this.#writing = this.#writing.catch(() => {}).then(async () => {
      await Deno.mkdir(dirname(path), { recursive: true });
      const tmp = `${path}.${crypto.randomUUID()}.tmp`;
      try {
        await Deno.writeTextFile(tmp, text);
        await Deno.rename(tmp, path);
      } catch (error) {
        await Deno.remove(tmp).catch(() => {});
        throw error;
      }
    });
    return this.#writing;
  }
}

function stateAt(s: Silence, now: number): SilenceState {
  return now < s.startsAt ? "pending" : now < s.endsAt ? "active" : "expired";
}
