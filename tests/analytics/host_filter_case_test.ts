import assert from "node:assert/strict";
import { analyzeCapacity, capacityReport, lakeSource, recommend } from "../../analytics/mod.ts";
import { openLake } from "../../lake/mod.ts";
import { balanceAdvice, findMaintenanceWindow, Workflows } from "../../workflows/mod.ts";
import { main as capacityMain } from "../../cli/capacity.ts";
import { main as forecastMain } from "../../cli/forecast.ts";
import { main as maintenanceMain } from "../../cli/maintenance.ts";
import { disposableRecentHostLake } from "../_recent_host_lake.ts";
import { procSys, transition } from "../workflows/_helpers.ts";

// The lake stores host names in lower case (lake canonicalHost): a host asked for as H1, from a
// flag, a config or an API, is the host h1.

const HOUR = 3_600_000;

Deno.test("capacity, recommendations, balance and maintenance windows asked for H1 are about h1", async () => {
  await using l = await disposableRecentHostLake(48, "perfscope-host-filter-");
  const lake = await openLake({ root: l.root });
  try {
    const source = lakeSource(lake);
    const now = Math.floor(Date.now() / HOUR) * HOUR;
    const ids = (rows: { host: string; metric: string; labels: string }[]) =>
      rows.map((r) => `${r.host} ${r.metric}{${r.labels}}`);
    const lower = await capacityReport(source, { now, hosts: ["h1"] });
    assert.ok(lower.length > 0);
    assert.deepEqual(ids(await capacityReport(source, { now, hosts: ["H1"] })), ids(lower));
    const a = await analyzeCapacity(source, { now, hosts: ["H1"], bootstrap: 20 });
    assert.deepEqual(a.hosts.map((h) => h.host), ["h1"]);
    assert.deepEqual(
      (await recommend(source, { now, hosts: ["H1"] })).map((r) => r.id),
      (await recommend(source, { now, hosts: ["h1"] })).map((r) => r.id),
    );
    assert.deepEqual(
      (await balanceAdvice(source, { now, hosts: ["H1"] })).hosts.map((h) => h.host),
      ["h1"],
    );
    const w = await findMaintenanceWindow(source, { now, host: "H1", durationMs: HOUR });
    assert.equal(w.host, "h1");
    assert.doesNotMatch(w.message, /no data for host/);
  } finally {
    lake.close();
  }
});

Deno.test("capacity --hosts H1, forecast --host H1 and maintenance --host H1 read the lake's h1", async () => {
  await using l = await disposableRecentHostLake(48, "perfscope-host-flags-");
  let out = "";
  assert.equal(await capacityMain(["--data", l.root, "--hosts", "H1"], (t) => (out += t)), 0);
  const report = JSON.parse(out);
  assert.ok(report.resources.length > 0, out.slice(0, 200));
  out = "";
  const forecast = ["--metric", "memory_bytes", "--labels", "state=used", "--host", "H1"];
  assert.equal(
    await forecastMain(
      [...forecast, "--data", l.root, "--horizon", "2"],
      (t) => (out += t),
      () => {},
    ),
    0,
  );
  assert.equal(out.trim().split("\n").length, 3);
  out = "";
  assert.equal(
    await maintenanceMain(
      ["--data", l.root, "--host", "H1", "--duration", "1h", "--json"],
      (t) => (out += t),
    ),
    0,
  );
  assert.equal(JSON.parse(out).host, "h1");
});

Deno.test("local steps act for an alert on this machine when its name has capitals (Mac-Mini vs mac-mini)", async () => {
  const root = await Deno.makeTempDir();
  const sys = await procSys();
  const wf = new Workflows({
    root,
    procSys: sys,
    host: "Mac-Mini",
    workflows: [{
      name: "w",
      trigger: { alert: "Swap" },
      steps: [{ kind: "sysctl", key: "vm.swappiness", value: "10" }],
    }],
  });
  // the collector stored the machine's name in lower case, so its alerts say mac-mini
  wf.onAlerts([transition("Swap", "firing", 0, "mac-mini")]);
  await wf.idle();
  const [entry] = await wf.audit.read();
  assert.equal(entry!.outcome, "advice", entry!.detail);
});
