/**
 * Test helper: the workflows the approval tests drive, over a stand-in for `/proc/sys`. The
 * config ({@linkcode swapConfig}) and the stand-in's file ({@linkcode swapProcSys}) are apart so
 * a test can build a second runner on the same config (a restart) without resetting the file.
 *
 * @module
 */
import type { WorkflowConfig } from "../config/mod.ts";
import { type TriggerEvent, Workflows, type WorkflowsOptions } from "../workflows/mod.ts";

/** Options of {@linkcode swapConfig}. */
export interface SwapConfigOptions {
  /** Clock in ms. Default none (the runner's own, `Date.now`). */
  now?: () => number;
  /** Fields that replace or add to the `swap` workflow's (e.g. `approval_expires`). Default none. */
  swap?: Partial<WorkflowConfig>;
  /** Workflows after `swap`. Default none. */
  more?: WorkflowConfig[];
}

/**
 * The runner options for host `h1` with `swap` (on alert `Swap`, once approved, sets
 * `vm.swappiness` to 10), then `more`, over `sys` as `/proc/sys`. Writes nothing.
 *
 * @param root Where the audit log and state go.
 * @param sys A directory to use as `/proc/sys`.
 * @param options See {@linkcode SwapConfigOptions}.
 * @returns Options for `new Workflows(…)`.
 */
export function swapConfig(
  root: string,
  sys: string,
  options: SwapConfigOptions = {},
): WorkflowsOptions {
  return {
    root,
    procSys: sys,
    host: "h1",
    ...(options.now ? { now: options.now } : {}),
    workflows: [{
      name: "swap",
      trigger: { alert: "Swap" },
      enabled: true,
      approval: true,
      steps: [{ kind: "sysctl", key: "vm.swappiness", value: "10" }],
      ...options.swap,
    }, ...options.more ?? []],
  };
}

/**
 * Makes `sys` a stand-in for `/proc/sys` whose `vm/swappiness` reads 60.
 *
 * @param sys The directory.
 */
export async function swapProcSys(sys: string): Promise<void> {
  await Deno.mkdir(`${sys}/vm`, { recursive: true });
  await Deno.writeTextFile(`${sys}/vm/swappiness`, "60\n");
}

/**
 * {@linkcode swapConfig}'s workflows over a fresh {@linkcode swapProcSys} stand-in.
 *
 * @param root Where the audit log and state go.
 * @param sys A directory to use as `/proc/sys`.
 * @param options See {@linkcode SwapConfigOptions}.
 * @returns The workflows.
 */
export async function swapWorkflows(
  root: string,
  sys: string,
  options: SwapConfigOptions = {},
): Promise<Workflows> {
  await swapProcSys(sys);
  return new Workflows(swapConfig(root, sys, options));
}

/**
 * A manual trigger on host `h1`, now, as an operator firing for alert `Swap` would give.
 *
 * @param why What the audit log shows as the reason. Default `alert Swap firing on h1`.
 * @returns The trigger, without evidence.
 */
export function swapTrigger(why = "alert Swap firing on h1"): TriggerEvent {
  return { type: "manual", why, host: "h1", at: Date.now(), evidence: null };
}
