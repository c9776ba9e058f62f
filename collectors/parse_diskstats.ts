/**
 * Parser for `/proc/diskstats`.
 *
 * @module
 */

import { splitFields } from "./_fields.ts";

/** One device's I/O counters since boot (see the kernel's `Documentation/admin-guide/iostats.rst`). */
export interface DiskStat {
  major: number;
  minor: number;
  /** Device name, e.g. `sda`, `nvme0n1p1`. */
  device: string;
  /** Reads completed. */
  reads: number;
  /** Sectors read (always 512 bytes each). */
  sectorsRead: number;
  /** Milliseconds spent reading. */
  readMs: number;
  /** Writes completed. */
  writes: number;
  /** Sectors written (512 bytes each). */
  sectorsWritten: number;
  /** Milliseconds spent writing. */
  writeMs: number;
  /** Requests in flight now. */
  inFlight: number;
  /** Milliseconds the device had I/O in flight (busy time). */
  ioMs: number;
  /** Weighted milliseconds doing I/O (sum of request lifetimes). */
  weightedIoMs: number;
  /** Discards completed (kernel ≥ 4.18, 18+ fields); 0 where absent. */
  discards: number;
  /** Milliseconds spent discarding; 0 where absent. */
  discardMs: number;
}

/** Major, minor, then the device name. */
const deviceOf = /^ *(\d+) +(\d+) +(\S+)/;

/**
 * Parses `/proc/diskstats`. Lines with 14 fields (kernels < 4.18), 18 fields (discards,
 * ≥ 4.18) and 20 fields (flushes, ≥ 5.5) are understood; lines with fewer than 14 fields (the
 * 2.6-era 7-field partition lines) or a non-numeric counter are skipped.
 *
 * @param text The file's contents.
 * @param keep Which devices to parse (the others are skipped before their counters are read:
 *   on a host with partitions and loop devices, most lines). Default: all.
 * @returns One record per valid line, in file order.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseDiskstats } from "./parse_diskstats.ts";
 * const [d] = parseDiskstats(" 254 0 vda 6815 3333 423378 4688 1648 29256 1852840 3525 0 1712 8692\n");
 * assert.equal(d!.device, "vda");
 * assert.equal(d!.sectorsWritten, 1852840);
 * assert.equal(d!.discards, 0);
 * ```
 */
export function parseDiskstats(text: string, keep?: (device: string) => boolean): DiskStat[] {
  const out: DiskStat[] = [];
  for (const line of text.split("\n")) {
    // The device name first, from one native match: most lines (partitions) end here
    // without being split into their twenty fields.
    const m = deviceOf.exec(line);
    if (m && keep && !keep(m[3]!)) continue;
    const f = fieldsOf(line, m);
    if (f.length < 14) continue;
    if (keep && !m && !keep(f[2]!)) continue;
    // Plain loops, no callbacks: this runs every second in an interpreter (lite mode).
    const n: number[] = new Array(f.length);
    let finite = true;
    for (let i = 0; i < f.length; i++) {
      const x = i === 2 ? 0 : Number(f[i]);
      n[i] = x;
      if (x - x !== 0) finite = false;
    }
    if (!finite) continue;
    out.push({
      major: n[0]!,
      minor: n[1]!,
      device: f[2]!,
      reads: n[3]!,
      sectorsRead: n[5]!,
      readMs: n[6]!,
      writes: n[7]!,
      sectorsWritten: n[9]!,
      writeMs: n[10]!,
      inFlight: n[11]!,
      ioMs: n[12]!,
      weightedIoMs: n[13]!,
      discards: n[14] ?? 0,
      discardMs: n[17] ?? 0,
    });
  }
  return out;
}

/**
 * `splitFields(line)`, from the match of the device name: the counters after it are separated
 * by single spaces (the kernel writes them so), and `split(" ")` is ~20× cheaper than a split on
 * a regular expression in V8's interpreter (lite mode). Any other spacing takes the general way.
 */
function fieldsOf(line: string, m: RegExpExecArray | null): string[] {
  if (m === null || line.charCodeAt(m[0].length) !== 32) return splitFields(line);
  const rest = line.slice(m[0].length + 1).split(" ");
  if (rest.includes("")) return splitFields(line);
  return [m[1]!, m[2]!, m[3]!].concat(rest);
}
