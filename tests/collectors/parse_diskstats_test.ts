import assert from "node:assert/strict";
import { parseDiskstats } from "../../collectors/parse_diskstats.ts";
import { readFixture } from "./_util.ts";

Deno.test("parseDiskstats() reads this machine's 20-field lines", () => {
  const text = readFixture("proc/linux-6.18/t0/diskstats");
  const disks = parseDiskstats(text);
  assert.equal(disks.length, text.trim().split("\n").length);
  const vda = disks.find((d) => d.device === "vda")!;
  const f = text.split("\n").find((l) => l.includes(" vda "))!.trim().split(/\s+/).map(Number);
  assert.equal(vda.reads, f[3]);
  assert.equal(vda.sectorsWritten, f[9]);
  assert.equal(vda.weightedIoMs, f[13]);
  assert.equal(vda.discards, f[14]);
  assert.equal(vda.discardMs, f[17]);
});

Deno.test("parseDiskstats() reads 14, 18 and 20 field lines and skips short or bad ones", () => {
  const disks = parseDiskstats(readFixture("proc/linux-4.9/diskstats"));
  const names = disks.map((d) => d.device);
  assert.deepEqual(names, ["sda", "sda1", "nvme0n1", "nvme0n1p1", "dm-0", "md0", "loop0", "ram0"]);
  assert.equal(disks[0]!.discards, 0);
  assert.equal(disks[2]!.discards, 4);
  assert.equal(disks[4]!.inFlight, 3);
});

Deno.test("parseDiskstats() skips non-numeric counters and gives nothing for an empty file", () => {
  assert.deepEqual(parseDiskstats(""), []);
  assert.deepEqual(parseDiskstats("8 0 sda 1 2 3 x 5 6 7 8 9 10 11\n"), []);
});

Deno.test("parseDiskstats() skips the devices keep() refuses before reading their counters", () => {
  const text = "   7 0 loop0 1 2 3 4 5 6 7 8 9 10 11\n   8 0 sda 1 2 3 4 5 6 7 8 9 10 11\n" +
    "   8 1 sda1 x x x x x x x x x x x\n";
  const seen: string[] = [];
  const kept = parseDiskstats(text, (d) => (seen.push(d), d === "sda"));
  assert.deepEqual(kept.map((d) => d.device), ["sda"]);
  assert.deepEqual(seen, ["loop0", "sda", "sda1"]);
});
