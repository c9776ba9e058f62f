import assert from "node:assert/strict";
import { parseNetDev } from "../../collectors/parse_net_dev.ts";
import { parseNetSnmp } from "../../collectors/parse_net_snmp.ts";
import { readFixture } from "./_util.ts";

Deno.test("parseNetDev() reads every interface of the captured /proc/net/dev", () => {
  const text = readFixture("proc/linux-6.18/t0/net/dev");
  const devs = parseNetDev(text);
  assert.equal(devs.length, text.trim().split("\n").length - 2);
  const eth0 = devs.find((d) => d.interface === "eth0")!;
  const f = text.split("\n").find((l) => l.includes("eth0:"))!.split(":")[1]!.trim().split(/\s+/);
  assert.equal(eth0.rxBytes, Number(f[0]));
  assert.equal(eth0.txPackets, Number(f[9]));
});

Deno.test("parseNetDev() handles a name glued to a huge counter and skips short lines", () => {
  const devs = parseNetDev(readFixture("proc/linux-4.9/net/dev"));
  assert.deepEqual(devs.map((d) => d.interface), ["lo", "eth0"]);
  assert.equal(devs[1]!.rxBytes, 2 ** 64);
  assert.equal(devs[1]!.rxDrops, 2);
  assert.deepEqual(parseNetDev(""), []);
  assert.deepEqual(parseNetDev(": 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n"), []);
});

Deno.test("parseNetSnmp() pairs header and value lines of the captured file", () => {
  const text = readFixture("proc/linux-6.18/t0/net/snmp");
  const s = parseNetSnmp(text);
  const [head, row] = text.split("\n").filter((l) => l.startsWith("Tcp:"));
  const heads = head!.split(/\s+/).slice(1);
  const values = row!.split(/\s+/).slice(1);
  assert.equal(s.get("Tcp")?.get("CurrEstab"), Number(values[heads.indexOf("CurrEstab")]));
  assert.ok(s.has("Udp") && s.has("Ip") && s.has("IcmpMsg"));
});

Deno.test("parseNetSnmp() skips unpaired headers and non-numeric values", () => {
  const s = parseNetSnmp("Tcp: A B\nUdp: C\nUdp: 5\nIp: X Y\nIp: 1 y\nnocolon\n");
  assert.equal(s.has("Tcp"), false);
  assert.equal(s.get("Udp")?.get("C"), 5);
  assert.deepEqual([...s.get("Ip")!.keys()], ["X"]);
  assert.equal(parseNetSnmp("").size, 0);
});
