import assert from "node:assert/strict";
import { Counters } from "../../collectors/_counters.ts";
import { Context } from "../../collectors/_context.ts";
import { FileCache } from "../../collectors/_file_cache.ts";
import { LoopProbe } from "../../collectors/_loop_probe.ts";
import { Key } from "../../collectors/_lookup.ts";
import { statfs, viaNode } from "../../collectors/_statfs.ts";
import { fixture, readFixture } from "./_util.ts";

Deno.test("Counters gives NaN first, a rate next, NaN on a decrease and when time stands still", () => {
  const c = new Counters();
  c.begin(0);
  assert.ok(Number.isNaN(c.rate("a", 10)));
  c.begin(2000);
  assert.equal(c.rate("a", 30), 10);
  c.begin(3000);
  assert.ok(Number.isNaN(c.rate("a", 5)));
  assert.ok(Number.isNaN(c.rate("a", 6)));
  c.begin(4000);
  assert.equal(c.rate("a", 2 ** 60 + 6), 2 ** 60);
});

Deno.test("Counters.delta() and prune() forget counters that stopped being read", () => {
  const c = new Counters();
  c.begin(0);
  assert.ok(Number.isNaN(c.delta("d", 5)));
  c.begin(1000);
  assert.equal(c.delta("d", 9), 4);
  assert.ok(Number.isNaN(c.delta("d", 1)));
  for (let i = 0; i < 3; i++) c.begin(2000 + i);
  c.prune(2);
  c.begin(9000);
  assert.ok(Number.isNaN(c.delta("d", 3)));
});

for (const useLibc of [true, false]) {
  Deno.test(`FileCache re-reads a cached file and grows past its buffer (${useLibc ? "libc" : "Deno"} files)`, () => {
    const dir = Deno.makeTempDirSync();
    try {
      const files = new FileCache(1, useLibc);
      const big = "x".repeat(40_000) + "\n";
      Deno.writeTextFileSync(`${dir}/big`, big);
      assert.equal(files.read(`${dir}/big`), big);
      Deno.writeTextFileSync(`${dir}/big`, "short\n");
      assert.equal(files.read(`${dir}/big`), "short\n");
      assert.equal(files.size, 1);
      assert.equal(
        files.read(fixture("proc/linux-6.18/t0/loadavg")),
        readFixture("proc/linux-6.18/t0/loadavg"),
      );
      assert.equal(files.size, 1);
      files.evict(`${dir}/big`);
      files.evict(`${dir}/none`);
      assert.equal(files.size, 0);
      assert.equal(files.read(`${dir}/missing`, true), undefined);
      Deno.writeTextFileSync(`${dir}/missing`, "now here");
      assert.equal(files.read(`${dir}/missing`), undefined);
      assert.throws(() => files.read(dir)); // a directory opens, but does not read
      assert.throws(() => files.read(`${dir}/missing/x`)); // ENOTDIR: an error, not "missing"
      files.read(fixture("proc/linux-6.18/t0/loadavg"));
      Deno.removeSync(`${dir}/big`);
      files.close();
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  });
}

Deno.test("LoopProbe reports a blocked loop as lateness", () => {
  const probe = new LoopProbe(5);
  try {
    const until = performance.now() + 30;
    while (performance.now() < until) { /* block the loop */ }
    assert.ok(probe.take() > 0);
    assert.ok(probe.take() >= 0);
  } finally {
    probe.stop();
    probe.stop();
  }
});

Deno.test("Key finds a meminfo or vmstat value as the full parsers read it", () => {
  const meminfo =
    "MemTotal:       1000 kB\nMemFree:  20 kB\nHugePages_Total:       0\nEmpty:\nBad: x kB\n";
  assert.equal(new Key("MemTotal", ":").find(meminfo), 1000 * 1024);
  assert.equal(new Key("MemFree", ":").find(meminfo), 20 * 1024);
  assert.equal(new Key("HugePages_Total", ":").find(meminfo), 0);
  assert.equal(new Key("Empty", ":").find(meminfo), undefined);
  assert.equal(new Key("Bad", ":").find(meminfo), undefined);
  assert.equal(new Key("Missing", ":").find(meminfo), undefined);
  assert.equal(new Key("Total", ":").find(meminfo), undefined);
  const vmstat = "nr_free_pages 5\npgfault 123\npgmajfault 4";
  assert.equal(new Key("pgfault", " ").find(vmstat), 123);
  assert.equal(new Key("pgmajfault", " ").find(vmstat), 4);
  assert.equal(new Key("nr_free_pages", " ").find(vmstat), 5);
});

Deno.test("Counters.rateIn() keeps groups apart and prune() runs once per rounds", () => {
  const c = new Counters();
  c.begin(0);
  assert.ok(Number.isNaN(c.rateIn("a", "k", 1)));
  assert.ok(Number.isNaN(c.rateIn("b", "k", 100)));
  c.begin(1000);
  assert.equal(c.rateIn("a", "k", 3), 2);
  assert.equal(c.rateIn("b", "k", 150), 50);
  c.prune(1);
  c.begin(2000);
  c.prune(1);
  c.begin(3000);
  c.prune(1);
  assert.ok(Number.isNaN(c.rateIn("a", "k", 4)));
});

Deno.test("statfs() reads the root file system and throws for a missing path", () => {
  const s = statfs("/");
  assert.ok(s.blocks > 0 && s.bsize > 0 && (s.frsize ?? 0) > 0);
  assert.ok(s.bfree <= s.blocks && s.bavail <= s.blocks && s.ffree <= s.files);
  assert.throws(() => statfs("/no/such/path"), /statfs failed/);
  const node = viaNode("/");
  assert.equal(node.blocks, s.blocks);
  assert.equal(viaNode("/").files, s.files);
  assert.equal(node.bsize, s.bsize);
});

Deno.test("Context.rateOf() keeps counters by series id past its first arrays, and forgets stale ones", () => {
  const ctx = new Context("h", "/proc", "/sys", new FileCache());
  const series = Array.from(
    { length: 300 },
    (_, i) => ctx.series("m", Object.freeze({ i: String(i) })),
  );
  const round = (ts: number, value: (i: number) => number, only?: number) => {
    ctx.ts = ts;
    ctx.round++;
    return series.map((s, i) => only === undefined || only === i ? ctx.rateOf(s, value(i)) : NaN);
  };
  assert.ok(round(1000, (i) => i).every(Number.isNaN));
  const rates = round(3000, (i) => 3 * i);
  assert.equal(rates[299], 299); // (897 - 299) / 2 s
  assert.ok(Number.isNaN(round(3000, (i) => 3 * i, 5)[5])); // no time passed
  assert.ok(Number.isNaN(round(4000, () => 0, 7)[7])); // a decrease: a reset
  for (let k = 0; k < 11; k++) round(5000 + k * 1000, () => 0, 0);
  assert.ok(Number.isNaN(round(20_000, () => 10, 1)[1])); // unrecorded for 11+ rounds
  assert.equal(round(21_000, () => 12, 1)[1], 2);
  const slot = ctx.counterSlot();
  assert.ok(series.every((s) => s.id !== slot.id));
  assert.ok(Number.isNaN(ctx.deltaOf(slot, 5)));
  ctx.round++;
  assert.equal(ctx.deltaOf(slot, 8), 3); // a delta needs no time to pass
  assert.ok(Number.isNaN(ctx.rateOf(slot, 9))); // a rate does
  ctx.snap.length = 0;
  for (const s of series) ctx.putRate(s, 1);
  assert.equal(ctx.snap.length, 300);
  assert.ok(ctx.snap.values.length >= 300);
});

Deno.test("FileCache opens its libc files close-on-exec, so children do not inherit them", () => {
  const dir = Deno.makeTempDirSync();
  try {
    Deno.writeTextFileSync(`${dir}/f`, "x\n");
    const files = new FileCache(4, true);
    assert.equal(files.read(`${dir}/f`), "x\n");
    const fds = [...Deno.readDirSync("/proc/self/fd")].filter((e) => {
      try {
        return Deno.readLinkSync(`/proc/self/fd/${e.name}`) === `${dir}/f`;
      } catch {
        return false;
      }
    });
    assert.equal(fds.length, 1);
    const flags = Deno.readTextFileSync(`/proc/self/fdinfo/${fds[0]!.name}`).match(
      /flags:\s+(\d+)/,
    )!;
    assert.ok((parseInt(flags[1]!, 8) & 0o2000000) !== 0);
    files.close();
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("a sampler without FFI permission falls back to Deno files and node:fs statfs, and asks for nothing", async () => {
  const code = `
    import { createSampler } from ${
    JSON.stringify(new URL("../../collectors/mod.ts", import.meta.url).href)
  };
    using s = createSampler();
    s.snapshot();
    const snap = s.snapshot();
    const metrics = new Set(snap.series.slice(0, snap.length).map((x) => x.metric));
    console.log(JSON.stringify(["cpu_ratio", "filesystem_size_bytes", "process_rss_bytes"].map((m) => metrics.has(m))));
  `;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--no-prompt", "--allow-read", "--allow-sys", "--allow-env", code],
    stdin: "null",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  assert.deepEqual(JSON.parse(text), [true, true, true]);
});
