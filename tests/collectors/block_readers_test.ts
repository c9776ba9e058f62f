import assert from "node:assert/strict";
import fc from "fast-check";
import { Context } from "../../collectors/_context.ts";
import { collectStat } from "../../collectors/_family_cpu.ts";
import { collectDiskstats, DiskFilter } from "../../collectors/_family_disk.ts";
import { collectNetDev } from "../../collectors/_family_net.ts";
import { FileCache } from "../../collectors/_file_cache.ts";
import { numberRows } from "../../collectors/_fields.ts";
import { cpuRows } from "../../collectors/parse_proc_stat.ts";
import { readFixture } from "./_util.ts";

/** What /proc holds at one snapshot (a file never given is absent). */
interface Step {
  stat?: string | undefined;
  diskstats?: string | undefined;
  netdev?: string | undefined;
  /** Milliseconds since the last snapshot. Default 1000. */
  dtMs?: number;
  /** Whole devices listed in /sys/block from this snapshot on. */
  block?: string[];
}

/**
 * Runs the stat, diskstats and net/dev families of one sampler over real files rewritten before
 * each snapshot, as the sampler does (a family that throws keeps none of its samples). One line
 * per sample, error and the stat family's figures for the process scan, per snapshot.
 */
function collect(steps: Step[]): string[][] {
  const root = Deno.makeTempDirSync({ prefix: "perfscope-blocks-" });
  const files = new FileCache();
  try {
    Deno.mkdirSync(`${root}/proc/net`, { recursive: true });
    Deno.mkdirSync(`${root}/sys/block`, { recursive: true });
    const ctx = new Context("h", `${root}/proc`, `${root}/sys`, files);
    const filter = new DiskFilter(`${root}/sys`);
    const families: [string, (c: Context) => void][] = [
      ["stat", collectStat],
      ["diskstats", (c) => collectDiskstats(c, filter)],
      ["netdev", collectNetDev],
    ];
    let ts = 1_800_000_000_000;
    return steps.map((step) => {
      files.close(); // the rewritten files are read again
      for (
        const [name, path] of [["stat", "stat"], ["diskstats", "diskstats"], ["netdev", "net/dev"]]
      ) {
        const text = step[name as "stat" | "diskstats" | "netdev"];
        if (text !== undefined) Deno.writeTextFileSync(`${root}/proc/${path}`, text);
      }
      for (const device of step.block ?? []) {
        Deno.mkdirSync(`${root}/sys/block/${device}`, { recursive: true });
      }
      ctx.ts = ctx.snap.ts = ts += step.dtMs ?? 1000;
      ctx.round++;
      ctx.snap.length = 0;
      ctx.moved = false;
      const out: string[] = [];
      for (const [name, family] of families) {
        const mark = ctx.snap.length;
        try {
          family(ctx);
        } catch (error) {
          ctx.snap.length = mark;
          out.push(`${name} threw ${(error as Error).name}: ${(error as Error).message}`);
        }
      }
      for (let i = 0; i < ctx.snap.length; i++) {
        const s = ctx.snap.series[i]!;
        out.push(`${s.metric}{${s.labelText}} ${ctx.snap.values[i]}`);
      }
      out.push(`ticks ${ctx.cpuTicks} cpus ${ctx.cpuCount} busy ${ctx.busyCpus}`);
      return out;
    });
  } finally {
    files.close();
    Deno.removeSync(root, { recursive: true });
  }
}

/**
 * The same file with two spaces wherever it had one (in /proc/stat, in the CPU lines): the block
 * readers refuse it, the line parsers read the same numbers.
 */
const doubled = (text: string | undefined) => text?.replaceAll(" ", "  ");
const doubledCpus = (text: string | undefined) =>
  text?.replace(/^cpu.*$/gm, (line) => line.replaceAll(" ", "  "));

/** Counters that mostly grow, now and then fall back (a reset). */
const counters = (n: number) =>
  fc.array(fc.tuple(fc.array(fc.nat(400), { minLength: n, maxLength: n }), fc.boolean()), {
    minLength: 1,
    maxLength: 6,
  }).map((steps) => {
    const now = new Array<number>(n).fill(1000);
    return steps.map(([grow, reset]) =>
      now.map((v, i) => now[i] = reset && i % 3 === 0 ? v - 7 : v + grow[i]!)
    );
  });

/** Lines the kernel does not write, each skipped (or refused) by the parsers. */
const oddCpuLines = [
  "cpu9 1 x 3 4",
  "cpu7 1 2",
  "cpux 1 2 3 4",
  "cpu-1 1 2 3 4",
  "cpu1.5 1 2 3 4",
  "cpu6 1,2 3 4 5",
  "cpu5 [1] 2 3 4",
  "cpu4 1e999 2 3 4",
  "cpu3 1 2 3 4",
  "",
];

Deno.test("collectStat() gives the same samples from the block reader as from the line parser", () => {
  fc.assert(
    fc.property(
      counters(6 * 10),
      fc.array(fc.subarray([0, 1, 2, 3, 4, 5], { minLength: 1 }), { minLength: 6, maxLength: 6 }),
      fc.constantFrom(4, 7, 8, 10),
      fc.array(fc.option(fc.tuple(fc.constantFrom(...oddCpuLines), fc.nat(9)), { freq: 3 }), {
        minLength: 6,
        maxLength: 6,
      }),
      (values, online, columns, odd) => {
        const steps = values.map((v, k): Step => {
          const cpus = online[k]!;
          const line = (c: number) => v.slice(c * 10, c * 10 + columns);
          const total = line(0).map((_, i) => cpus.reduce((s, c) => s + line(c)[i]!, 0));
          const lines = [
            `cpu  ${total.join(" ")}`,
            ...cpus.map((c) => `cpu${c} ${line(c).join(" ")}`),
            `intr ${k} 0 0`,
            `ctxt ${1000 + k}`,
          ];
          const extra = odd[k];
          if (extra) lines.splice(extra[1] % (lines.length + 1), 0, extra[0]);
          const text = `${lines.join("\n")}\nprocesses 7\n`;
          if (!extra) assert.ok(cpuRows(text), "the kernel's form is read as a block");
          return { stat: text };
        });
        assert.deepEqual(
          collect(steps),
          collect(steps.map((s) => ({ stat: doubledCpus(s.stat) }))),
        );
      },
    ),
    { numRuns: 60 },
  );
});

Deno.test("collectStat() reads the captured /proc/stat files as the line parser does", () => {
  const steps = ["linux-6.18/t0", "linux-6.18/t1", "linux-4.9", "linux-6.18/t1"].map((dir) => ({
    stat: readFixture(`proc/${dir}/stat`),
  }));
  assert.ok(cpuRows(steps[0]!.stat), "a 6.18 kernel's file is read as a block");
  const fast = collect(steps);
  assert.deepEqual(fast, collect(steps.map((s) => ({ stat: doubledCpus(s.stat) }))));
  assert.ok(fast[1]!.some((l) => /^cpu_ratio\{cpu=1,mode=idle\} 0\.\d+$/.test(l)));
});

Deno.test("cpuRows() refuses commas and brackets in CPU lines (JSON would read them as its own) and CPU lines after intr", () => {
  assert.ok(cpuRows("cpu  1 2 3 4\ncpu0 1 2 3 4\n"));
  assert.equal(cpuRows("cpu  1 2 3 4\ncpu0 1,5 2 3 4\n"), undefined);
  assert.equal(cpuRows("cpu  1 2 3 4\ncpu0 [1] 2 3 4\n"), undefined);
  assert.equal(cpuRows("cpu  1 2 3 4\nintr 1\ncpu0 1 2 3 4\n"), undefined); // not before intr
  assert.equal(numberRows("1 2,5 3"), undefined);
  // the line parser skips that CPU line (its column is no number)
  const [, b] = collect([
    { stat: "cpu  1 2 3 4\ncpu0 1 2 3 4\n" },
    { stat: "cpu  2 2 3 5\ncpu0 2,5 2 3 4\n" },
  ]);
  assert.equal(b!.filter((l) => l.startsWith("cpu_ratio{cpu=0,")).length, 0);
  assert.equal(b!.at(-1), "ticks 7 cpus 0 busy 0");
});

Deno.test("collectStat() follows CPUs by name when one goes offline and back", () => {
  const stat = (cpus: number[], k: number) => {
    const line = (c: number) => `cpu${c} ${100 * k + c} 0 ${10 * k} ${300 * k} 0 0 0 0 0 0`;
    return `cpu  1 0 1 ${k} 0 0 0 0 0 0\n${cpus.map(line).join("\n")}\n`;
  };
  const ratio = (snap: string[], cpu: number, mode = "user") =>
    snap.find((l) => l.startsWith(`cpu_ratio{cpu=${cpu},mode=${mode}} `))?.split(" ")[1];
  const online = [[0, 1, 2], [0, 2], [0, 2], [0, 1, 2], ...Array(11).fill([0, 2]), [0, 1, 2]];
  const snaps = collect(online.map((cpus, k) => ({ stat: stat(cpus, k + 1) })));
  assert.equal(ratio(snaps[0]!, 1), "NaN"); // first snapshot
  assert.equal(ratio(snaps[1]!, 1), undefined); // offline
  assert.equal(ratio(snaps[1]!, 2), String(100 / 410)); // now second in the file: still cpu2
  // back after 2 snapshots: its ticks grew by 3 intervals' worth, as the counters say
  assert.equal(ratio(snaps[3]!, 1), String(300 / 1230));
  assert.equal(ratio(snaps[3]!, 2, "idle"), String(300 / 410));
  // back after 11 snapshots away: counted as new
  assert.equal(ratio(snaps[15]!, 1), "NaN");
  assert.equal(ratio(snaps[15]!, 2), String(100 / 410));
});

/** Major and minor of the devices the disk property uses. */
const devices: Record<string, string> = {
  sda: "   8       0",
  sda1: "   8       1",
  sdb: "   8      16",
  loop0: "   7       0",
  nvme0n1: " 259       0",
  nvme0n1p1: " 259       1",
  "dm-0": " 253       0",
};

/** Lines the kernel does not write, each skipped (or refused) by the parsers. */
const oddDiskLines = [
  "   8      16 sdb 1 2 3",
  "garbage line",
  "   8      16 sdb 1 2 x 4 5 6 7 8 9 10 11",
  "   8      16 sdb 1 2 3 4 5 6 7 8 9 10 11 1,2",
  "   8      16 sdb 1 2 3 4 5 6 7 8 9 10 1e999",
  "",
];

Deno.test("collectDiskstats() gives the same samples from the block reader as from the line parser", () => {
  fc.assert(
    fc.property(
      counters(7 * 17),
      fc.array(fc.subarray(Object.keys(devices), { minLength: 1 }), { minLength: 6, maxLength: 6 }),
      fc.constantFrom(14, 18, 20),
      fc.array(fc.option(fc.tuple(fc.constantFrom(...oddDiskLines), fc.nat(7)), { freq: 3 }), {
        minLength: 6,
        maxLength: 6,
      }),
      (values, present, fields, odd) => {
        const steps = values.map((v, k): Step => {
          const lines = present[k]!.map((name) => {
            const d = Object.keys(devices).indexOf(name);
            return `${devices[name]} ${name} ${v.slice(d * 17, d * 17 + fields - 3).join(" ")}`;
          });
          const extra = odd[k];
          if (extra) lines.splice(extra[1] % (lines.length + 1), 0, extra[0]);
          return { diskstats: lines.join("\n") + "\n", block: ["sda", "sdb", "nvme0n1", "dm-0"] };
        });
        const slow = steps.map((s) => ({ ...s, diskstats: doubled(s.diskstats) }));
        assert.deepEqual(collect(steps), collect(slow));
      },
    ),
    { numRuns: 60 },
  );
});

Deno.test("collectDiskstats() reads the captured diskstats files as the line parser does", () => {
  const steps = ["linux-6.18/t0", "linux-6.18/t1", "linux-4.9", "linux-6.18/t1"].map((dir) => ({
    diskstats: readFixture(`proc/${dir}/diskstats`),
    block: [
      ...Deno.readDirSync(new URL(`../fixtures/sys/${dir.split("/")[0]}/block`, import.meta.url)),
    ]
      .map((e) => e.name),
  }));
  const fast = collect(steps);
  assert.deepEqual(fast, collect(steps.map((s) => ({ ...s, diskstats: doubled(s.diskstats) }))));
  assert.ok(fast[1]!.some((l) => /^disk_read_bytes_per_second\{device=\w+\} \d/.test(l)));
});

Deno.test("collectDiskstats() asks the filter again about refused devices once it lists /sys/block again", () => {
  const line = (name: string, minor: number, k: number) =>
    `   8 ${String(minor).padStart(7)} ${name} ${k} 0 ${8 * k} ${k} ${k} 0 ${
      8 * k
    } ${k} 0 ${k} ${k}`;
  const text = (names: string[], k: number) =>
    names.map((n) => line(n, 16 * ["sda", "sdb", "sdc"].indexOf(n), k)).join("\n") + "\n";
  const reported = collect([
    { diskstats: text(["sda", "sdb"], 1), block: ["sda"] }, // sdb: not a whole disk (yet)
    { diskstats: text(["sda", "sdb"], 2), block: ["sdb"] }, // the answer is kept...
    { diskstats: text(["sda", "sdb", "sdc"], 3) }, // ...until an unknown device has it list again
    { diskstats: text(["sda", "sdb", "sdc"], 4) },
  ]).map((snap) => snap.filter((l) => l.startsWith("disk_reads_per_second")));
  assert.deepEqual(reported, [
    ["disk_reads_per_second{device=sda} NaN"],
    ["disk_reads_per_second{device=sda} 1"],
    ["disk_reads_per_second{device=sda} 1"],
    ["disk_reads_per_second{device=sda} 1", "disk_reads_per_second{device=sdb} NaN"],
  ]);
});

/** The kernel's column widths in /proc/net/dev (net/core/net-procfs.c). */
const netWidths = [7, 7, 4, 4, 4, 5, 10, 9, 8, 7, 4, 4, 4, 5, 7, 10];

/** Lines the kernel does not write, each skipped (or refused) by the parsers. */
const oddNetLines = [
  "  eth9: 1 2 3",
  "  eth1: 1 2 x 4 5 6 7 8 9 10 11 12 13 14 15 16",
  "  eth1: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 1,6",
  "  eth1: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 ",
  "  eth1: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16:17",
  "    : 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16",
  "eth2:18446744073709551615 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16",
  "",
];

Deno.test("collectNetDev() gives the same samples from the block reader as from the line parser", () => {
  const names = ["lo", "eth0", "eth1", "eth2", "veth7a"];
  fc.assert(
    fc.property(
      counters(names.length * 16),
      fc.array(fc.subarray(names, { minLength: 1 }), { minLength: 6, maxLength: 6 }),
      fc.array(fc.option(fc.tuple(fc.constantFrom(...oddNetLines), fc.nat(9)), { freq: 3 }), {
        minLength: 6,
        maxLength: 6,
      }),
      (values, present, odd) => {
        const texts = values.map((v, k) => {
          const lines = [
            "Inter-|   Receive                                                |  Transmit",
            " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed",
            ...present[k]!.map((name) => {
              const d = names.indexOf(name);
              const c = v.slice(d * 16, d * 16 + 16).map((x, i) =>
                String(x).padStart(netWidths[i]!)
              );
              return `${name.padStart(6)}: ${c.join(" ")}`;
            }),
          ];
          const extra = odd[k];
          if (extra) lines.splice(extra[1] % (lines.length + 1), 0, extra[0]);
          return lines.join("\n") + "\n";
        });
        // a tab before each line's first counter: the line parser reads the same numbers (Number()
        // skips it), the block reader refuses the file
        const slow = texts.map((t) => t.replace(/: +(\d)/g, (m, d) => m.slice(0, -1) + "\t" + d));
        assert.deepEqual(
          collect(texts.map((netdev) => ({ netdev }))),
          collect(slow.map((netdev) => ({ netdev }))),
        );
      },
    ),
    { numRuns: 60 },
  );
});

Deno.test("collectNetDev() reads the captured net/dev files as the line parser does", () => {
  const steps = ["linux-6.18/t0", "linux-6.18/t1", "linux-4.9", "linux-6.18/t1"].map((dir) => ({
    netdev: readFixture(`proc/${dir}/net/dev`),
  }));
  const fast = collect(steps);
  const slow = steps.map((s) => ({
    netdev: s.netdev.replace(/: +(\d)/g, (m, d) => m.slice(0, -1) + "\t" + d),
  }));
  assert.deepEqual(fast, collect(slow));
  assert.ok(fast[1]!.some((l) => /^network_receive_bytes_per_second\{interface=\w+\} \d/.test(l)));
});

Deno.test("collectNetDev() follows interfaces by name when one goes away", () => {
  const dev = (names: string[], k: number) =>
    "Inter-| Receive | Transmit\n face |bytes packets|bytes packets\n" +
    names.map((n, i) =>
      `${n.padStart(6)}: ${1000 * k + i} ${k} 0 0 0 0 0 0 ${2000 * k} ${k} 0 0 0 0 0 0`
    )
      .join("\n") +
    "\n";
  const rx = (snap: string[]) =>
    snap.filter((l) => l.startsWith("network_receive_bytes_per_second")).map((l) =>
      l.replace("network_receive_bytes_per_second", "")
    );
  const snaps = collect([
    { netdev: dev(["lo", "eth0", "eth1"], 1) },
    { netdev: dev(["lo", "eth1"], 2) },
    { netdev: dev(["lo", "eth1"], 4), dtMs: 2000 },
    { netdev: dev(["lo", "eth1"], 3) }, // counters fell back
  ]).map(rx);
  assert.deepEqual(snaps, [
    ["{interface=lo} NaN", "{interface=eth0} NaN", "{interface=eth1} NaN"],
    ["{interface=lo} 1000", "{interface=eth1} 999"], // eth1 is second now: its own counters
    ["{interface=lo} 1000", "{interface=eth1} 1000"], // per second of the 2 s that passed
    ["{interface=lo} NaN", "{interface=eth1} NaN"],
  ]);
});
