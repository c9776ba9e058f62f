import assert from "node:assert/strict";
import { parseLoadAvg } from "../../collectors/parse_load_avg.ts";
import { parseMeminfo } from "../../collectors/parse_meminfo.ts";
import { parsePressure } from "../../collectors/parse_pressure.ts";
import { parseVmstat } from "../../collectors/parse_vmstat.ts";
import { readFixture } from "./_util.ts";

Deno.test("parseLoadAvg() reads the captured /proc/loadavg", () => {
  const text = readFixture("proc/linux-6.18/t0/loadavg");
  const [a, b, c] = text.split(" ").map(Number);
  const l = parseLoadAvg(text);
  assert.deepEqual([l.load1, l.load5, l.load15], [a, b, c]);
  assert.ok(l.total >= l.running);
});

Deno.test("parseLoadAvg() throws a SyntaxError on empty or malformed text", () => {
  assert.throws(() => parseLoadAvg(""), SyntaxError);
  assert.throws(() => parseLoadAvg("0.1 x 0.3 1/2 3"), /Invalid \/proc\/loadavg/);
  const short = parseLoadAvg("0.1 0.2 0.3");
  assert.ok(Number.isNaN(short.running));
});

Deno.test("parsePressure() reads some and full totals of the captured files", () => {
  for (const r of ["cpu", "memory", "io"]) {
    const text = readFixture(`proc/linux-6.18/t0/pressure/${r}`);
    const p = parsePressure(text);
    assert.equal(p.some, Number(text.match(/^some .*total=(\d+)/m)![1]));
    assert.equal(p.full, Number(text.match(/^full .*total=(\d+)/m)![1]));
  }
});

Deno.test("parsePressure() skips lines without a numeric total", () => {
  assert.deepEqual(parsePressure(""), {});
  assert.deepEqual(parsePressure("some avg10=1\nfull total=x\nother total=5\n"), {});
});

Deno.test("parseMeminfo() converts kB to bytes for the captured file", () => {
  const text = readFixture("proc/linux-6.18/t0/meminfo");
  const m = parseMeminfo(text);
  assert.equal(m.get("MemTotal"), Number(text.match(/^MemTotal:\s+(\d+) kB/m)![1]) * 1024);
  assert.equal(m.get("HugePages_Total"), Number(text.match(/^HugePages_Total:\s+(\d+)/m)![1]));
});

Deno.test("parseMeminfo() reads an old kernel without MemAvailable", () => {
  const m = parseMeminfo(readFixture("proc/linux-4.9/meminfo"));
  assert.equal(m.has("MemAvailable"), false);
  assert.equal(m.get("MemFree"), 512840 * 1024);
});

Deno.test("parseMeminfo() skips malformed lines and empty values", () => {
  assert.equal(parseMeminfo("").size, 0);
  assert.equal(parseMeminfo("NoColon 5\n:5\nEmpty:\nBad: x kB\nUnit: kB\n").size, 0);
});

Deno.test("parseVmstat() reads the captured /proc/vmstat", () => {
  const text = readFixture("proc/linux-6.18/t0/vmstat");
  const v = parseVmstat(text);
  assert.equal(v.size, text.trim().split("\n").length);
  assert.equal(v.get("pgfault"), Number(text.match(/^pgfault (\d+)$/m)![1]));
});

Deno.test("parseVmstat() skips malformed lines", () => {
  assert.equal(parseVmstat("a\n b\nc \nd x\n").size, 0);
});
