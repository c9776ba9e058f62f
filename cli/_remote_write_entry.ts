/**
 * The `remote_write:` entry type, in a file of its own: `collect` names it without importing
 * `_remote_write.ts`, which it loads only when there is a receiver.
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
}
