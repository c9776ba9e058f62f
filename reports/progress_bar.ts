/**
 * A terminal progress bar on stderr. On a TTY it redraws one line in place; elsewhere (CI logs,
 * pipes) it prints at most one line per quarter so logs stay short.
 *
 * @module
 */

/** Options of {@linkcode createProgressBar}. */
export interface ProgressBarOptions {
  /** Where to write; default `Deno.stderr`. */
  writer?: { writeSync(p: Uint8Array): number; isTerminal(): boolean };
  /** Bar width in characters; default 28. */
  width?: number;
}

/** A progress bar: call `update` as work advances and `done` at the end. */
export interface ProgressBar {
  /** Reports that `done` of `total` steps are finished; `label` names the current step. */
  update(done: number, total: number, label: string): void;
  /** Finishes the bar (ends the line on a TTY). */
  done(message: string): void;
}

/**
 * Creates a progress bar.
 *
 * @param options Writer and width.
 * @returns The bar.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createProgressBar } from "./progress_bar.ts";
 * const chunks: string[] = [];
 * const writer = {
 *   writeSync: (p: Uint8Array) => (chunks.push(new TextDecoder().decode(p)), p.length),
 *   isTerminal: () => false,
 * };
 * const bar = createProgressBar({ writer });
 * for (let i = 0; i <= 8; i++) bar.update(i, 8, `step ${i}`);
 * bar.done("ok");
 * assert.equal(chunks.length, 6);
 * ```
 */
export function createProgressBar(options: ProgressBarOptions = {}): ProgressBar {
  const writer = options.writer ?? Deno.stderr;
  const width = options.width ?? 28;
  const tty = writer.isTerminal();
  const encoder = new TextEncoder();
  let lastQuarter = -1;
  const write = (text: string) => writer.writeSync(encoder.encode(text));
  return {
    update(done, total, label) {
      const ratio = total > 0 ? Math.min(1, Math.max(0, done / total)) : 1;
      const pct = Math.round(ratio * 100);
      if (tty) {
        const filled = Math.round(ratio * width);
        const bar = "█".repeat(filled) + "░".repeat(width - filled);
        write(`\r\x1b[2K${bar} ${String(pct).padStart(3)} % ${label.slice(0, 60)}`);
        return;
      }
      const quarter = Math.floor(ratio * 4);
      if (quarter === lastQuarter) return;
      lastQuarter = quarter;
      write(`report: ${pct} % ${label}\n`);
    },
    done(message) {
      write(tty ? `\r\x1b[2K${message}\n` : `report: ${message}\n`);
    },
  };
}
