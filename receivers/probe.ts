/**
 * Synthetic probes: an HTTP(S) request or a TCP connect, timed phase by phase from the socket's
 * events (`lookup` → DNS, `connect` → TCP, `secureConnect` → TLS, the response's headers →
 * first byte, its end → total), on a fresh connection every time (no keep-alive, so every phase
 * is measured). Results become `probe_success`, `probe_duration_seconds`,
 * `probe_phase_seconds{phase}` and `probe_http_status_code`, labelled `target=<name>`.
 *
 * @module
 */
import http from "node:http";
import https from "node:https";
import net from "node:net";
import type { Socket } from "node:net";
import { BatchBuilder, type IngestBatch } from "./batch_builder.ts";

/** One probe, validated. */
export interface ProbeSpec {
  /** The `target` label. */
  name: string;
  /** URL to request (GET). */
  http?: string;
  /** `host:port` to connect to. */
  tcp?: string;
  /** Time between probes, ms; default 15 000. */
  intervalMs?: number;
  /** Longest a probe may take, ms; default 5 000. */
  timeoutMs?: number;
  /** A regular expression the body must match (HTTP); default none. */
  match?: string;
  /** PEM certificates of the CAs an HTTPS probe trusts besides the system's; default none. */
  ca?: string;
  /** Status codes counted as success; default 200–399. */
  okStatus?: readonly number[];
}

/** What one probe measured. */
export interface ProbeResult {
  success: boolean;
  /** Phase durations in seconds (only the phases reached). */
  phases: Partial<Record<"dns" | "connect" | "tls" | "first_byte" | "transfer", number>>;
  totalSeconds: number;
  status?: number;
  error?: string;
}

/** Largest body read for `match`, bytes. */
const MAX_BODY = 1024 * 1024;

function secondsSince(t0: number): number {
  return (performance.now() - t0) / 1000;
}

/**
 * Runs a probe once.
 *
 * @param spec The probe.
 * @returns What it measured (never throws for a failing target).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runProbe } from "./probe.ts";
 * const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const r = await runProbe({ name: "db", tcp: `127.0.0.1:${listener.addr.port}` });
 * assert.equal(r.success, true);
 * listener.close();
 * ```
 */
export function runProbe(spec: ProbeSpec): Promise<ProbeResult> {
  return spec.http !== undefined ? httpProbe(spec) : tcpProbe(spec);
}

function timing(
  socket: Socket,
  t0: number,
  phases: ProbeResult["phases"],
  marks: { ready: number },
) {
  let looked = t0, connected = t0;
  socket.once("lookup", () => {
    looked = performance.now();
    phases.dns = (looked - t0) / 1000;
  });
  socket.once("connect", () => {
    connected = performance.now();
    phases.connect = (connected - looked) / 1000;
    marks.ready = connected;
  });
  socket.once("secureConnect", () => {
    const now = performance.now();
    phases.tls = (now - connected) / 1000;
    marks.ready = now;
  });
}

function httpProbe(spec: ProbeSpec): Promise<ProbeResult> {
  const t0 = performance.now();
  const phases: ProbeResult["phases"] = {};
  const marks = { ready: t0 };
  const timeoutMs = spec.timeoutMs ?? 5000;
  const url = new URL(spec.http!);
  const lib = url.protocol === "https:" ? https : http;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (r: Omit<ProbeResult, "phases" | "totalSeconds">) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve({ ...r, phases, totalSeconds: secondsSince(t0) });
    };
    const timer = setTimeout(
      () => finish({ success: false, error: `no complete answer within ${timeoutMs} ms` }),
      timeoutMs,
    );
    const options = {
      agent: false as const,
      headers: { "user-agent": "perfscope-probe" },
      ...(spec.ca !== undefined && { ca: spec.ca }),
    };
    const req = lib.get(
      url,
      options,
      (res) => {
        const first = performance.now();
        phases.first_byte = (first - marks.ready) / 1000;
        const chunks: Uint8Array[] = [];
        let size = 0;
        res.on("data", (c: Uint8Array) => {
          if (spec.match === undefined) return;
          if (size + c.length <= MAX_BODY) chunks.push(c);
          size += c.length;
        });
        res.on("end", () => {
          phases.transfer = (performance.now() - first) / 1000;
          const status = res.statusCode ?? 0;
          const ok = spec.okStatus ? spec.okStatus.includes(status) : status >= 200 && status < 400;
          let matched = true;
          if (spec.match !== undefined) {
            const body = new TextDecoder().decode(Buffer.concat(chunks));
            matched = new RegExp(spec.match).test(body);
          }
          finish({
            success: ok && matched,
            status,
            ...(!ok
              ? { error: `HTTP ${status}` }
              : !matched
              ? { error: `body does not match /${spec.match}/` }
              : {}),
          });
        });
        res.on("error", (e) => finish({ success: false, error: e.message }));
      },
    );
    req.on("socket", (socket: Socket) => timing(socket, t0, phases, marks));
    req.on("error", (e) => finish({ success: false, error: e.message }));
  });
}

function tcpProbe(spec: ProbeSpec): Promise<ProbeResult> {
  const t0 = performance.now();
  const phases: ProbeResult["phases"] = {};
  const timeoutMs = spec.timeoutMs ?? 5000;
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(spec.tcp ?? "");
  if (!m) {
    return Promise.resolve({
      success: false,
      phases,
      totalSeconds: 0,
      error: `invalid tcp address ${spec.tcp}`,
    });
  }
  return new Promise((resolve) => {
    const socket = net.connect({ host: (m[1] ?? m[2])!, port: Number(m[3]) });
    timing(socket, t0, phases, { ready: t0 });
    const done = (r: Omit<ProbeResult, "phases" | "totalSeconds">) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ ...r, phases, totalSeconds: secondsSince(t0) });
    };
    const timer = setTimeout(
      () => done({ success: false, error: `no connection within ${timeoutMs} ms` }),
      timeoutMs,
    );
    socket.once("connect", () => done({ success: true }));
    socket.once("error", (e) => done({ success: false, error: e.message }));
  });
}

/**
 * A probe's result as stored samples.
 *
 * @param spec The probe.
 * @param r Its result.
 * @param host The `host` column.
 * @param ts Time of the probe, ms.
 * @returns The batch.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { probeSamples } from "./probe.ts";
 * const b = probeSamples({ name: "api" }, { success: false, phases: {}, totalSeconds: 5 }, "h", 1);
 * assert.deepEqual([b.metric[0], b.labels[0], b.value[0]], ["probe_success", "target=api", 0]);
 * ```
 */
export function probeSamples(
  spec: ProbeSpec,
  r: ProbeResult,
  host: string,
  ts: number,
): IngestBatch {
  const out = new BatchBuilder({ host, ts, source: "probe" });
  const labels = { target: spec.name };
  out.add("probe_success", labels, r.success ? 1 : 0, {
    unit: "",
    kind: "gauge",
    help: "1 if the probe succeeded, else 0",
  });
  out.add("probe_duration_seconds", labels, r.totalSeconds, {
    unit: "s",
    kind: "gauge",
    help: "Time the whole probe took",
  });
  for (const [phase, v] of Object.entries(r.phases)) {
    out.add("probe_phase_seconds", { ...labels, phase }, v, {
      unit: "s",
      kind: "gauge",
      help: "Time of one phase of the probe (dns, connect, tls, first_byte, transfer)",
    });
  }
  if (r.status !== undefined) {
    out.add("probe_http_status_code", labels, r.status, {
      unit: "",
      kind: "gauge",
      help: "HTTP status of the probe's answer",
    });
  }
  return out.batch();
}
