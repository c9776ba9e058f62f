/**
 * The engine's state on disk (`ROOT/alerts/state.json`, written whole by rename): the instances
 * that are not inactive with their timers, so a restart neither re-announces a firing alert nor
 * restarts a pending one's `for`.
 *
 * @module
 */
import { writeFileAtomic } from "../lake/mod.ts";
import type { AlertState } from "./types.ts";

/** One saved instance (times in ms, `null` in the file for NaN). */
export interface SavedInstance {
  labels: Record<string, string>;
  state: AlertState;
  value: number;
  activeAt: number;
  firedAt: number;
  resolvedAt: number;
  keepSince: number;
  since: number;
  reason?: string | undefined;
}

/** The file's content. */
export interface SavedState {
  version: 1;
  savedAt: number;
  rules: Record<string, { hash: string; instances: SavedInstance[] }>;
}

const TIMES = ["value", "activeAt", "firedAt", "resolvedAt", "keepSince", "since"] as const;

/**
 * The state file of a lake root.
 *
 * @param root Lake root.
 * @returns Its path.
 */
export function statePath(root: string): string {
  return `${root}/alerts/state.json`;
}

/**
 * Writes the state atomically; a failure is logged (alerting goes on without persistence).
 *
 * @param root Lake root.
 * @param state What to save.
 * @param log Where a failure is reported.
 * @returns Whether it was written.
 */
export function writeState(
  root: string,
  state: SavedState,
  log: (line: string) => void,
): boolean {
  const rules: Record<string, unknown> = {};
  for (const [name, r] of Object.entries(state.rules)) {
    rules[name] = {
      hash: r.hash,
      instances: r.instances.map((i) => {
        const out: Record<string, unknown> = { labels: i.labels, state: i.state };
        for (const k of TIMES) out[k] = Number.isFinite(i[k]) ? i[k] : null;
        if (i.reason !== undefined) out.reason = i.reason;
        return out;
      }),
    };
  }
  const text = JSON.stringify({ version: 1, savedAt: state.savedAt, rules });
  try {
    writeFileAtomic(statePath(root), new TextEncoder().encode(text), { sync: false });
    return true;
  } catch (error) {
    log(`perfscope alerts: cannot save state: ${(error as Error).message}`);
    return false;
  }
}

/**
 * Reads the state file; a missing file gives `undefined`, a damaged one is logged and ignored
 * (the alerts then start inactive, as on a first start).
 *
 * @param root Lake root.
 * @param log Where a damaged file is reported.
 * @returns The state, or undefined.
 */
export function readState(root: string, log: (line: string) => void): SavedState | undefined {
  let text: string;
  try {
    text = Deno.readTextFileSync(statePath(root));
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) {
      log(`perfscope alerts: cannot read ${statePath(root)}: ${(error as Error).message}`);
    }
    return undefined;
  }
  try {
    const raw = JSON.parse(text);
    if (raw?.version !== 1 || typeof raw.rules !== "object") throw new Error("unknown format");
    const rules: SavedState["rules"] = {};
    type Raw = Record<string, unknown> & { labels: Record<string, string>; state: AlertState };
    const all = raw.rules as Record<string, { hash: unknown; instances: Raw[] }>;
    for (const [name, r] of Object.entries(all)) {
      if (!Array.isArray(r.instances)) throw new Error(`rule ${name} has no instances list`);
      rules[name] = {
        hash: String(r.hash),
        instances: r.instances.map((i) => {
          const out = { labels: i.labels, state: i.state } as SavedInstance;
          for (const k of TIMES) out[k] = typeof i[k] === "number" ? i[k] : NaN;
          if (typeof i.reason === "string") out.reason = i.reason;
          return out;
        }),
      };
    }
    return { version: 1, savedAt: Number(raw.savedAt), rules };
  } catch (error) {
    log(`perfscope alerts: ignoring ${statePath(root)}: ${(error as Error).message}`);
    return undefined;
  }
}
