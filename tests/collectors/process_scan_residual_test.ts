import assert from "node:assert/strict";
import { Context } from "../../collectors/_context.ts";
import { FileCache } from "../../collectors/_file_cache.ts";
import { ProcessScanner, SHORTFALL_TICKS_PER_CPU } from "../../collectors/_family_processes.ts";
import { listPids, PidList } from "../../collectors/_list_pids.ts";
import { pidStat } from "./_util.ts";

/**
 * A proc root of `pids` idle processes, a scanner over it, and a step that takes a snapshot;
 * disposal closes the files and removes the root.
 */
function host(pids: number[], options: { reads?: number; quiet?: number; topN?: number } = {}) {
  const root = Deno.makeTempDirSync({ prefix: "perfscope-resid-" });
  const put = (pid: number, ticks: number, rss = pid, start = 100, name = `p${pid}`) => {
    Deno.mkdirSync(`${root}/${pid}`, { recursive: true });
    Deno.writeTextFileSync(`${root}/${pid}/stat`, pidStat(pid, name, ticks, rss, start));
  };
  for (const pid of pids) put(pid, 0);
  const files = new FileCache();
  const ctx = new Context("h", root, root, files);
  ctx.cpuCount = 2;
  ctx.busyCpus = 2;
  const scanner = new ProcessScanner({
    topN: options.topN ?? 2,
    clockTicks: 100,
    pageSize: 4096,
    listMs: 5000,
    readsPerSnapshot: options.reads ?? 4,
    quietReads: options.quiet ?? 1,
  });
  let cpuTicks = 1000;
  const step = (ts: number, addTicks: number) => {
    cpuTicks += addTicks;
    ctx.ts = ts;
    ctx.round++;
    ctx.cpuTicks = cpuTicks;
    ctx.snap.length = 0;
    scanner.collect(ctx);
    const out = new Map<string, number>();
    for (let i = 0; i < ctx.snap.length; i++) {
      const s = ctx.snap.series[i]!;
      if (s.metric === "process_cpu_ratio" && s.labels.rank_by === "cpu") {
        out.set(s.labels.pid!, ctx.snap.values[i]!);
      }
      if (s.metric === "process_rss_bytes" && s.labels.rank_by === "memory") {
        out.set(`rss ${s.labels.pid}`, ctx.snap.values[i]! / 4096);
      }
      if (s.metric === "processes_total") out.set("total", ctx.snap.values[i]!);
    }
    return out;
  };
  const dispose = () => {
    files.close();
    Deno.removeSync(root, { recursive: true });
  };
  return { root, ctx, put, scanner, step, [Symbol.dispose]: dispose };
}

const twenty = Array.from({ length: 20 }, (_, i) => 10 + i);

Deno.test("ProcessScanner slows its rotation on an idle host and reads at full speed when /proc/stat shows unexplained CPU", () => {
  using h = host(twenty);
  h.step(0, 0);
  h.step(1000, 0);
  assert.equal(h.scanner.reads, 20); // the first two snapshots read everything
  // Idle: the aggregate moved by less than the tolerance (3 ticks per CPU, 2 CPUs)
  for (let t = 2; t <= 5; t++) {
    h.step(t * 1000, 2 * SHORTFALL_TICKS_PER_CPU);
    assert.ok(h.scanner.quiet);
    assert.equal(h.scanner.reads, 1);
  }
  // Above the tolerance with nothing read that explains it: the rotation runs at full speed
  h.step(6000, 2 * SHORTFALL_TICKS_PER_CPU + 1);
  assert.ok(!h.scanner.quiet);
  assert.equal(h.scanner.reads, 4);
  // Without /proc/stat (NaN) the rotation never slows
  h.step(7000, NaN);
  assert.ok(!h.scanner.quiet);
  assert.equal(h.scanner.reads, 4);
});

Deno.test("ProcessScanner finds a process that wakes up within a rotation while the residual shows it, then slows again", () => {
  using h = host(twenty);
  h.step(0, 0);
  h.step(1000, 0);
  h.step(2000, 0);
  assert.ok(h.scanner.quiet);
  // pid 27 (in the middle of the rotation) takes 0.5 CPU from now on
  let ticks = 0;
  let found = 0;
  for (let t = 3; t <= 10 && !found; t++) {
    ticks += 50;
    h.put(27, ticks);
    const top = h.step(t * 1000, 50);
    assert.ok(!h.scanner.quiet, `quiet at ${t} before 27 was read`);
    if (top.has("27")) found = t;
  }
  // 20 processes at 4 reads per snapshot: one rotation is 5 snapshots
  assert.ok(found >= 3 && found <= 8, `found at ${found}`);
  // It is a busy candidate now, read at each snapshot: its ticks explain the aggregate's
  ticks += 50;
  h.put(27, ticks);
  const top = h.step((found + 1) * 1000, 50);
  assert.equal(top.get("27"), 0.5);
  assert.ok(h.scanner.quiet);
  assert.equal(h.scanner.reads, 2); // itself and one rotation read
});

Deno.test("ProcessScanner ranks by CPU only above the N-th value when the rotation is quiet", () => {
  // Two busy ranked processes explain most of the CPU; an unread process can have used at most
  // the residual, below the second's 20 ticks: the rotation slows
  using h = host(twenty, { topN: 2 });
  h.step(0, 0);
  h.put(10, 30);
  h.put(11, 20);
  h.step(1000, 50);
  h.put(10, 60);
  h.put(11, 40);
  h.step(2000, 50 + 15); // 15 unexplained ticks: below the 2nd's 20, above the tolerance
  assert.ok(h.scanner.quiet);
  h.put(10, 90);
  h.put(11, 60);
  h.step(3000, 50 + 25); // 25 unexplained: some unread process may beat the 2nd
  assert.ok(!h.scanner.quiet);
});

Deno.test("ProcessScanner counts an exited process's ticks in the residual: more reads, no process hidden", () => {
  using h = host(twenty);
  h.step(0, 0);
  h.put(15, 100);
  const top = h.step(1000, 100);
  assert.equal(top.get("15"), 1);
  h.put(15, 200);
  h.step(2000, 100);
  assert.ok(h.scanner.quiet); // its 100 ticks are explained
  Deno.removeSync(`${h.root}/15`, { recursive: true });
  // It ran, then exited: nobody explains its ticks (its kept handle here still reads the old
  // numbers; on /proc the read fails and drops it at once)
  h.step(3000, 100);
  assert.ok(!h.scanner.quiet);
  // Not quiet: the listing comes at its usual interval and drops it
  const after = h.step(6000, 0);
  assert.ok(!after.has("15"));
  assert.equal(h.scanner.size, 19);
  h.step(7000, 0);
  assert.ok(h.scanner.quiet);
});

Deno.test("ProcessScanner lists four times less often while quiet, and at the usual interval after a snapshot that is not", () => {
  using h = host(twenty);
  h.step(0, 0);
  h.step(1000, 0); // listed at 0 and 1000; quiet from 2000 on
  h.put(99, 0);
  let total = 0;
  for (let t = 2; t <= 20; t++) total = h.step(t * 1000, 0).get("total")!;
  assert.equal(total, 20); // 5 s × 4 after the listing at 1000 is 21 s
  assert.equal(h.step(21_000, 0).get("total"), 21);
  h.put(98, 0);
  h.step(22_000, 0);
  h.step(23_000, 100); // not quiet: the next snapshot lists if 5 s passed
  assert.equal(h.step(26_000, 0).get("total"), 22);
});

Deno.test("ProcessScanner merges listings: new and gone pids, a pid reused, in any listing order", () => {
  const pids = Array.from({ length: 300 }, (_, i) => 7 * i + 3);
  using h = host(pids, { reads: 1000, topN: 400 });
  h.step(0, 0);
  // gone: every third; new: 2, 5000, 5001, and pid 3 reused by a new process (another start)
  for (let i = 0; i < 300; i += 3) Deno.removeSync(`${h.root}/${pids[i]}`, { recursive: true });
  for (const pid of [2, 5000, 5001]) h.put(pid, 0);
  h.put(3, 40, 3, 777);
  let top = h.step(6000, 0);
  assert.equal(top.get("total"), 200 + 4);
  assert.ok(!top.has("3")); // reused: no rate from the old process's ticks
  h.put(3, 140, 3, 777);
  h.put(5001, 100);
  top = h.step(7000, 200);
  assert.equal(top.get("3"), 1);
  assert.equal(top.get("5001"), 1);
  assert.equal(top.get("2"), 0);
  assert.equal(h.scanner.size, 204);
  // a pid whose stat cannot be read is dropped, then found again by the next listing
  Deno.writeTextFileSync(`${h.root}/5000/stat`, "garbage\n");
  h.step(8000, 100); // unexplained ticks: the whole rotation budget, so 5000 is read
  assert.equal(h.scanner.size, 203);
  h.put(5000, 0, 5000, 888);
  top = h.step(14_000, 0);
  assert.equal(h.scanner.size, 204);
  h.put(5000, 300, 5000, 888);
  top = h.step(15_000, 300);
  assert.equal(top.get("5000"), 3);
});

Deno.test("listPids() says whether the pids ascend: getdents64 lists /proc in order, other directories not", () => {
  const l = new PidList();
  for (const pid of [1, 5, 9]) l.push(pid);
  assert.ok(l.sorted);
  l.push(4);
  assert.ok(!l.sorted);
  if (Deno.build.os === "linux") {
    listPids("/proc", l);
    const ids = [...l.ids.subarray(0, l.count)];
    assert.ok(l.count > 0);
    assert.equal(l.sorted, ids.every((p, i) => i === 0 || ids[i - 1]! < p));
    assert.ok(l.sorted, "/proc's pids are listed in ascending order on Linux");
  }
  const root = Deno.makeTempDirSync({ prefix: "perfscope-pids-" });
  try {
    for (let pid = 4000; pid > 0; pid -= 13) Deno.mkdirSync(`${root}/${pid}`);
    for (const useLibc of [true, false]) {
      listPids(root, l, useLibc);
      const ids = [...l.ids.subarray(0, l.count)];
      assert.equal(l.count, 308);
      assert.equal(l.sorted, ids.every((p, i) => i === 0 || ids[i - 1]! < p));
    }
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});

Deno.test("ProcessScanner's rotation goes on where it left off across listings, in pid order", () => {
  using h = host(twenty, { reads: 4, topN: 30 });
  h.step(0, NaN);
  h.step(1000, NaN);
  // Every process's memory grows while idle: only the rotation reads them, 4 per snapshot
  for (const pid of twenty) h.put(pid, 0, 1000 + pid);
  // New: read first (then again for a rate, as a ranking candidate: no rate yet is not idle)
  h.put(5, 0);
  const updated: number[] = [];
  for (let t = 10; t <= 35; t += 5) { // 5 s apart: each snapshot lists (NaN: never quiet)
    const out = h.step(t * 1000, NaN);
    updated.push(twenty.filter((pid) => out.get(`rss ${pid}`) === 1000 + pid).length);
  }
  assert.deepEqual(updated, [3, 7, 11, 15, 19, 20]);
});

Deno.test("ProcessScanner's tolerance counts the CPUs that ran, so a big idle host does not hide a busy process", () => {
  using h = host(twenty);
  h.ctx.cpuCount = 64;
  h.ctx.busyCpus = 64;
  h.step(0, 0);
  h.step(1000, 0);
  // every CPU ran something: 64 × 3 ticks of rounding allowed, 150 unexplained ticks pass
  h.step(2000, 150);
  assert.ok(h.scanner.quiet);
  // the same 150 ticks on a host where 2 of the 64 CPUs ran: more than their rounding
  h.ctx.busyCpus = 2;
  h.step(3000, 150);
  assert.ok(!h.scanner.quiet);
  // and a CPU count of 0 (no per-CPU lines) still allows one CPU's rounding
  h.ctx.busyCpus = 0;
  h.step(4000, SHORTFALL_TICKS_PER_CPU);
  assert.ok(h.scanner.quiet);
});

Deno.test("the stat family gives the process scan the aggregate's ticks, the CPUs and those that ran", async () => {
  const { collectStat } = await import("../../collectors/_family_cpu.ts");
  const root = Deno.makeTempDirSync({ prefix: "perfscope-busy-" });
  const files = new FileCache();
  try {
    const ctx = new Context("h", root, root, files);
    const write = (cpu0: number[], cpu1: number[]) => {
      const sum = cpu0.map((v, i) => v + cpu1[i]!);
      Deno.writeTextFileSync(
        `${root}/stat`,
        `cpu  ${sum.join(" ")}\ncpu0 ${cpu0.join(" ")}\ncpu1 ${cpu1.join(" ")}\nctxt 5\n`,
      );
    };
    const snap = (ts: number) => {
      files.close(); // re-read the rewritten file
      ctx.ts = ts;
      ctx.round++;
      ctx.snap.length = 0;
      collectStat(ctx);
    };
    write([10, 0, 5, 100, 0, 1, 1, 0], [20, 0, 5, 100, 0, 0, 0, 0]);
    snap(0);
    assert.equal(ctx.cpuTicks, 10 + 20 + 5 + 5 + 1 + 1); // user + nice + system + irq + softirq
    assert.equal(ctx.cpuCount, 2);
    // cpu0 ran (system and softirq moved), cpu1 only idled
    write([10, 0, 7, 150, 0, 1, 2, 0], [20, 0, 5, 200, 0, 0, 0, 0]);
    snap(1000);
    assert.equal(ctx.busyCpus, 1);
    assert.equal(ctx.cpuTicks, 45);
    write([10, 0, 7, 250, 0, 1, 2, 0], [20, 0, 5, 300, 0, 0, 0, 0]);
    snap(2000);
    assert.equal(ctx.busyCpus, 0);
  } finally {
    files.close();
    Deno.removeSync(root, { recursive: true });
  }
});
