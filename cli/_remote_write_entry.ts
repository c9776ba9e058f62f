/**
 * The `remote_write:` entry type and the spool cap it sets, in a file of their own: `collect`
 * uses them without importing `_remote_write.ts`, which it loads only when there is a receiver.
 *
 * @module
 */

/** A `remote_write:` entry as the config file gives it (durations in ms). */
export interface RemoteWriteEntry {
  url: string;
  name?: string | undefined;
  headers?: Record<string, string> | undefined;
  bearer_token?: string | undefined;
  bearer_token_file?: string | undefined;
  basic_auth?: { username: string; password: string } | undefined;
  tls?: {
    ca_file?: string | undefined;
    cert_file?: string | undefined;
    key_file?: string | undefined;
  } | undefined;
  external_labels?: Record<string, string> | undefined;
  interval?: number | undefined;
  timeout?: number | undefined;
  max_batch_bytes?: number | undefined;
  max_outbox_bytes?: number | undefined;
}

/**
 * The spool cap of the receivers: `flag` (`--max-outbox-bytes`) when given (flags win over the
 * file), else the smallest `max_outbox_bytes` of the entries (one outbox serves them all).
 *
 * @param entries `remote_write:` entries.
 * @param flag The flag's value, if given.
 * @returns Bytes, or `undefined` for the default (1 GiB).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { outboxCapBytes } from "./_remote_write_entry.ts";
 * const entries = [{ url: "http://a/w", max_outbox_bytes: 1 << 22 }, { url: "http://b/w" }];
 * assert.equal(outboxCapBytes(entries), 1 << 22);
 * assert.equal(outboxCapBytes([{ url: "http://a/w" }]), undefined);
 * ```
 */
export function outboxCapBytes(
  entries: readonly RemoteWriteEntry[],
  flag?: number,
): number | undefined {
  if (flag !== undefined) return flag;
  const caps = entries.map((e) => e.max_outbox_bytes).filter((n) => n !== undefined);
  return caps.length > 0 ? Math.min(...caps) : undefined;
}
