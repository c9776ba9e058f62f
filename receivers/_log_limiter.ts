/**
 * A rate limit for log lines: one line per key per interval, with the count of those held back
 * told on the next line, so a flood of bad packets or a dead target costs a line a minute.
 *
 * @module
 */
import { escapeControls } from "../format/escape_controls.js";

/** Logs at most one line per key per `everyMs`. */
export class LogLimiter {
  #last = new Map<string, { at: number; held: number }>();
  /**
   * @param log Where lines go.
   * @param everyMs Least time between two lines of one key, ms.
   * @param now Clock.
   */
  constructor(
    readonly log: (line: string) => void,
    readonly everyMs = 60_000,
    readonly now: () => number = Date.now,
  ) {}

  /** Logs the line unless one of this key went out less than `everyMs` ago. */
  line(key: string, text: string): void {
    const t = this.now();
    const s = this.#last.get(key);
    if (s && t - s.at < this.everyMs) {
      s.held++;
      return;
    }
    if (this.#last.size > 1000) this.#last.clear();
    this.#last.set(key, { at: t, held: 0 });
    // the text quotes what the network sent (a StatsD line, a target's answer): its control
    // characters, C1 too (U+009B is CSI), reached serve's terminal, and JSON quoting keeps C1
    const shown = escapeControls(text);
    this.log(s?.held ? `${shown} (and ${s.held} more like it since the last line)` : shown);
  }
}
