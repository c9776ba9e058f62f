/**
 * What the web app needs from the rest of perfscope, passed in by `cli/serve.ts` (or a test):
 * the lake reader, the live hub, the SQL sandbox and the ingest writer.
 *
 * @module
 */
import type { Sample } from "../collectors/mod.ts";
import type { Lake } from "../lake/mod.ts";
import type { LiveHub } from "./live_hub.ts";
import type { SqlSandbox } from "./sql_sandbox.ts";

/** The app's collaborators. */
export interface WebDeps {
  /** The lake, for `/api/series` and `/api/metrics`. */
  lake: Lake;
  /** The live hub, for `/api/live`, `/metrics` and `/healthz`. */
  hub: LiveHub;
  /** The read-only SQL sandbox, for `/api/query`. */
  sandbox: SqlSandbox;
  /** Writes validated samples into the lake (the same writer collected samples go through). */
  ingest: (samples: Sample[]) => void | Promise<void>;
  /** Clock in ms; default `Date.now`. */
  now?: () => number;
}
