/**
 * Per-thread CPU time of child processes for the benchmarks (private to bench/).
 *
 * @module
 */

/**
 * CPU time of processes' threads from `/proc/PID/task/TID/schedstat` (ns), polled every 250 ms
 * so that a thread ending inside the window (a flush worker, an idle blocking-pool thread) keeps
 * what it used: a plain sum over the live threads at the end would lose it, and could even
 * come out negative. A thread's last quarter second before it ends may be missed.
 */
export class ThreadCpu {
  #base = new Map<string, number>();
  #last = new Map<string, number>();
  #timer: ReturnType<typeof setInterval>;

  constructor(readonly pids: readonly number[]) {
    this.#poll(this.#base);
    this.#timer = setInterval(() => this.#poll(this.#last), 250);
  }

  /** Stops polling; returns the CPU ns used since the start. */
  stop(): number {
    clearInterval(this.#timer);
    this.#poll(this.#last);
    let total = 0;
    for (const [tid, ns] of this.#last) total += ns - (this.#base.get(tid) ?? 0);
    return total;
  }

  #poll(into: Map<string, number>): void {
    for (const pid of this.pids) {
      let tasks: Deno.DirEntry[];
      try {
        tasks = [...Deno.readDirSync(`/proc/${pid}/task`)];
      } catch {
        continue; // the process ended
      }
      for (const t of tasks) {
        try {
          const ns = Number(
            Deno.readTextFileSync(`/proc/${pid}/task/${t.name}/schedstat`).split(" ")[0],
          );
          into.set(`${pid}/${t.name}`, ns);
        } catch {
          // the thread ended
        }
      }
    }
  }
}
