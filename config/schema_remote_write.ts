/**
 * The `remote_write:` and `sources:` keys of `perfscope.yaml`: where agents send their samples
 * (Prometheus remote write) and which Prometheus query APIs the analytics may read.
 *
 * @module
 */
import { z } from "zod";
import { durationSchema } from "./schema_duration.ts";
import { labelMap } from "./_label_map.ts";

function duration() {
  return durationSchema("500ms, 1s, 5s, 1m");
}

/** The smallest `max_outbox_bytes` (64 KiB: below a minute's segment, every cut drops data). */
const MIN_OUTBOX_BYTES = 65536;

const url = z.string().trim().refine((u) => /^https?:\/\/[^\s]+$/.test(u), {
  message: "must be an http:// or https:// URL",
});
const labelName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, "invalid label name");

/** Credentials and TLS shared by remote write targets and query sources. */
const endpoint = {
  /** Extra HTTP headers, e.g. `X-Scope-OrgID: tenant` for Mimir. */
  headers: z.record(z.string(), z.string()).optional(),
  /** `Authorization: Bearer <token>`. */
  bearer_token: z.string().min(1).optional(),
  /** File holding the bearer token (read at start; keeps the secret out of the config). */
  bearer_token_file: z.string().min(1).optional(),
  /** `Authorization: Basic`. */
  basic_auth: z.strictObject({ username: z.string(), password: z.string() }).optional(),
  /** TLS: a CA for the server's certificate, a client certificate and key. */
  tls: z.strictObject({
    ca_file: z.string().min(1).optional(),
    cert_file: z.string().min(1).optional(),
    key_file: z.string().min(1).optional(),
    /** Refused: Deno always verifies certificates (give the CA with `ca_file`). */
    insecure_skip_verify: z.literal(false, {
      message: "insecure_skip_verify is not supported: give the server's CA with ca_file " +
        "(or run deno with --unsafely-ignore-certificate-errors=<host>)",
    }).optional(),
  }).optional(),
};

/** One remote-write receiver. */
export const remoteWriteTargetSchema = z.strictObject({
  /** Receiver URL, e.g. `http://127.0.0.1:8428/api/v1/write`. */
  url,
  /** Name of the sender's position file; default derived from the URL. */
  name: z.string().regex(/^[A-Za-z0-9_.-]+$/, "letters, digits, _ . - only").optional(),
  ...endpoint,
  /** Labels added to every series that lacks them (`env`, `dc`, `role`…); the lake's reserved
   * names are refused (every series has its `host` and `__name__`: such a label never applies). */
  external_labels: labelMap(z.string(), { reserved: true }).optional(),
  /** Time between sends while keeping up. Default 5s. */
  interval: duration().optional(),
  /** Time-out of one request. Default 30s. */
  timeout: duration().optional(),
  /** Spool bytes per request at most. Default 1048576. */
  max_batch_bytes: z.number().int().min(1024).max(1 << 30).optional(),
  /** Cap on the spool kept for the receivers (the outbox directory: its segments and its drop
   * ledger, which keeps to a 16th of the cap), bytes: past it the oldest segments are deleted, told in one line and counted in `perfscope_remote_write_dropped_segments_…`
   * and `…_dropped_bytes_per_second`. One outbox serves every receiver: the smallest cap given
   * applies. Default 1073741824 (1 GiB). */
  max_outbox_bytes: z.number().int().min(MIN_OUTBOX_BYTES).max(2 ** 50).optional(),
}).refine((t) => !(t.bearer_token && t.basic_auth), {
  message: "give bearer_token or basic_auth, not both",
});

/** `remote_write:` — a list of receivers. */
export const remoteWriteSchema = z.array(remoteWriteTargetSchema);

/** One Prometheus query API the analytics can read (`--source NAME` or URL). */
export const sourceSchema = z.strictObject({
  /** Name used with `--source`. */
  name: z.string().regex(/^[A-Za-z0-9_.-]+$/, "letters, digits, _ . - only"),
  /** Query API base, e.g. `http://127.0.0.1:8428` or `http://vmselect:8481/select/0/prometheus`. */
  url,
  ...endpoint,
  /** Label holding the host name. Default `host`. */
  host_label: labelName.optional(),
});

/** `sources:` — a list of query APIs. */
export const sourcesSchema = z.array(sourceSchema);
