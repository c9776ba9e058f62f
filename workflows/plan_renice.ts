/**
 * The `renice` step: lowers the CPU (and optionally I/O) priority of the processes matching a
 * name or `pid:N`, naming each pid and command line it would touch, so nobody has to guess which
 * process it acted on (systemd-oomd's users' complaint). It refuses pid 1, kernel threads,
 * perfscope itself and its child processes, and names that match too many processes.
 *
 * @module
 */
import { getPriority, setPriority } from "node:os";
import { runCommand } from "./run_command.ts";
import { refusedPlan, type StepPlan } from "./step_plan.ts";

/** Options of {@linkcode planRenice}. */
export interface PlanReniceOptions {
  /** Exact process name (`comm`) or `pid:N`. */
  process: string;
  /** Nice value to set (-20…19). */
  nice: number;
  /** Also set the I/O class. Default: leave it. */
  ionice?: "idle" | "best-effort";
  /** Root of `/proc`. Default `/proc`. */
  procRoot?: string;
  /** Processes never touched besides pid 1 and kernel threads. Default this process. */
  selfPid?: number;
  /** Most processes one step may touch. Default 16. */
  maxMatches?: number;
}

interface Proc {
  pid: number;
  comm: string;
  ppid: number;
  nice: number;
  starttime: string;
  cmdline: string;
}

/** Reads `/proc/PID/stat` and `cmdline`, or undefined when the process is gone. */
export async function readProc(procRoot: string, pid: number): Promise<Proc | undefined> {
  try {
    const stat = await Deno.readTextFile(`${procRoot}/${pid}/stat`);
    const open = stat.indexOf("("), close = stat.lastIndexOf(")");
    const f = stat.slice(close + 2).split(" ");
    const cmd = await Deno.readTextFile(`${procRoot}/${pid}/cmdline`).catch(() => "");
    return {
      pid,
      comm: stat.slice(open + 1, close),
      ppid: Number(f[1]),
      nice: Number(f[16]),
      starttime: f[19] ?? "",
      cmdline: cmd.replaceAll("\0", " ").trim().slice(0, 200),
    };
  } catch {
    return undefined;
  }
}

/** The I/O classes the step sets, as `ionice -p` prints them afterwards. */
const IO_CLASS = { idle: "idle", "best-effort": "best-effort: prio 7" } as const;

/**
 * Sets a process' I/O class with `ionice` (util-linux).
 *
 * @param pid The process.
 * @param printed The class as `ionice -p` prints it: `none: prio N`, `idle`,
 * `best-effort: prio N`, `realtime: prio N`.
 * @throws {Error} When the text is no class `ionice` prints, or `ionice` fails.
 */
export async function setIoClass(pid: number, printed: string): Promise<void> {
  const m = /^(none|idle|best-effort|realtime)(?:: prio ([0-7]))?$/.exec(printed.trim());
  if (!m) throw new Error(`Unknown I/O class ${JSON.stringify(printed)}`);
  const cls = { none: "0", realtime: "1", "best-effort": "2", idle: "3" }[m[1]!]!;
  // a class without levels (none, idle) takes no -n
  const level = m[2] !== undefined && (cls === "1" || cls === "2") ? ["-n", m[2]] : [];
  const r = await runCommand(["ionice", "-c", cls, ...level, "-p", String(pid)], {
    timeoutMs: 5000,
  });
  if (r.code !== 0) throw new Error(`ionice failed: ${r.output.trim()}`);
}

/**
 * Reads a process' I/O class with `ionice -p`.
 *
 * @param pid The process.
 * @returns The class as printed (e.g. `none: prio 0`), or undefined when `ionice` is absent or
 * fails.
 */
export async function readIoClass(pid: number): Promise<string | undefined> {
  const r = await runCommand(["ionice", "-p", String(pid)], { timeoutMs: 5000 })
    .catch(() => undefined);
  return r?.code === 0 ? r.output.trim() : undefined;
}

function refusal(p: Proc, self: number): string | undefined {
  if (p.pid === 1) return "pid 1 (init) is never reniced";
  if (p.pid === 2 || p.ppid === 2) return `pid ${p.pid} (${p.comm}) is a kernel thread`;
  if (p.pid === self) return `pid ${p.pid} is perfscope itself`;
  if (p.ppid === self) return `pid ${p.pid} (${p.comm}) is perfscope's own child process`;
  return undefined;
}

/**
 * Plans renicing the matching processes: one plan per process.
 *
 * @param options Pattern, nice value, I/O class, `/proc` root.
 * @returns The plans (one refused plan when nothing may be touched).
 */
export async function planRenice(options: PlanReniceOptions): Promise<StepPlan[]> {
  const root = options.procRoot ?? "/proc";
  const self = options.selfPid ?? Deno.pid;
  const found: Proc[] = [];
  const pidMatch = /^pid:(\d+)$/.exec(options.process);
  if (pidMatch) {
    const p = await readProc(root, Number(pidMatch[1]));
    if (p) found.push(p);
  } else {
    for await (const e of Deno.readDir(root)) {
      if (!/^\d+$/.test(e.name)) continue;
      const p = await readProc(root, Number(e.name));
      if (p && p.comm === options.process) found.push(p);
    }
  }
  const label = `renice ${options.process}`;
  if (found.length === 0) {
    return [refusedPlan("renice", label, `No process matches ${options.process}`)];
  }
  const max = options.maxMatches ?? 16;
  if (found.length > max) {
    return [
      refusedPlan(
        "renice",
        label,
        `${options.process} matches ${found.length} processes (more than ${max}): name a pid:N`,
      ),
    ];
  }
  return await Promise.all(found.map(async (p) => {
    const what =
      `renice pid ${p.pid} (${p.comm}: ${p.cmdline || "?"}) nice ${p.nice} → ${options.nice}` +
      (options.ionice ? `, ionice ${options.ionice}` : "");
    const why = refusal(p, self);
    if (why) return refusedPlan("renice", what, why);
    const ioOld = options.ionice ? await readIoClass(p.pid) : undefined;
    const plan: StepPlan = {
      kind: "renice",
      what: what + (ioOld ? ` (I/O class was ${ioOld})` : ""),
      key: `renice:${p.pid}:${p.starttime}`,
      old: String(p.nice),
      new: String(options.nice),
      ...(p.nice === options.nice && !options.ionice &&
        { noop: `pid ${p.pid} has nice ${p.nice} already` }),
      async apply() {
        const now = await readProc(root, p.pid);
        if (!now || now.starttime !== p.starttime) {
          throw new Error(`pid ${p.pid} (${p.comm}) exited`);
        }
        setPriority(p.pid, options.nice);
        if (options.ionice) {
          try {
            await setIoClass(p.pid, IO_CLASS[options.ionice]);
          } catch (error) {
            // a failed step keeps no undo record: put the nice value back before failing
            setPriority(p.pid, now.nice);
            throw error;
          }
        }
        return `nice now ${getPriority(p.pid)}`;
      },
      undo: {
        kind: "renice",
        pid: p.pid,
        starttime: p.starttime,
        nice: p.nice,
        expect: options.nice,
        // the class before, to put back on rollback (unknown when ionice could not read it)
        ...(options.ionice && ioOld && { io: { old: ioOld, expect: IO_CLASS[options.ionice] } }),
      },
    };
    return plan;
  }));
}
