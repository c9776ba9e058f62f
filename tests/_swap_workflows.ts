/**
 * Test helper: the workflows the approval tests drive, over a stand-in for `/proc/sys`.
 *
 * @module
 */
import type { WorkflowConfig } from "../config/mod.ts";
import { type TriggerEvent, Workflows } from "../workflows/mod.ts";

/**
 * Workflows on host `h1` with `swap` (on alert `Swap`, once approved, sets `vm.swappiness` to
 * 10), then `more`; `sys` stands in for `/proc/sys` and its `vm/swappiness` reads 60.
 *
 * @param root Where the audit log and state go.
 * @param sys A directory to use as `/proc/sys`.
 * @param more Workflows after `swap`. Default none.
 * @returns The workflows.
 */
export async function swapWorkflows(
  root: string,
  sys: string,
  more: WorkflowConfig[] = [],
): Promise<Workflows> {
  await Deno.mkdir(`${sys}/vm`, { recursive: true });
  await Deno.writeTextFile(`${sys}/vm/swappiness`, "60\n");
  return new Workflows({
    root,
    procSys: sys,
    host: "h1",
    workflows: [{
      name: "swap",
      trigger: { alert: "Swap" },
      enabled: true,
      approval: true,
      steps: [{ kind: "sysctl", key: "vm.swappiness", value: "10" }],
    }, ...more],
  });
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
