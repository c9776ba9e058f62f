import assert from "node:assert/strict";
import { createSampler } from "../../collectors/create_sampler.ts";
import type { Sample } from "../../collectors/sample.ts";
import { find } from "./_util.ts";

function stat(pid: number, name: string, ticks: number, rss: number, start = 100): string {
  return `${pid} (${name}) S 1 ${pid} ${pid} 0 -1 0 0 0 0 0 ${ticks} 0 0 0 20 0 1 0 ${start} ` +
    `1000 ${rss} 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n`;
}

function put(root: string, pid: number, text: string): void {
  Deno.mkdirSync(`${root}/${pid}`, { recursive: true });
  Deno.writeTextFileSync(`${root}/${pid}/stat`, text);
}

function top(s: Sample[], rank: string): [string | undefined, string | undefined, number][] {
  return s.filter((x) => x.metric === "process_cpu_ratio" && x.labels.rank_by === rank)
    .map((x) => [x.labels.pid, x.labels.name, x.value]);
}

Deno.test("createSampler() reads every process at full scans and only the ranked ones between", () => {
  const root = Deno.makeTempDirSync({ prefix: "perfscope-proc-" });
  let clock = 0;
  try {
    put(root, 10, stat(10, "ten", 100, 5));
    put(root, 20, stat(20, "twenty", 0, 9));
    using sampler = createSampler({ procRoot: root, sysRoot: root, now: () => clock, topN: 1 });
    let s = sampler.sample();
    assert.deepEqual(top(s, "cpu"), []);
    put(root, 10, stat(10, "ten", 150, 5));
    put(root, 20, stat(20, "twenty", 10, 9));
    clock = 1000;
    s = sampler.sample(); // the second snapshot is a full scan too: CPU ranks from it on
    assert.deepEqual(top(s, "cpu"), [["10", "ten", 0.5]]);
    assert.deepEqual(top(s, "memory").map((r) => r[0]), ["20"]);
    put(root, 30, stat(30, "thirty", 0, 1));
    put(root, 10, stat(10, "ten", 160, 5));
    put(root, 20, stat(20, "twenty", 310, 9));
    clock = 2000;
    s = sampler.sample(); // between full scans: the ranked 10 and 20 are read and re-ranked
    assert.equal(find(s, "processes_total")!.value, 2);
    assert.deepEqual(top(s, "cpu"), [["20", "twenty", 3]]);
    put(root, 10, stat(10, "ten", 1000, 5));
    clock = 3000;
    s = sampler.sample(); // 10 is no longer ranked, so its burst is not seen yet
    assert.deepEqual(top(s, "cpu"), [["20", "twenty", 0]]);
    clock = 6000;
    s = sampler.sample(); // full scan: 30 is found, 10's CPU covers the 4 s since its last read
    assert.equal(find(s, "processes_total")!.value, 3);
    assert.deepEqual(top(s, "cpu"), [["10", "ten", 2.1]]);
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});

Deno.test("createSampler() leaves ranked processes that were idle until the next full scan", () => {
  const root = Deno.makeTempDirSync({ prefix: "perfscope-proc-" });
  let clock = 0;
  try {
    put(root, 10, stat(10, "busy", 100, 5));
    put(root, 20, stat(20, "idle", 7, 900));
    using sampler = createSampler({ procRoot: root, sysRoot: root, now: () => clock, topN: 2 });
    sampler.sample();
    put(root, 10, stat(10, "busy", 200, 5));
    clock = 1000;
    let s = sampler.sample(); // full scan: both ranked, 20 at 0 CPU
    assert.deepEqual(top(s, "cpu"), [["10", "busy", 1], ["20", "idle", 0]]);
    assert.deepEqual(top(s, "memory").map((r) => r[0]), ["20", "10"]);
    put(root, 10, stat(10, "busy", 250, 5));
    put(root, 20, stat(20, "idle", 57, 950)); // it woke up, but it is not read before the full scan
    clock = 2000;
    s = sampler.sample();
    assert.deepEqual(top(s, "cpu"), [["10", "busy", 0.5]]);
    assert.deepEqual(top(s, "memory").map((r) => r[0]), ["10"]);
    clock = 6000;
    s = sampler.sample(); // full scan: 20's CPU covers the 5 s since its last read
    assert.deepEqual(top(s, "cpu"), [["20", "idle", 0.1], ["10", "busy", 0]]);
    assert.equal(find(s, "process_rss_bytes", { pid: "20", rank_by: "memory" })!.value, 950 * 4096);
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});

Deno.test("createSampler() drops exited processes, renames on exec and restarts a reused pid", () => {
  const root = Deno.makeTempDirSync({ prefix: "perfscope-proc-" });
  let clock = 0;
  try {
    put(root, 10, stat(10, "bash", 100, 5));
    put(root, 11, stat(11, "gone", 100, 5));
    put(root, 12, stat(12, "a (b) c", 100, 7));
    using sampler = createSampler({
      procRoot: root,
      sysRoot: root,
      now: () => clock,
      processListMs: 0,
    });
    sampler.sample();
    Deno.removeSync(`${root}/11`, { recursive: true });
    put(root, 10, stat(10, "make", 120, 5));
    put(root, 12, stat(12, "a (b) c", 130, 7, 999));
    clock = 1000;
    const s = sampler.sample();
    assert.equal(find(s, "processes_total")!.value, 2);
    assert.deepEqual(top(s, "cpu"), [["10", "make", 0.2]]);
    const mem = top(s, "memory");
    assert.deepEqual(mem.map((r) => r[1]), ["a (b) c", "make"]);
    assert.ok(Number.isNaN(mem[0]![2]));
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});

Deno.test("createSampler() skips malformed and truncated process stat files", () => {
  const root = Deno.makeTempDirSync({ prefix: "perfscope-proc-" });
  try {
    put(root, 10, stat(10, "ok", 1, 5));
    put(root, 11, "11 (x) S 1 2 3\n");
    put(root, 12, "not a stat line\n");
    put(root, 13, stat(13, "bad", 1, 5).replace(" 5 1844", " x 1844"));
    put(root, 14, "(y) S 1 2\n");
    put(root, 15, stat(15, "empty-field", 1, 5).replace(" 1 0 100 ", " 1 0  "));
    using sampler = createSampler({ procRoot: root, sysRoot: root });
    const s = sampler.sample();
    assert.equal(find(s, "processes_total")!.value, 1);
    assert.deepEqual(top(s, "memory").map((r) => r[1]), ["ok"]);
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});

Deno.test("createSampler() rejects a negative processListMs", () => {
  assert.throws(() => createSampler({ processListMs: -1 }), /Invalid processListMs: -1/);
});

Deno.test("createSampler() labels top processes with their command line, read once per process", () => {
  const root = Deno.makeTempDirSync({ prefix: "perfscope-proc-" });
  let clock = 0;
  try {
    const cmdline = (pid: number, args: string[]) =>
      Deno.writeTextFileSync(`${root}/${pid}/cmdline`, args.map((a) => a + "\0").join(""));
    put(root, 10, stat(10, "deno", 100, 5));
    cmdline(10, ["deno", "run", "-A", "cli/serve.ts", "--token=abc", "a\nb"]);
    put(root, 20, stat(20, "deno", 100, 9));
    cmdline(20, ["deno", "test", "x".repeat(300)]);
    put(root, 30, stat(30, "kthreadd", 100, 1));
    cmdline(30, []);
    using sampler = createSampler({ procRoot: root, sysRoot: root, now: () => clock, topN: 3 });
    sampler.sample();
    for (const pid of [10, 20, 30]) {
      put(root, pid, stat(pid, pid === 30 ? "kthreadd" : "deno", 200, 5));
    }
    clock = 1000;
    const s = sampler.sample();
    const command = (pid: string) =>
      s.find((x) => x.metric === "process_cpu_ratio" && x.labels.pid === pid)?.labels.command;
    assert.equal(command("10"), "deno run -A cli/serve.ts --token=*** a b");
    assert.equal(command("20")!.length, 160);
    assert.ok(command("20")!.endsWith("…"));
    assert.equal(command("30"), "kthreadd"); // a kernel thread has no command line
    // The command line is not read again for a process already labelled.
    cmdline(10, ["changed"]);
    clock = 2000;
    for (const pid of [10, 20, 30]) {
      put(root, pid, stat(pid, pid === 30 ? "kthreadd" : "deno", 300, 5));
    }
    const later = sampler.sample();
    assert.equal(
      later.find((x) => x.metric === "process_cpu_ratio" && x.labels.pid === "10")?.labels.command,
      "deno run -A cli/serve.ts --token=*** a b",
    );
    // A pid reused by a new process (another start time) gets the new command line.
    put(root, 10, stat(10, "deno", 0, 5, 999));
    cmdline(10, ["deno", "fmt"]);
    clock = 10_000;
    sampler.sample();
    put(root, 10, stat(10, "deno", 400, 5, 999));
    clock = 11_000;
    const reused = sampler.sample();
    assert.equal(
      reused.find((x) => x.metric === "process_rss_bytes" && x.labels.pid === "10")?.labels.command,
      "deno fmt",
    );
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});
