import assert from "node:assert/strict";
import { parseProcStat } from "../../collectors/parse_proc_stat.ts";
import { readFixture } from "./_util.ts";

Deno.test("parseProcStat() reads this machine's captured /proc/stat", () => {
  const text = readFixture("proc/linux-6.18/t0/stat");
  const s = parseProcStat(text);
  const cpuLines = text.split("\n").filter((l) => /^cpu\d+ /.test(l)).length;
  assert.equal(s.cpus.length, cpuLines + 1);
  assert.equal(s.cpus[0]!.cpu, "total");
  const ctxt = Number(text.match(/^ctxt (\d+)$/m)![1]);
  assert.equal(s.contextSwitches, ctxt);
  assert.ok(s.interrupts > 0 && s.softirqs > 0 && s.forks > 0);
  assert.ok(s.procsRunning >= 1);
  assert.equal(s.procsBlocked, Number(text.match(/^procs_blocked (\d+)$/m)![1]));
});

Deno.test("parseProcStat() reads an old kernel without steal and guest columns as zero steal", () => {
  const s = parseProcStat(readFixture("proc/linux-4.9/stat"));
  assert.equal(s.cpus.length, 5);
  assert.equal(s.cpus[3]!.cpu, "2");
  assert.equal(s.cpus[0]!.steal, 0);
  assert.equal(s.cpus[0]!.softirq, 25195);
});

Deno.test("parseProcStat() fills missing iowait, irq and softirq columns with zero", () => {
  const s = parseProcStat("cpu 1 2 3 4\n");
  assert.deepEqual(s.cpus[0], {
    cpu: "total",
    user: 1,
    nice: 2,
    system: 3,
    idle: 4,
    iowait: 0,
    irq: 0,
    softirq: 0,
    steal: 0,
  });
  assert.ok(Number.isNaN(s.contextSwitches));
});

Deno.test("parseProcStat() skips malformed cpu lines and unknown keys", () => {
  const s = parseProcStat("cpu 1 2 3 4 5\ncpu0 1 x 3 4\ncpux 1 2 3 4\ncpu1 1 2\nfoo 1\nnospace\n");
  assert.equal(s.cpus.length, 1);
});

Deno.test("parseProcStat() throws a SyntaxError on an empty file", () => {
  assert.throws(() => parseProcStat(""), SyntaxError);
  assert.throws(() => parseProcStat("cpu0 1 2 3 4\n"), /no cpu summary line/);
});

Deno.test("parseProcStat() keeps huge counters as numbers", () => {
  const s = parseProcStat("cpu 18446744073709551615 0 0 0\nctxt 18446744073709551615\n");
  assert.equal(s.cpus[0]!.user, 18446744073709551615);
  assert.equal(s.contextSwitches, 2 ** 64);
});
