import assert from "node:assert/strict";
import fc from "fast-check";
import { splitFields } from "../../collectors/_fields.ts";
import { type DiskStat, parseDiskstats } from "../../collectors/parse_diskstats.ts";
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

Deno.test("parseDiskstats() reads any spacing as fields split on runs of spaces", () => {
  const reference = (text: string, keep: (d: string) => boolean) =>
    text.split("\n").map(splitFields).filter((f) =>
      f.length >= 14 && keep(f[2]!) && f.every((x, i) => i === 2 || Number.isFinite(Number(x)))
    ).map((f) => [f[2], ...f.filter((_, i) => i !== 2).map(Number)]);
  const row = (d: DiskStat) => [
    d.device,
    d.major,
    d.minor,
    d.reads,
    d.sectorsRead,
    d.readMs,
    d.writes,
    d.sectorsWritten,
    d.writeMs,
    d.inFlight,
    d.ioMs,
    d.weightedIoMs,
    d.discards,
    d.discardMs,
  ];
  const pick = (r: (string | number | undefined)[]) => {
    const n = r.slice(1) as number[];
    return [
      r[0],
      n[0],
      n[1],
      n[2],
      n[4],
      n[5],
      n[6],
      n[8],
      n[9],
      n[10],
      n[11],
      n[12],
      n[13] ?? 0,
      n[16] ?? 0,
    ];
  };
  fc.assert(
    fc.property(
      fc.array(
        fc.tuple(
          fc.array(fc.constantFrom(" ", "  ", "   "), { minLength: 20, maxLength: 20 }),
          fc.constantFrom(7, 14, 18, 20),
          fc.constantFrom("sda", "sda1", "nvme0n1", "x"),
          fc.boolean(),
          fc.nat(),
        ),
        { maxLength: 8 },
      ),
      (lines) => {
        const text = lines.map(([gaps, count, name, lead, v]) => {
          const f = [8, 0, name, ...Array.from({ length: count - 3 }, (_, i) => v + i)];
          if (v % 7 === 0) f[5] = "x"; // a non-numeric counter
          return (lead ? "   " : "") + f.map((x, i) => (i ? gaps[i]! : "") + x).join("");
        }).join("\n");
        const keep = (d: string) => d !== "x";
        assert.deepEqual(parseDiskstats(text, keep).map(row), reference(text, keep).map(pick));
      },
    ),
    { numRuns: 300 },
  );
});
