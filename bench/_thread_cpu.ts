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

/**
 * The processes whose parent is `pid` (from `/proc/*\/stat`), e.g. serve's collector child.
 *
 * @param pid The parent.
 * @returns Their ids; one that ends while it is read is left out.
 */
export function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const text = Deno.readTextFileSync(`/proc/${e.name}/stat`);
      const f = text.slice(text.lastIndexOf(")") + 2).split(" ");
      if (Number(f[1]) === pid) out.push(Number(e.name));
    } catch {
      // gone
    }
  }
  return out;
}
