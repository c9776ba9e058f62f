import type { AlertTransition } from "../../alerts/mod.ts";
import type { WorkflowConfig } from "../../config/mod.ts";
import { type TriggerEvent, Workflows } from "../../workflows/mod.ts";

/** A transition of rule `rule` on host `host` to `to`. */
export function transition(
  rule: string,
  to: "firing" | "resolved",
  at = 0,
  host = "h1",
): AlertTransition {
  return {
    at,
    from: to === "firing" ? "pending" : "firing",
    to,
    instance: {
      rule,
      fingerprint: "0123456789abcdef",
      labels: { alertname: rule, host, severity: "warning" },
      annotations: { summary: `${rule} on ${host}` },
      state: to,
      value: 97.5,
      activeAt: at,
      firedAt: at,
      resolvedAt: to === "resolved" ? at : NaN,
    },
  };
}

/** A manual trigger on host h1. */
export function manual(at = 0): TriggerEvent {
  return { type: "manual", why: "test", host: "h1", at, evidence: { test: true } };
}

/**
 * Workflows on host h1 (audit log in a new directory) with one workflow, `calm`, triggered by
 * alert `alert`, fired once by hand now.
 *
 * @param alert The alert that triggers it.
 * @param steps Its steps.
 * @param enabled False for a dry run (advice only). Default true.
 * @returns The workflows and their directory.
 */
export async function fireCalm(
  alert: string,
  steps: WorkflowConfig["steps"],
  enabled = true,
): Promise<{ wf: Workflows; root: string }> {
  const root = await Deno.makeTempDir();
  const wf = new Workflows({
    root,
    host: "h1",
    workflows: [{ name: "calm", trigger: { alert }, enabled, steps }],
  });
  await wf.fire("calm", manual(Date.now()));
  return { wf, root };
}

/**
 * A `sleep 30` spawned through a shell that exits at once: perfscope refuses to touch its own
 * children, and this one is re-parented away from the test process. Kill it when done.
 *
 * @returns Its pid.
 */
export async function orphanSleep(): Promise<number> {
  const out = await new Deno.Command("sh", {
    args: ["-c", "sleep 30 >/dev/null 2>&1 & echo $!"],
    stdout: "piped",
  }).output();
  return Number(new TextDecoder().decode(out.stdout).trim());
}

/** A /proc/sys tree with vm/swappiness = 60. */
export async function procSys(): Promise<string> {
  const root = await Deno.makeTempDir();
  await Deno.mkdir(`${root}/vm`);
  await Deno.writeTextFile(`${root}/vm/swappiness`, "60\n");
  return root;
}

/** A settable clock. */
export function clock(start = Date.UTC(2026, 0, 5, 12)) {
  const c = { t: start, now: () => c.t };
  return c;
}
