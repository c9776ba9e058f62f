import assert from "node:assert/strict";
import {
  createSampler,
  type Sampler,
  type SamplerOptions,
} from "../../collectors/create_sampler.ts";
import type { Sample } from "../../collectors/sample.ts";
import { find, pidStat } from "./_util.ts";

function put(root: string, pid: number, text: string): void {
  Deno.mkdirSync(`${root}/${pid}`, { recursive: true });
  Deno.writeTextFileSync(`${root}/${pid}/stat`, text);
}

/** A temporary proc root, and the clock a sampler over it reads (the test moves it). */
interface ProcRoot {
  root: string;
  clock: number;
}

/** Runs `body` on a new empty proc root, then removes it. */
function withProc(body: (p: ProcRoot) => void): void {
  const root = Deno.makeTempDirSync({ prefix: "perfscope-proc-" });
  try {
    body({ root, clock: 0 });
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
}

/** A sampler over `p` (proc and sys roots) on its clock. */
function samplerOn(p: ProcRoot, options: SamplerOptions): Sampler {
  return createSampler({ procRoot: p.root, sysRoot: p.root, now: () => p.clock, ...options });
}

function top(s: Sample[], rank: string): [string | undefined, string | undefined, number][] {
  return s.filter((x) => x.metric === "process_cpu_ratio" && x.labels.rank_by === rank)
    .map((x) => [x.labels.pid, x.labels.name, x.value]);
}

Deno.test("createSampler() reads every process twice at start, then candidates, new processes and a rotation", () => {
  withProc((p) => {
    for (const pid of [10, 20, 30, 40]) put(p.root, pid, pidStat(pid, `p${pid}`, 0, pid));
    using sampler = samplerOn(p, { topN: 1, processReadsPerSnapshot: 1, processListMs: 5000 });
    let s = sampler.sample();
    assert.deepEqual(top(s, "cpu"), []); // no rates yet
    put(p.root, 10, pidStat(10, "p10", 100, 10));
    p.clock = 1000;
    s = sampler.sample(); // the second snapshot reads everything too: CPU ranks from it on
    assert.deepEqual(top(s, "cpu"), [["10", "p10", 1]]);
    assert.deepEqual(top(s, "memory").map((r) => r[0]), ["40"]);
    // 30 wakes up with a burst: it is idle at its last read, so only the rotation (one read
    // per snapshot) finds it, within four snapshots, with its CPU over the whole time since
    put(p.root, 30, pidStat(30, "p30", 2000, 30));
    let found = 0;
    for (let i = 2; i <= 6 && !found; i++) {
      put(p.root, 10, pidStat(10, "p10", 100 * i, 10));
      p.clock = i * 1000;
      s = sampler.sample();
      if (top(s, "cpu")[0]?.[0] === "30") found = i;
    }
    assert.ok(found >= 2 && found <= 5, `found at ${found}`);
    const [[, , ratio]] = top(s, "cpu") as [[string, string, number]];
    assert.equal(ratio, 20 / (found - 1));
    // a new process is found by the next listing and read twice, so it ranks at once
    put(p.root, 50, pidStat(50, "p50", 0, 1));
    p.clock = 7000;
    s = sampler.sample();
    assert.equal(find(s, "processes_total")!.value, 5);
    put(p.root, 50, pidStat(50, "p50", 500, 1));
    p.clock = 8000;
    s = sampler.sample();
    assert.deepEqual(top(s, "cpu"), [["50", "p50", 5]]);
  });
});

Deno.test("createSampler() keeps idle ranked processes with their last values and re-reads busy ones", () => {
  withProc((p) => {
    put(p.root, 10, pidStat(10, "busy", 100, 5));
    put(p.root, 20, pidStat(20, "idle", 7, 900));
    using sampler = samplerOn(p, { topN: 2, processReadsPerSnapshot: 0 });
    sampler.sample();
    put(p.root, 10, pidStat(10, "busy", 200, 5));
    p.clock = 1000;
    let s = sampler.sample();
    assert.deepEqual(top(s, "cpu"), [["10", "busy", 1], ["20", "idle", 0]]);
    assert.deepEqual(top(s, "memory").map((r) => r[0]), ["20", "10"]);
    put(p.root, 10, pidStat(10, "busy", 250, 5));
    put(p.root, 20, pidStat(20, "idle", 57, 950)); // it woke up, but idle at its last read: not read
    p.clock = 2000;
    s = sampler.sample();
    assert.deepEqual(top(s, "cpu"), [["10", "busy", 0.5], ["20", "idle", 0]]);
    assert.equal(find(s, "process_rss_bytes", { pid: "20", rank_by: "memory" })!.value, 900 * 4096);
  });
});

Deno.test("createSampler() drops exited processes, renames on exec and restarts a reused pid", () => {
  withProc((p) => {
    put(p.root, 10, pidStat(10, "bash", 100, 5));
    put(p.root, 11, pidStat(11, "gone", 100, 5));
    put(p.root, 12, pidStat(12, "a (b) c", 100, 7));
    using sampler = samplerOn(p, { processListMs: 0 });
    sampler.sample();
    Deno.removeSync(`${p.root}/11`, { recursive: true });
    put(p.root, 10, pidStat(10, "make", 120, 5));
    put(p.root, 12, pidStat(12, "a (b) c", 130, 7, 999));
    p.clock = 1000;
    const s = sampler.sample();
    assert.equal(find(s, "processes_total")!.value, 2);
    assert.deepEqual(top(s, "cpu"), [["10", "make", 0.2]]);
    const mem = top(s, "memory");
    assert.deepEqual(mem.map((r) => r[1]), ["a (b) c", "make"]);
    assert.ok(Number.isNaN(mem[0]![2]));
  });
});

Deno.test("createSampler() skips malformed and truncated process stat files", () => {
  withProc((p) => {
    put(p.root, 10, pidStat(10, "ok", 1, 5));
    put(p.root, 11, "11 (x) S 1 2 3\n");
    put(p.root, 12, "not a stat line\n");
    put(p.root, 13, pidStat(13, "bad", 1, 5).replace(" 5 1844", " x 1844"));
    put(p.root, 14, "(y) S 1 2\n");
    put(p.root, 15, pidStat(15, "empty-field", 1, 5).replace(" 1 0 100 ", " 1 0  "));
    using sampler = createSampler({ procRoot: p.root, sysRoot: p.root });
    const s = sampler.sample();
    assert.equal(find(s, "processes_total")!.value, 1);
    assert.deepEqual(top(s, "memory").map((r) => r[1]), ["ok"]);
  });
});

Deno.test("createSampler() rejects a negative processListMs", () => {
  assert.throws(() => createSampler({ processListMs: -1 }), /Invalid processListMs: -1/);
});

Deno.test("createSampler() labels top processes with their command line, read once per process", () => {
  withProc((p) => {
    const cmdline = (pid: number, args: string[]) =>
      Deno.writeTextFileSync(`${p.root}/${pid}/cmdline`, args.map((a) => a + "\0").join(""));
    put(p.root, 10, pidStat(10, "deno", 100, 5));
    cmdline(10, ["deno", "run", "-A", "cli/serve.ts", "--token=abc", "a\nb"]);
    put(p.root, 20, pidStat(20, "deno", 100, 9));
    cmdline(20, ["deno", "test", "x".repeat(300)]);
    put(p.root, 30, pidStat(30, "kthreadd", 100, 1));
    cmdline(30, []);
    using sampler = samplerOn(p, { topN: 3 });
    sampler.sample();
    for (const pid of [10, 20, 30]) {
      put(p.root, pid, pidStat(pid, pid === 30 ? "kthreadd" : "deno", 200, 5));
    }
    p.clock = 1000;
    const s = sampler.sample();
    const command = (pid: string) =>
      s.find((x) => x.metric === "process_cpu_ratio" && x.labels.pid === pid)?.labels.command;
    assert.equal(command("10"), "deno run -A cli/serve.ts --token=*** a b");
    assert.equal(command("20")!.length, 160);
    assert.ok(command("20")!.endsWith("…"));
    assert.equal(command("30"), "kthreadd"); // a kernel thread has no command line
    // The command line is not read again for a process already labelled.
    cmdline(10, ["changed"]);
    p.clock = 2000;
    for (const pid of [10, 20, 30]) {
      put(p.root, pid, pidStat(pid, pid === 30 ? "kthreadd" : "deno", 300, 5));
    }
    const later = sampler.sample();
    assert.equal(
      later.find((x) => x.metric === "process_cpu_ratio" && x.labels.pid === "10")?.labels.command,
      "deno run -A cli/serve.ts --token=*** a b",
    );
    // A pid reused by a new process (another start time) gets the new command line.
    put(p.root, 10, pidStat(10, "deno", 0, 5, 999));
    cmdline(10, ["deno", "fmt"]);
    p.clock = 10_000;
    sampler.sample();
    put(p.root, 10, pidStat(10, "deno", 400, 5, 999));
    p.clock = 11_000;
    const reused = sampler.sample();
    assert.equal(
      reused.find((x) => x.metric === "process_rss_bytes" && x.labels.pid === "10")?.labels.command,
      "deno fmt",
    );
  });
});

Deno.test("listPids() lists the same pids by getdents64 as by Deno.readDirSync", async () => {
  const { listPids, PidList } = await import("../../collectors/_list_pids.ts");
  withProc((p) => {
    for (let pid = 1; pid <= 3000; pid += 7) Deno.mkdirSync(`${p.root}/${pid}`);
    Deno.mkdirSync(`${p.root}/net`);
    Deno.mkdirSync(`${p.root}/12a`);
    Deno.writeTextFileSync(`${p.root}/stat`, "");
    const a = new PidList();
    const b = new PidList();
    listPids(p.root, a, true);
    listPids(p.root, b, false);
    const sorted = (l: InstanceType<typeof PidList>) =>
      [...l.ids.subarray(0, l.count)].sort((x, y) => x - y);
    assert.equal(a.count, 429);
    assert.deepEqual(sorted(a), sorted(b));
    assert.throws(() => listPids(`${p.root}/none`, a, true), /Cannot list/);
  });
});

Deno.test("createSampler() rejects a negative processReadsPerSnapshot", () => {
  assert.throws(
    () => createSampler({ processReadsPerSnapshot: -1 }),
    /Invalid processReadsPerSnapshot: -1/,
  );
});

Deno.test("createSampler() reads stat lines without a final newline, or with a newline among the fields, as before", () => {
  withProc((p) => {
    put(p.root, 10, pidStat(10, "plain", 1, 5));
    // ends right after rss: no space, no newline (the end of the file ends the field)
    put(p.root, 11, pidStat(11, "short", 1, 6).replace(/ 18446744073709551615 .*$/s, ""));
    // a newline where a space belongs (fields are split on both)
    put(p.root, 12, pidStat(12, "split", 1, 7).replace(" 20 0 1 0 ", " 20 0\n1 0 "));
    using sampler = createSampler({ procRoot: p.root, sysRoot: p.root, topN: 3 });
    const mem = sampler.sample().filter((x) =>
      x.metric === "process_rss_bytes" && x.labels.rank_by === "memory"
    ).map((x) => [x.labels.name, x.value]);
    assert.deepEqual(mem, [["split", 7 * 4096], ["short", 6 * 4096], ["plain", 5 * 4096]]);
  });
});

// Regression: any local user names a process (prctl PR_SET_NAME, 15 bytes) and may empty its
// command line; the name went into the `name` and `command` labels with its escape sequences,
// which `perfscope query` then printed to the terminal (window title, colours) and which broke
// table rows and log lines.
Deno.test("createSampler() labels a process named with control characters with spaces in their place", () => {
  withProc((p) => {
    const evil = "\x1b]0;pwn\x07\u009b1m\nx";
    put(p.root, 10, pidStat(10, evil, 100, 5));
    Deno.writeTextFileSync(`${p.root}/10/cmdline`, "");
    using sampler = samplerOn(p, { topN: 3 });
    sampler.sample();
    put(p.root, 10, pidStat(10, evil, 200, 5));
    p.clock = 1000;
    const labels = sampler.sample().find((x) => x.metric === "process_cpu_ratio")?.labels;
    assert.equal(labels?.name, " ]0;pwn  1m x");
    assert.equal(labels?.command, " ]0;pwn  1m x");
  });
});

// A process named `<RLO>gnp.exe` showed as `exe.png` wherever its label was printed; the lake
// refuses bidi controls in pushed labels, and the collector keeps the name with a space instead.
Deno.test("createSampler() labels a process named with bidi controls with spaces in their place", () => {
  withProc((p) => {
    const evil = "\u202egnp.exe\u2068";
    put(p.root, 10, pidStat(10, evil, 100, 5));
    Deno.writeTextFileSync(`${p.root}/10/cmdline`, "\u2067sh\u0000-c\u0000\u2028x\u200d");
    using sampler = samplerOn(p, { topN: 3 });
    sampler.sample();
    put(p.root, 10, pidStat(10, evil, 200, 5));
    p.clock = 1000;
    const labels = sampler.sample().find((x) => x.metric === "process_cpu_ratio")?.labels;
    assert.equal(labels?.name, " gnp.exe ");
    assert.equal(labels?.command, " sh -c  x\u200d");
  });
});
