/**
 * Parsers for cgroup files (v2 and v1) and the names the collector gives cgroups.
 *
 * @module
 */

/**
 * Parses a flat keyed file (`key value` per line: v2 `cpu.stat`, `memory.events`, v1
 * `cpu.stat`, `memory.oom_control`). Lines without a numeric value are skipped.
 *
 * @param text The file's contents.
 * @returns Values by key.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseKeyed } from "./parse_cgroup.ts";
 * const s = parseKeyed("usage_usec 1500\nnr_throttled 3\n");
 * assert.equal(s.get("usage_usec"), 1500);
 * assert.equal(s.get("nr_throttled"), 3);
 * ```
 */
export function parseKeyed(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    const sp = line.indexOf(" ");
    if (sp <= 0) continue;
    const v = Number(line.slice(sp + 1));
    if (Number.isFinite(v)) out.set(line.slice(0, sp), v);
  }
  return out;
}

/**
 * Parses a single-value file (`memory.current`, `memory.max`, `cpuacct.usage`…): a number, or
 * `max` (no limit: `Infinity`). v1's "no limit" is a huge number near 2^63, also `Infinity`.
 *
 * @param text The file's contents.
 * @returns The value; `NaN` if the file holds something else.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseLimit } from "./parse_cgroup.ts";
 * assert.equal(parseLimit("max\n"), Infinity);
 * assert.equal(parseLimit("1073741824\n"), 1073741824);
 * assert.equal(parseLimit("9223372036854771712\n"), Infinity);
 * ```
 */
export function parseLimit(text: string): number {
  const t = text.trim();
  if (t === "max") return Infinity;
  if (t === "" || t === "-1") return t === "-1" ? Infinity : NaN;
  const v = Number(t);
  // v1 prints PAGE_COUNTER_MAX × page size (≈ 9.22e18) for "no limit"
  return v >= 2 ** 62 ? Infinity : v >= 0 ? v : NaN;
}

/** A CPU bandwidth limit: `quota` µs of CPU per `period` µs (`Infinity`: none). */
export interface CpuMax {
  quota: number;
  period: number;
}

/**
 * Parses v2 `cpu.max` (`"$MAX $PERIOD"`, `max` for no limit).
 *
 * @param text The file's contents.
 * @returns The quota and period in µs; `undefined` if malformed.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseCpuMax } from "./parse_cgroup.ts";
 * assert.deepEqual(parseCpuMax("200000 100000\n"), { quota: 200000, period: 100000 });
 * assert.deepEqual(parseCpuMax("max 100000\n"), { quota: Infinity, period: 100000 });
 * ```
 */
export function parseCpuMax(text: string): CpuMax | undefined {
  const [q, p] = text.trim().split(" ");
  const period = Number(p);
  const quota = q === "max" ? Infinity : Number(q);
  return period > 0 && quota > 0 ? { quota, period } : undefined;
}

/** IO counters of one device in one cgroup. */
export interface CgroupIo {
  /** `major:minor`. */
  device: string;
  readBytes: number;
  writeBytes: number;
  reads: number;
  writes: number;
}

/**
 * Parses v2 `io.stat` (`8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0` per device).
 *
 * @param text The file's contents.
 * @returns One record per device line.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseIoStat } from "./parse_cgroup.ts";
 * const [d] = parseIoStat("8:0 rbytes=4096 wbytes=8192 rios=1 wios=2 dbytes=0 dios=0\n");
 * assert.deepEqual(d, { device: "8:0", readBytes: 4096, writeBytes: 8192, reads: 1, writes: 2 });
 * ```
 */
export function parseIoStat(text: string): CgroupIo[] {
  const out: CgroupIo[] = [];
  for (const line of text.split("\n")) {
    const parts = line.trim().split(" ");
    if (parts.length < 2 || !parts[0]!.includes(":")) continue;
    const io: CgroupIo = { device: parts[0]!, readBytes: 0, writeBytes: 0, reads: 0, writes: 0 };
    for (let i = 1; i < parts.length; i++) {
      const kv = parts[i]!;
      const eq = kv.indexOf("=");
      const v = Number(kv.slice(eq + 1));
      if (eq < 0 || !Number.isFinite(v)) continue;
      switch (kv.slice(0, eq)) {
        case "rbytes":
          io.readBytes = v;
          break;
        case "wbytes":
          io.writeBytes = v;
          break;
        case "rios":
          io.reads = v;
          break;
        case "wios":
          io.writes = v;
          break;
      }
    }
    out.push(io);
  }
  return out;
}

/**
 * Parses v1 `blkio.throttle.io_service_bytes` or `…io_serviced` (`8:0 Read 4096` per line, and
 * a `Total` line) into the same records as {@linkcode parseIoStat}: `bytes` says which fields
 * the values go to.
 *
 * @param bytesText `blkio.throttle.io_service_bytes`, or `undefined`.
 * @param opsText `blkio.throttle.io_serviced`, or `undefined`.
 * @returns One record per device.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseBlkio } from "./parse_cgroup.ts";
 * const [d] = parseBlkio("8:0 Read 4096\n8:0 Write 512\n8:0 Total 4608\nTotal 4608\n", "8:0 Read 1\n");
 * assert.deepEqual(d, { device: "8:0", readBytes: 4096, writeBytes: 512, reads: 1, writes: 0 });
 * ```
 */
export function parseBlkio(bytesText?: string, opsText?: string): CgroupIo[] {
  const byDevice = new Map<string, CgroupIo>();
  const take = (text: string | undefined, bytes: boolean) => {
    for (const line of (text ?? "").split("\n")) {
      const [device, op, value] = line.trim().split(" ");
      const v = Number(value);
      if (!device?.includes(":") || !Number.isFinite(v)) continue;
      let io = byDevice.get(device);
      if (!io) {
        byDevice.set(device, io = { device, readBytes: 0, writeBytes: 0, reads: 0, writes: 0 });
      }
      if (op === "Read") io[bytes ? "readBytes" : "reads"] = v;
      else if (op === "Write") io[bytes ? "writeBytes" : "writes"] = v;
    }
  };
  take(bytesText, true);
  take(opsText, false);
  return [...byDevice.values()];
}

const longHex = /^[0-9a-f]{32,}$/;
const containerScope = /^(?:docker|cri-containerd|crio|libpod|containerd)-([0-9a-f]{32,})\.scope$/;

/**
 * The `cgroup` label of a cgroup: the systemd unit (`postgresql.service`), a container's short
 * id (the first 12 hex digits of `docker-<id>.scope`, `docker/<id>`, `cri-containerd-<id>.scope`,
 * kubepods' `…/pod<uid>/<id>`), else the last path component.
 *
 * @param path The cgroup's path relative to the hierarchy root, e.g.
 *   `system.slice/postgresql.service`.
 * @returns The label.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cgroupName } from "./parse_cgroup.ts";
 * assert.equal(cgroupName("system.slice/postgresql.service"), "postgresql.service");
 * const id = "4f3a".repeat(16);
 * assert.equal(cgroupName(`system.slice/docker-${id}.scope`), "4f3a4f3a4f3a");
 * assert.equal(cgroupName(`docker/${id}`), "4f3a4f3a4f3a");
 * ```
 */
export function cgroupName(path: string): string {
  const last = path.slice(path.lastIndexOf("/") + 1);
  const scope = containerScope.exec(last);
  if (scope) return scope[1]!.slice(0, 12);
  if (longHex.test(last)) return last.slice(0, 12);
  return last === "" ? "/" : last;
}
