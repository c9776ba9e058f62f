/**
 * The static inventory of a host, read once through `systeminformation`.
 *
 * @module
 */

import { loadSi } from "./_si.ts";

/** One physical disk. */
export interface InventoryDisk {
  /** Device path, e.g. `/dev/vda`. */
  device: string;
  /** Model or name as reported. */
  name: string;
  /** Kind, e.g. `SSD`, `HD`, `NVMe`. */
  type: string;
  /** Size in bytes. */
  sizeBytes: number;
}

/** What a host is: facts that do not change between samples. */
export interface Inventory {
  hostname: string;
  /** OS platform, e.g. `linux`. */
  platform: string;
  /** Distribution and release, e.g. `Debian GNU/Linux 13`. */
  os: string;
  /** Kernel release, e.g. `6.1.0-18-amd64`. */
  kernel: string;
  arch: string;
  /** CPU brand string, e.g. `Intel Xeon Gold 6338`. */
  cpuModel: string;
  /** Logical CPUs. */
  cores: number;
  /** Physical cores. */
  physicalCores: number;
  /** Physical memory in bytes. */
  memoryBytes: number;
  disks: InventoryDisk[];
}

/**
 * Reads the host's inventory through `systeminformation` (slow: tens of milliseconds and a few
 * child processes; call once at start, never per sample).
 *
 * @returns The inventory.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { inventory } from "./inventory.ts";
 * const inv = await inventory();
 * assert.ok(inv.cores >= 1);
 * assert.ok(inv.memoryBytes > 0);
 * ```
 */
export async function inventory(): Promise<Inventory> {
  const si = await loadSi();
  const [os, cpu, mem, disks] = await Promise.all([
    si.osInfo(),
    si.cpu(),
    si.mem(),
    si.diskLayout(),
  ]);
  return {
    hostname: os.hostname,
    platform: os.platform,
    os: [os.distro, os.release].filter(Boolean).join(" "),
    kernel: os.kernel,
    arch: os.arch,
    cpuModel: [cpu.manufacturer, cpu.brand].filter(Boolean).join(" "),
    cores: cpu.cores,
    physicalCores: cpu.physicalCores,
    memoryBytes: mem.total,
    disks: disks.map((d) => ({
      device: d.device,
      name: d.name,
      type: d.type,
      sizeBytes: d.size,
    })),
  };
}
