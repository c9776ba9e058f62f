/**
 * Parser for `/proc/mounts` (the `fstab`-like format).
 *
 * @module
 */

/** One mounted file system. */
export interface Mount {
  /** Device or source, e.g. `/dev/sda1`, `tmpfs`, `server:/export`. */
  device: string;
  /** Where it is mounted, with the kernel's octal escapes (`\040` …) decoded. */
  mountpoint: string;
  /** File system type, e.g. `ext4`. */
  fstype: string;
  /** Mount options, comma-separated. */
  options: string;
}

const octal = /\\([0-7]{3})/g;

function unescape(field: string): string {
  return field.replace(octal, (_, code: string) => String.fromCharCode(parseInt(code, 8)));
}

/**
 * Parses `/proc/mounts`. Lines with fewer than four fields are skipped.
 *
 * @param text The file's contents.
 * @returns The mounts in file order.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseMounts } from "./parse_mounts.ts";
 * const [m] = parseMounts("/dev/sdb1 /mnt/my\\040disk ext4 rw 0 0\n");
 * assert.equal(m!.mountpoint, "/mnt/my disk");
 * assert.equal(m!.fstype, "ext4");
 * ```
 */
export function parseMounts(text: string): Mount[] {
  const out: Mount[] = [];
  for (const line of text.split("\n")) {
    const f = line.split(" ");
    if (f.length < 4 || f[0] === "" || f[1] === "" || f[2] === "") continue;
    out.push({
      device: unescape(f[0]!),
      mountpoint: unescape(f[1]!),
      fstype: f[2]!,
      options: f[3]!,
    });
  }
  return out;
}
