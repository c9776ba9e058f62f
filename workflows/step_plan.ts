/**
 * What a step would do, worked out before it acts: the exact target, the value before and after,
 * and how to undo it. The runner audits the plan (as advice in a dry run), checks it against the
 * safety rules, and only then calls `apply`.
 *
 * @module
 */

/** How to put back what a reversible action changed; plain data, persisted with the state. */
export type UndoRecord =
  | { kind: "file"; path: string; value: string; expect: string }
  | {
    kind: "renice";
    pid: number;
    starttime: string;
    nice: number;
    expect: number;
    /** The I/O class before and the one we set, as `ionice -p` prints them (`none: prio 0`,
     * `idle`, `best-effort: prio 7`), when the step set one. */
    io?: { old: string; expect: string };
  };

/** One action a step would take. */
export interface StepPlan {
  /** The step's kind. */
  kind: string;
  /** What it does, naming the exact target (pid and name, file, unit). */
  what: string;
  /** The setting it changes, for backing off when someone else changed it since (none: no check). */
  key?: string;
  /** Value before (`null`: not a setting). */
  old: string | null;
  /** Value after (`null`: not a setting). */
  new: string | null;
  /** Why the step refuses to act (not allowlisted, pid 1, perfscope itself, no such unit). */
  refused?: string;
  /** Why there is nothing to do (already at the target). */
  noop?: string;
  /** Does it; throws on failure. Resolves to a one-line detail (command output, HTTP status). */
  apply(signal: AbortSignal): Promise<string | undefined>;
  /** How to undo it, for reversible actions. */
  undo?: UndoRecord;
}

/** The trigger a workflow runs for, with its evidence. */
export interface TriggerEvent {
  /** `alert`, `schedule`, `recommendation` or `manual`. */
  type: "alert" | "schedule" | "recommendation" | "manual";
  /** In words, e.g. `alert HighCpu firing on web1`. */
  why: string;
  /** Host the trigger concerns (the alert's `host` label), else this host. */
  host: string;
  /** When it happened (ms epoch). */
  at: number;
  /** The alert instance, recommendation or schedule time. */
  evidence: unknown;
}

/** A plan that does nothing but say why. */
export function refusedPlan(kind: string, what: string, reason: string): StepPlan {
  return {
    kind,
    what,
    old: null,
    new: null,
    refused: reason,
    apply: () => Promise.resolve(undefined),
  };
}
