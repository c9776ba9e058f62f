import assert from "node:assert/strict";
import { parsePidStat } from "../../collectors/parse_pid_stat.ts";
import { readFixture } from "./_util.ts";

Deno.test("parsePidStat() reads captured process stat files", () => {
  const text = readFixture("proc/linux-6.18/t0/1/stat");
  const s = parsePidStat(text);
  const f = text.slice(text.lastIndexOf(")") + 2).split(" ");
  assert.equal(s.pid, 1);
  assert.equal(s.utime, Number(f[11]));
  assert.equal(s.rssPages, Number(f[21]));
});

Deno.test("parsePidStat() keeps names with spaces and parentheses", () => {
  assert.equal(parsePidStat(readFixture("proc/linux-4.9/300/stat")).name, "tmux: server");
  const odd = parsePidStat(readFixture("proc/linux-4.9/301/stat"));
  assert.equal(odd.name, "a) b)");
  assert.equal(odd.state, "R");
  assert.equal(odd.rssPages, 250000);
});

Deno.test("parsePidStat() throws a SyntaxError on malformed or truncated lines", () => {
  assert.throws(() => parsePidStat(""), SyntaxError);
  assert.throws(() => parsePidStat(readFixture("proc/linux-4.9/303/stat")), /Invalid pid stat/);
  assert.throws(() => parsePidStat("1 (x) S 1 2 3"), SyntaxError);
});
