import assert from "node:assert/strict";
import {
  createSampler,
  type Sampler,
  type SamplerOptions,
} from "../../collectors/create_sampler.ts";
import type { Sample } from "../../collectors/sample.ts";
import { copyTree, find, fixture, registryProblems } from "./_util.ts";
import { missing } from "../_skip.ts";

const PG = "system.slice/postgresql.service";
const DOCKER =
  "system.slice/docker-4f3a9c0e5b7d2a1f4f3a9c0e5b7d2a1f4f3a9c0e5b7d2a1f4f3a9c0e5b7d2a1f.scope";

/** The roots of a test host, and the clock its sampler reads (the test moves it). */
interface CgroupHost {
  sys: string;
  proc: string;
  cg: string;
  clock: number;
}

/** A sys root copied from a fixture, and a proc root with a diskstats naming 253:0. */
function host(tree: string): { sys: string; proc: string; cg: string } {
  const dir = Deno.makeTempDirSync({ prefix: "perfscope-cgroup-" });
  copyTree(fixture(`cgroup/${tree}`), `${dir}/sys`);
  Deno.mkdirSync(`${dir}/proc`);
  Deno.writeTextFileSync(
    `${dir}/proc/diskstats`,
    " 253       0 dm-0 6815 0 423378 4688 1648 0 1852840 3525 0 1712 8692 0 0 0 0 0 0\n",
  );
  return { sys: `${dir}/sys`, proc: `${dir}/proc`, cg: `${dir}/sys/fs/cgroup` };
}

/** Runs `body` on a {@linkcode host} from `tree`, then removes it. */
function withHost(tree: string, body: (h: CgroupHost) => void): void {
  const h = host(tree);
  try {
    body({ ...h, clock: 0 });
  } finally {
    Deno.removeSync(h.sys.slice(0, -4), { recursive: true });
  }
}

/** Runs `body` with a sampler (no process scan, no loop delay) over a host from `tree`. */
function withCgroupSampler(
  tree: string,
  options: SamplerOptions,
  body: (h: CgroupHost, sampler: Sampler) => void,
): void {
  withHost(tree, (h) => {
    using sampler = createSampler({
      procRoot: h.proc,
      sysRoot: h.sys,
      topN: 0,
      now: () => h.clock,
      loopDelay: () => 0,
      ...options,
    });
    body(h, sampler);
  });
}

/** Writes each file of `files` (paths relative to `dir`). */
function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) Deno.writeTextFileSync(`${dir}/${path}`, text);
}

function cgroupSamples(s: Sample[], cgroup: string): Sample[] {
  return s.filter((x) => x.labels.cgroup === cgroup);
}

/** The value of postgresql.service's sample of `metric` with `labels`. */
function pg(s: Sample[], metric: string, labels: Record<string, string> = {}): number {
  return find(s, metric, { cgroup: "postgresql.service", ...labels })!.value;
}

Deno.test("cgroup v2: services and containers are labelled by unit and short id, with limits and rates", () => {
  withCgroupSampler("v2", {}, (h, sampler) => {
    let s = sampler.sample();
    // leaves (postgresql, nginx, docker, session-2, init.scope); the slices have no limits
    assert.equal(find(s, "cgroups_total")!.value, 5);
    assert.equal(
      find(s, "cgroup_memory_bytes", { cgroup: "postgresql.service", state: "max" })!.value,
      1073741824,
    );
    assert.equal(
      find(s, "cgroup_memory_bytes", { cgroup: "postgresql.service", state: "current" })!.value,
      805306368,
    );
    // memory.high and memory.max of "max" are no limit: no sample
    assert.equal(
      find(s, "cgroup_memory_bytes", { cgroup: "nginx.service", state: "max" }),
      undefined,
    );
    assert.equal(find(s, "cgroup_cpu_limit_cores", { cgroup: "postgresql.service" })!.value, 2);
    assert.ok(find(s, "cgroup_memory_bytes", { cgroup: "4f3a9c0e5b7d", state: "max" }));
    assert.ok(Number.isNaN(find(s, "cgroup_cpu_ratio", { cgroup: "postgresql.service" })!.value));
    assert.deepEqual(registryProblems(s), []);
    // five seconds later: 2.5 CPU-seconds, throttling, an OOM kill, IO and pressure
    writeFiles(`${h.cg}/${PG}`, {
      "cpu.stat":
        "usage_usec 502500000\nuser_usec 0\nsystem_usec 0\nnr_periods 150\nnr_throttled 10\nthrottled_usec 500000\n",
      "memory.events": "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\noom_group_kill 0\n",
      "io.stat": "253:0 rbytes=4096000 wbytes=13312000 rios=10 wios=520 dbytes=0 dios=0\n",
      "memory.pressure":
        "some avg10=1.00 avg60=0.00 avg300=0.00 total=501000\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=500\n",
    });
    h.clock = 4000;
    s = sampler.sample();
    assert.equal(cgroupSamples(s, "postgresql.service").length, 0); // not due before 5 s
    h.clock = 5000;
    s = sampler.sample();
    assert.equal(pg(s, "cgroup_cpu_ratio"), 0.5);
    assert.equal(pg(s, "cgroup_cpu_throttled_ratio"), 0.2);
    assert.equal(pg(s, "cgroup_cpu_throttled_seconds_per_second"), 0.1);
    assert.equal(pg(s, "cgroup_memory_events_per_second", { event: "oom_kill" }), 0.2);
    assert.equal(
      pg(s, "cgroup_io_bytes_per_second", { device: "dm-0", direction: "write" }),
      1024000,
    );
    assert.equal(
      pg(s, "cgroup_io_operations_per_second", { device: "dm-0", direction: "write" }),
      100,
    );
    assert.equal(pg(s, "cgroup_pressure_stall_ratio", { resource: "memory", kind: "some" }), 0.1);
    assert.equal(pg(s, "cgroup_pressure_stall_ratio", { resource: "memory", kind: "full" }), 0);
    assert.deepEqual(registryProblems(s), []);
  });
});

Deno.test("cgroup top N keeps the busiest by CPU, memory and share of limit in turn", () => {
  withCgroupSampler("v2", { cgroupTop: 2, cgroupIntervalMs: 1000 }, (h, sampler) => {
    sampler.sample();
    // nginx burns CPU: it ranks first by CPU at the second walk
    Deno.writeTextFileSync(`${h.cg}/system.slice/nginx.service/cpu.stat`, "usage_usec 900000000\n");
    h.clock = 1000;
    const s = sampler.sample();
    const names = new Set(s.filter((x) => x.labels.cgroup).map((x) => x.labels.cgroup));
    assert.deepEqual([...names].sort(), ["nginx.service", "postgresql.service"]);
    assert.equal(find(s, "cgroups_total")!.value, 5);
  });
});

Deno.test("a cgroup that vanishes or turns unreadable mid-read is dropped and the others are read on", () => {
  const options: SamplerOptions = {
    cgroupIntervalMs: 1000,
    onError: (family, error) => assert.fail(`${family}: ${error}`),
  };
  withCgroupSampler("v2", options, (h, sampler) => {
    // nginx's memory.events cannot be read (EISDIR here, through a link to a directory;
    // ENODEV on a real cgroupfs whose cgroup was removed under an open file)
    Deno.removeSync(`${h.cg}/system.slice/nginx.service/memory.events`);
    Deno.symlinkSync("/", `${h.cg}/system.slice/nginx.service/memory.events`);
    let s = sampler.sample();
    assert.equal(cgroupSamples(s, "nginx.service").length, 0); // none half-read
    assert.ok(find(s, "cgroup_memory_bytes", { cgroup: "postgresql.service", state: "current" }));
    assert.ok(find(s, "cgroup_memory_bytes", { cgroup: "4f3a9c0e5b7d", state: "current" }));
    // the container stops: its cgroup directory goes between the walk and the next reading
    Deno.removeSync(`${h.cg}/${DOCKER}`, { recursive: true });
    h.clock = 1000;
    s = sampler.sample();
    assert.equal(cgroupSamples(s, "4f3a9c0e5b7d").length, 0);
    assert.ok(find(s, "cgroup_memory_bytes", { cgroup: "init.scope", state: "current" }));
    // nginx comes back once its file reads again; the container stays gone
    Deno.removeSync(`${h.cg}/system.slice/nginx.service/memory.events`);
    Deno.writeTextFileSync(
      `${h.cg}/system.slice/nginx.service/memory.events`,
      "oom 0\noom_kill 0\n",
    );
    h.clock = 2000;
    s = sampler.sample();
    assert.ok(find(s, "cgroup_memory_bytes", { cgroup: "nginx.service", state: "current" }));
    assert.equal(cgroupSamples(s, "4f3a9c0e5b7d").length, 0);
    h.clock = 40_000; // the next walk no longer counts it
    s = sampler.sample();
    assert.equal(find(s, "cgroups_total")!.value, 4);
  });
});

Deno.test("cgroup v1 (captured from this machine, controllers on v1 beside an empty unified tree)", () => {
  withCgroupSampler("v1-hybrid", {}, (h, sampler) => {
    let s = sampler.sample();
    assert.equal(find(s, "cgroups_total")!.value, 4);
    // process_api/<32 hex> groups: the first 12 digits; no limit (v1 prints ~2^63)
    const captured = s.filter((x) =>
      x.metric === "cgroup_memory_bytes" && x.labels.state === "current" &&
      /^[0-9a-f]{12}$/.test(x.labels.cgroup!)
    );
    assert.equal(captured.length, 3);
    assert.ok(captured.every((x) => x.value > 0));
    assert.equal(
      find(s, "cgroup_memory_bytes", { cgroup: "26fa51713bfa", state: "max" }),
      undefined,
    );
    assert.equal(
      find(s, "cgroup_memory_bytes", { cgroup: "postgresql.service", state: "max" })!.value,
      1073741824,
    );
    assert.equal(find(s, "cgroup_cpu_limit_cores", { cgroup: "postgresql.service" })!.value, 1.5);
    writeFiles(h.cg, {
      [`cpuacct/${PG}/cpuacct.usage`]: "55000000000\n",
      [`cpu/${PG}/cpu.stat`]: "nr_periods 1050\nnr_throttled 125\nthrottled_time 2500000000\n",
      [`memory/${PG}/memory.oom_control`]: "oom_kill_disable 0\nunder_oom 0\noom_kill 3\n",
      [`blkio/${PG}/blkio.throttle.io_service_bytes`]:
        "253:0 Read 9216000\n253:0 Write 8192000\nTotal 17408000\n",
    });
    h.clock = 5000;
    s = sampler.sample();
    assert.equal(pg(s, "cgroup_cpu_ratio"), 1);
    assert.equal(pg(s, "cgroup_cpu_throttled_ratio"), 0.5);
    assert.equal(pg(s, "cgroup_cpu_throttled_seconds_per_second"), 0.1);
    assert.equal(pg(s, "cgroup_memory_events_per_second", { event: "oom_kill" }), 0.2);
    assert.equal(
      pg(s, "cgroup_io_bytes_per_second", { device: "dm-0", direction: "read" }),
      1024000,
    );
    assert.deepEqual(registryProblems(s), []);
  });
});

Deno.test("cgroups are off with cgroupTop 0, absent without a hierarchy, and bad options are refused", () => {
  withHost("v2", (h) => {
    using off = createSampler({ procRoot: h.proc, sysRoot: h.sys, topN: 0, cgroupTop: 0 });
    assert.equal(off.sample().filter((x) => x.metric.startsWith("cgroup")).length, 0);
    using none = createSampler({ procRoot: h.proc, sysRoot: h.proc, topN: 0 });
    assert.equal(none.sample().filter((x) => x.metric.startsWith("cgroup")).length, 0);
  });
  assert.throws(() => createSampler({ cgroupTop: -1 }), /Invalid cgroupTop: -1/);
  assert.throws(() => createSampler({ cgroupIntervalMs: 0 }), /Invalid cgroupIntervalMs: 0/);
});

Deno.test("listSubdirs() lists the same subdirectories by getdents64 as by Deno.readDirSync", async () => {
  const { listSubdirs } = await import("../../collectors/_list_pids.ts");
  const dir = Deno.makeTempDirSync({ prefix: "perfscope-cgroup-" });
  try {
    for (const d of ["a.service", "b.scope", "ünïcode.slice"]) Deno.mkdirSync(`${dir}/${d}`);
    for (const f of ["cpu.stat", "memory.max"]) Deno.writeTextFileSync(`${dir}/${f}`, "");
    assert.deepEqual(listSubdirs(dir, true).sort(), ["a.service", "b.scope", "ünïcode.slice"]);
    assert.deepEqual(listSubdirs(dir, false).sort(), listSubdirs(dir, true).sort());
    assert.throws(() => listSubdirs(`${dir}/none`), /Cannot list/);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test({
  name:
    "a cgroup file that does not exist is not opened again at every reading, only after the next walk",
  ignore: missing("strace", "the count of the cgroup readings' failed opens"),
  async fn() {
    // The captured v1 host: its process_api groups exist only in the memory hierarchy, so their
    // cpuacct, cpu and blkio files and the unified pressure files are missing (9 a group).
    const h = host("v1-hybrid");
    const script = `
      import { createSampler } from "${
      new URL("../../collectors/create_sampler.ts", import.meta.url).href
    }";
      let clock = 0;
      const sampler = createSampler({
        procRoot: ${JSON.stringify(h.proc)}, sysRoot: ${JSON.stringify(h.sys)}, topN: 0,
        now: () => clock, loopDelay: () => 0, onError: (f, e) => { throw e; },
      });
      // readings at 0 and 5 s walk the hierarchy; those at 10 to 25 s only read
      for (let i = 0; i < 6; i++) {
        clock = i * 5000;
        try { Deno.openSync("/nonexistent-perfscope-reading-" + i); } catch { /* a marker */ }
        sampler.sample();
      }
      sampler.close();
    `;
    try {
      const out = await new Deno.Command("strace", {
        args: [
          "-f",
          "-e",
          "trace=openat",
          "-o",
          `${h.sys}/../trace`,
          Deno.execPath(),
          "eval",
          script,
        ],
        stdout: "null",
        stderr: "piped",
      }).output();
      assert.ok(out.success, new TextDecoder().decode(out.stderr));
      const trace = Deno.readTextFileSync(`${h.sys}/../trace`);
      const readings = trace.split("/nonexistent-perfscope-reading-").slice(1);
      assert.equal(readings.length, 6);
      const failed = readings.map((r) =>
        r.split("\n").filter((l) => l.includes(h.cg) && l.includes("ENOENT")).length
      );
      assert.ok(failed[0]! > 0, `the first reading tries every file: ${failed}`);
      assert.deepEqual(failed.slice(2), [0, 0, 0, 0], `failed opens per reading: ${failed}`);
    } finally {
      Deno.removeSync(h.sys.slice(0, -4), { recursive: true });
    }
  },
});
