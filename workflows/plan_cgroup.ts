/**
 * The `cgroup` step: moves a systemd unit's cgroup v2 `cpu.weight` or `memory.high` toward a
 * target in bounded steps, with PSI feedback (senpai's idea): while the unit's memory pressure
 * (`memory.pressure`, `some avg10`) is above the limit, memory.high goes back up a step instead
 * of down.
 *
 * @module
 */
import type { StepPlan } from "./step_plan.ts";
import { refusedPlan } from "./step_plan.ts";

/** Options of {@linkcode planCgroup}. */
export interface PlanCgroupOptions {
  /** The unit, e.g. `api.service`. */
  unit: string;
  resource: "cpu.weight" | "memory.high";
  /** Target value (bytes for memory.high). */
  target: number;
  /** Largest change per run as a fraction of the current value. Default 0.1. */
  step?: number;
  /** `some avg10` (%) above which memory.high is raised, not lowered. Default 10. */
  maxPressure?: number;
  /** cgroup v2 mount. Default `/sys/fs/cgroup`. */
  cgroupRoot?: string;
}

const UNITS: Record<string, number> = { K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 };

/**
 * Reads `2GiB`, `512M`, `1.5G` or a number as bytes.
 *
 * @param value Size.
 * @returns Bytes.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseSize } from "./plan_cgroup.ts";
 * assert.equal(parseSize("2GiB"), 2 ** 31);
 * assert.equal(parseSize(4096), 4096);
 * ```
 */
export function parseSize(value: string | number): number {
  if (typeof value === "number") return value;
  const m = /^(\d+(?:\.\d+)?)\s*([KMGT])?i?B?$/.exec(value.trim());
  if (!m) throw new RangeError(`Invalid size ${value}`);
  return Math.round(Number(m[1]) * (m[2] ? UNITS[m[2]]! : 1));
}

/** The `avg10` of the `some` line of a PSI file, or NaN. */
export function psiSomeAvg10(text: string): number {
  const m = /^some avg10=(\d+(?:\.\d+)?)/m.exec(text);
  return m ? Number(m[1]) : NaN;
}

async function findUnit(root: string, unit: string): Promise<string | undefined> {
  for (const dir of [`${root}/system.slice/${unit}`, `${root}/${unit}`]) {
    try {
      if ((await Deno.stat(dir)).isDirectory) return dir;
    } catch {
      // try the next place
    }
  }
  return undefined;
}

/**
 * Plans one bounded step of a unit's cgroup setting toward its target.
 *
 * @param options Unit, resource, target, step, pressure limit and cgroup root.
 * @returns The plan: refused when the unit or file is missing, a no-op at the target.
 */
export async function planCgroup(options: PlanCgroupOptions): Promise<StepPlan> {
  const root = options.cgroupRoot ?? "/sys/fs/cgroup";
  const what = `cgroup ${options.unit} ${options.resource}`;
  const dir = await findUnit(root, options.unit);
  if (!dir) return refusedPlan("cgroup", what, `No cgroup for ${options.unit} under ${root}`);
  const path = `${dir}/${options.resource}`;
  let text: string;
  try {
    text = (await Deno.readTextFile(path)).trim();
  } catch (error) {
    return refusedPlan("cgroup", what, `Cannot read ${path}: ${(error as Error).message}`);
  }
  let current = Number(text);
  if (text === "max") {
    // unlimited: start from what the unit uses now, as senpai does
    current = Number((await Deno.readTextFile(`${dir}/memory.current`).catch(() => "")).trim());
    if (!Number.isFinite(current)) {
      return refusedPlan("cgroup", what, `No memory.current in ${dir}`);
    }
  }
  const fraction = options.step ?? 0.1;
  const delta = Math.max(1, Math.round(current * fraction));
  let next: number;
  let why = "";
  if (options.resource === "memory.high") {
    const pressure = psiSomeAvg10(
      await Deno.readTextFile(`${dir}/memory.pressure`).catch(() => ""),
    );
    const limit = options.maxPressure ?? 10;
    if (pressure > limit) {
      next = current + delta;
      why = ` (memory pressure ${pressure}% > ${limit}%: backing off upward)`;
    } else {
      next = current > options.target
        ? Math.max(options.target, current - delta)
        : Math.min(options.target, current + delta);
      if (Number.isFinite(pressure)) why = ` (memory pressure ${pressure}%)`;
    }
  } else {
    next = current > options.target
      ? Math.max(options.target, current - delta)
      : Math.min(options.target, current + delta);
    next = Math.min(10_000, Math.max(1, next));
  }
  const newText = String(next);
  return {
    kind: "cgroup",
    what: `${what} ${text} → ${newText}${why}`,
    key: `cgroup:${options.unit}:${options.resource}`,
    old: text,
    new: newText,
    ...(newText === text && { noop: `${options.unit} ${options.resource} is at ${text}` }),
    async apply() {
      await Deno.writeTextFile(path, newText);
      return undefined;
    },
    undo: { kind: "file", path, value: text, expect: newText },
  };
}
