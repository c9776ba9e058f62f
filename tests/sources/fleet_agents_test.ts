/**
 * Twenty agents remote-writing into one VictoriaMetrics, then the fleet's report and Capacity
 * page from what they wrote. The agents are four child processes of five agents each (a lake
 * root, a spool and a `RemoteWriteSender` per agent, with its `host` and its external labels):
 * several processes and twenty `host` labels, as a fleet sends, on two cores. Twenty `collect`
 * children would send only seconds of live data, from which no capacity trend can be drawn, and
 * would take both cores for their start; these agents spool three days of the synthetic fleet's
 * series (a snapshot every 30 minutes) and send them through the same sender and wire format.
 */
import assert from "node:assert/strict";
import type { CapacityAnalysis, HostGroup } from "../../analytics/mod.ts";
import { missing } from "../_skip.ts";
import { startServe } from "../_serve.ts";
import { startVictoriaMetrics } from "../export/_engines.ts";
import { fleetFill, fleetHost, fleetLabels } from "./_fleet.ts";

const repo = new URL("../..", import.meta.url).pathname;
const HOSTS = 20;
const PROCESSES = 4;
const STEP = 1_800_000;
const DAYS = 3;
// the fleet ends now: serve's source discovers series within its look-back of the clock
const END = Math.floor(Date.now() / STEP) * STEP;

Deno.test({
  name:
    "twenty agents in four processes remote-write into VictoriaMetrics, and the report and /api/capacity from it rank the twenty hosts",
  ignore: missing("victoria-metrics", "the fleet agents test"),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const vm = await startVictoriaMetrics();
    try {
      // 1. the agents: host i runs in process i % 4
      const children = Array.from({ length: PROCESSES }, (_, p) => {
        const hosts = Array.from({ length: HOSTS }, (_, i) => i).filter((i) => i % PROCESSES === p);
        return new Deno.Command(Deno.execPath(), {
          args: [
            "run",
            "-A",
            `${repo}tests/sources/_fleet_agents.ts`,
            vm.writeUrl,
            String(END),
            String(DAYS),
            String(STEP),
            ...hosts.map(String),
          ],
          cwd: repo,
          stdin: "null",
          stdout: "piped",
          stderr: "piped",
        }).output();
      });
      const outputs = await Promise.all(children);
      const perPoint = 8; // series a host sends at each step (see syntheticFleet)
      for (const out of outputs) {
        assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
        assert.equal(new TextDecoder().decode(out.stderr), "", "no sender complained");
        const { hosts, samples } = JSON.parse(new TextDecoder().decode(out.stdout));
        assert.equal(hosts.length, HOSTS / PROCESSES);
        for (const n of samples) assert.equal(n, perPoint * DAYS * 48);
      }
      await (await fetch(`${vm.base}/internal/force_flush`)).body?.cancel();
      // an explicit range: without one VictoriaMetrics lists the series of the current UTC day
      // only, which just after midnight holds some of the hosts or none
      const range = `&start=${(END - DAYS * 86_400_000) / 1000}&end=${END / 1000 + 60}`;
      const series = await (await fetch(
        `${vm.base}/api/v1/series?match[]=${encodeURIComponent("perfscope_rss_bytes")}${range}`,
      )).json();
      const seen = (series.data as Record<string, string>[]).map((m) => m.host).sort();
      assert.deepEqual(seen, Array.from({ length: HOSTS }, (_, i) => fleetHost(i)));
      // every tenth host's /var fills up, host 0 the fastest: they lead any ranking
      const filling = Array.from({ length: HOSTS }, (_, i) => i).filter((i) => fleetFill(i) > 0.9)
        .map((i) => fleetHost(i));

      // 2. the report CLI, a child process as people run it, reading the fleet's TSDB
      const out = `${Deno.makeTempDirSync()}/fleet.html`;
      const report = await new Deno.Command(Deno.execPath(), {
        args: [
          "task",
          "--quiet",
          "report",
          "--source",
          vm.base,
          "--now",
          new Date(END).toISOString(),
          "--bootstrap",
          "50",
          "--out",
          out,
        ],
        cwd: repo,
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.equal(report.code, 0, new TextDecoder().decode(report.stderr));
      const html = Deno.readTextFileSync(out);
      assert.match(html, new RegExp(`${HOSTS * 3} resources on ${HOSTS} hosts:`));
      // the ranking table: a numbered row per resource, the filling /var volumes first
      const rows = [
        ...html.matchAll(
          /<td class="num">(\d+)<\/td><td><a href="#res-[^"]+"><bdi>(fleet-\d+) · ([^<]+)<\/bdi><\/a>/g,
        ),
      ];
      assert.deepEqual(rows.map((m) => Number(m[1])), rows.map((_, k) => k + 1));
      assert.equal(rows.length, 3 * HOSTS);
      assert.equal(new Set(rows.map((m) => m[2])).size, HOSTS);
      assert.deepEqual(
        rows.slice(0, filling.length).map((m) => `${m[2]} ${m[3]}`),
        filling.map((h) => `${h} filesystem /var`),
      );

      // 3. serve --source: the Capacity API and page rank the same hosts
      const data = Deno.makeTempDirSync();
      const served = await startServe(["--no-collect", "--data", data, "--source", vm.base], {
        compact: false,
      });
      try {
        let analysis: CapacityAnalysis | undefined;
        const until = Date.now() + 120_000;
        for (;;) {
          const res = await fetch(new URL("/api/capacity", served.url));
          assert.equal(res.status, 200);
          analysis = await res.json() as CapacityAnalysis;
          if (analysis.status === "ready" || Date.now() > until) break;
          await new Promise((r) => setTimeout(r, 500));
        }
        assert.equal(analysis.status, "ready");
        assert.equal(analysis.hosts.length, HOSTS);
        assert.equal(analysis.resources.length, 3 * HOSTS);
        assert.equal(new Set(analysis.resources.map((r) => r.host)).size, HOSTS);
        assert.deepEqual(
          analysis.resources.slice(0, filling.length).map((r) => `${r.host} ${r.resource}`),
          filling.map((h) => `${h} filesystem`),
        );
        // the senders' external labels group the hosts
        assert.deepEqual(analysis.hostGroups?.[fleetHost(7)], fleetLabels(7));
        const byRole = await (await fetch(new URL("/api/capacity?group=role", served.url)))
          .json() as { groups: HostGroup[] };
        for (const g of byRole.groups) {
          assert.deepEqual(
            g.hosts,
            Array.from({ length: HOSTS }, (_, i) => i)
              .filter((i) => fleetLabels(i).role === g.value).map(fleetHost),
          );
        }
        assert.equal(byRole.groups.length, 5);
        const page = await (await fetch(new URL("/capacity", served.url))).text();
        for (let i = 0; i < HOSTS; i++) {
          assert.match(page, new RegExp(`<td class="wrap">${fleetHost(i)}</td>`));
        }
      } finally {
        served.stop();
        assert.equal(await served.done, 0);
      }
    } finally {
      await vm.stop();
    }
  },
});
