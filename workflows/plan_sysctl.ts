/**
 * The `sysctl` step: sets a kernel parameter under `/proc/sys`, recording the old value so the
 * change can be rolled back.
 *
 * @module
 */
import type { StepPlan } from "./step_plan.ts";
import { refusedPlan } from "./step_plan.ts";

/**
 * Plans setting `key` (e.g. `vm.swappiness`) to `value`.
 *
 * @param key Dotted sysctl name.
 * @param value The value to write.
 * @param procSys Root of `/proc/sys` (tests pass a temporary tree). Default `/proc/sys`.
 * @returns The plan (refused when the key does not exist).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { planSysctl } from "./plan_sysctl.ts";
 * const root = await Deno.makeTempDir();
 * await Deno.mkdir(`${root}/vm`);
 * await Deno.writeTextFile(`${root}/vm/swappiness`, "60\n");
 * const plan = await planSysctl("vm.swappiness", "10", root);
 * assert.equal(plan.old, "60");
 * await plan.apply(new AbortController().signal);
 * assert.equal(await Deno.readTextFile(`${root}/vm/swappiness`), "10\n");
 * ```
 */
export async function planSysctl(
  key: string,
  value: string,
  procSys = "/proc/sys",
): Promise<StepPlan> {
  if (key.split(".").some((p) => p === "" || p === ".." || p.includes("/"))) {
    return refusedPlan("sysctl", `sysctl ${key}`, `Invalid sysctl key ${key}`);
  }
  const path = `${procSys}/${key.replaceAll(".", "/")}`;
  let old: string;
  try {
    old = (await Deno.readTextFile(path)).trim();
  } catch (error) {
    return refusedPlan(
      "sysctl",
      `sysctl ${key}`,
      `Cannot read ${path}: ${(error as Error).message}`,
    );
  }
  const next = value.trim();
  return {
    kind: "sysctl",
    what: `sysctl ${key} ${old} → ${next}`,
    key: `sysctl:${key}`,
    old,
    new: next,
    ...(old === next && { noop: `${key} is ${next} already` }),
    async apply() {
      await Deno.writeTextFile(path, `${next}\n`);
      return undefined;
    },
    undo: { kind: "file", path, value: old, expect: next },
  };
}
