import assert from "node:assert/strict";
import { main as capacity } from "../../cli/capacity.ts";
import { main as forecast } from "../../cli/forecast.ts";
import { main as maintenance } from "../../cli/maintenance.ts";
import { main as train } from "../../cli/train.ts";
import { SpoolWriter } from "../../lake/mod.ts";

/** A lake whose only rows are in the collector's spool: a collector in its first minute. */
function spooledLake(): string {
  const root = Deno.makeTempDirSync();
  const now = Date.now();
  const spool = new SpoolWriter(root, now);
  for (let i = 0; i < 40; i++) {
    spool.append([{
      ts: now - (40 - i) * 1000,
      host: "web1",
      metric: "memory_bytes",
      labels: "state=used",
      value: 1e9 + i * 1e6,
    }]);
  }
  spool.close();
  return root;
}

function collect(): [string[], (t: string) => void] {
  const out: string[] = [];
  return [out, (t) => void out.push(t)];
}

Deno.test("capacity, forecast, train and maintenance read the rows the collector has only spooled, as the web does", async () => {
  const root = spooledLake();
  const [a, toA] = collect();
  assert.equal(await capacity(["--data", root], toA), 0);
  const analysis = JSON.parse(a.join(""));
  assert.deepEqual(analysis.hosts.map((h: { host: string }) => h.host), ["web1"]);
  assert.equal(analysis.hosts[0].reason, "39 s of history; ETAs need 1 day");

  const [f, toF] = collect();
  const series = ["--data", root, "--metric", "memory_bytes", "--labels", "state=used"];
  assert.equal(await forecast([...series, "--horizon", "5"], toF, () => {}), 0);
  assert.equal(f.join("").trim().split("\n").length, 6);

  const [t, toT] = collect();
  assert.equal(await train(["--data", root, "--metric", "memory_bytes"], toT), 0);
  assert.match(t.join(""), /forecast\/web1\/memory_bytes\{state=used\}/);

  const [m, toM] = collect();
  assert.equal(await maintenance(["--data", root, "--duration", "1h"], toM), 0);
  assert.match(m.join(""), /Not enough data yet: .* on web1/);
  await Deno.remove(root, { recursive: true });
});
