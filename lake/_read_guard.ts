/**
 * Private: the reads of one {@linkcode Lake} in flight, so that closing it ends them. DuckDB's
 * `closeSync` while a statement runs on the connection leaves that statement's promise pending
 * for good, the statement itself running (hours for a large scan), or the process crashed
 * (seen: a segmentation fault, a `closeSync` that never returned); so the lake is closed in two
 * steps: the callers' reads are refused at once, and DuckDB is let go of only once the
 * statements under them have ended (interrupted, or refused before they start).
 *
 * @module
 */
import { LakeClosed } from "./errors.ts";

/** Time between two interrupts while closing, ms: an interrupt that comes before a statement
 * reaches DuckDB does nothing, so it is repeated until every read has ended. */
const INTERRUPT_EVERY_MS = 10;

/** Tracks a lake's reads and cuts them off when it closes. */
export class ReadGuard {
  /** Each running read's work, settled either way (what closing waits for). */
  #work = new Set<Promise<void>>();
  /** Each running read's way to reject its caller at once. */
  #cuts = new Set<(error: LakeClosed) => void>();
  #closing: Promise<void> | undefined;
  #closed = false;

  /** True once {@linkcode ReadGuard.close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Throws if the lake is closed: called before each statement, so that a read cut off between
   * two statements starts no more.
   *
   * @throws {LakeClosed} Once closed.
   */
  check(): void {
    if (this.closed) throw new LakeClosed("Lake closed: no more reads");
  }

  /**
   * Runs a read: its caller gets its answer, or a {@linkcode LakeClosed} as soon as the lake
   * closes (the work goes on until its statement ends, which closing waits for).
   *
   * @param work The read.
   * @returns Its answer.
   */
  run<T>(work: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new LakeClosed("Lake closed: no more reads"));
    return new Promise<T>((resolve, reject) => {
      let running: Promise<T>;
      try {
        running = work();
      } catch (error) {
        return reject(error);
      }
      const cut = (error: LakeClosed) => reject(error);
      this.#cuts.add(cut);
      const settled: Promise<void> = running.then(resolve, reject).finally(() => {
        this.#cuts.delete(cut);
        this.#work.delete(settled);
      });
      this.#work.add(settled);
    });
  }

  /**
   * Refuses every read from now on, rejects the running ones' callers, interrupts their
   * statements until they have ended, then calls `release` (once; a second call returns the
   * first's promise).
   *
   * @param interrupt Interrupts the statement running on the connection.
   * @param release Lets DuckDB go.
   * @returns Settles once `release` has run.
   */
  close(interrupt: () => void, release: () => Promise<void> | void): Promise<void> {
    if (this.#closing !== undefined) return this.#closing;
    this.#closed = true;
    const cut = new LakeClosed("Lake closed: the read was cut off while it ran");
    for (const reject of this.#cuts) reject(cut);
    this.#cuts.clear();
    if (this.#work.size === 0) {
      // at once (DuckDB is let go of before this returns when `release` does not wait)
      try {
        this.#closing = Promise.resolve(release());
      } catch (error) {
        this.#closing = Promise.reject(error);
      }
      return this.#closing;
    }
    this.#closing = (async () => {
      interrupt();
      const again = setInterval(interrupt, INTERRUPT_EVERY_MS);
      try {
        while (this.#work.size > 0) await Promise.all([...this.#work]);
      } finally {
        clearInterval(again);
      }
      await release();
    })();
    return this.#closing;
  }
}
