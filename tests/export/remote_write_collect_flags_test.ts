/**
 * `deno task collect` as people run it, a real child process, with the flag form of remote
 * write: two `--remote-write` flags, one to VictoriaMetrics and one to Prometheus (its
 * remote-write receiver on), both on loopback. Every second the agent stored in its lake must
 * be in both.
 */
import assert from "node:assert/strict";
import { openLake } from "../../lake/mod.ts";
import { collectTask } from "../_collect_task.ts";
import { missing } from "../_skip.ts";
import { exportedSamples, rawSamples, startPrometheus, startVictoriaMetrics } from "./_engines.ts";

Deno.test({
  name:
    "deno task collect with two --remote-write flags streams every second into VictoriaMetrics and Prometheus",
  ignore: missing("victoria-metrics", "the collect --remote-write flags test") ||
    missing("prometheus", "the collect --remote-write flags test"),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const vm = await startVictoriaMetrics();
    const prom = await startPrometheus();
    const data = Deno.makeTempDirSync({ prefix: "perfscope-rw-flags-" });
    try {
      const { code, stderr } = await collectTask(
        { data, host: "flags-a", duration: "15s", flush: "5s", top: 1 },
        [
          "--remote-write",
          vm.writeUrl,
          "--remote-write",
          prom.writeUrl,
          "--external-label",
          "env=flags",
        ],
      );
      assert.equal(code, 0, stderr);
      // every snapshot spooled reached both before the stop's bounded last send: no line about
      // a failing receiver
      assert.doesNotMatch(stderr, /remote write/, stderr);

      const lake = await openLake({ root: data });
      let stored: number[];
      try {
        const rows = await lake.query<{ t: number }>(
          `SELECT epoch_ms(ts) AS t FROM samples
           WHERE metric = 'perfscope_rss_bytes' AND host = 'flags-a' AND isfinite(value)
           ORDER BY t`,
        );
        stored = rows.map((r) => Number(r.t));
      } finally {
        lake.close();
      }
      assert.ok(stored.length >= 12, `only ${stored.length} seconds stored`);
      const selector = `perfscope_rss_bytes{host="flags-a",env="flags"}`;
      const sources = [
        { name: "VictoriaMetrics", read: () => exportedSamples(vm.base, selector, 600) },
        { name: "Prometheus", read: () => rawSamples(prom.base, selector, 600) },
      ];
      // the last batch, sent as the agent stopped, searchable at once
      await (await fetch(`${vm.base}/internal/force_flush`)).body?.cancel();
      for (const { name, read } of sources) {
        // engines make new points searchable within a second or two: wait for the last one
        const until = Date.now() + 15_000;
        let [got] = await read();
        while ((got?.ts.at(-1) ?? 0) < stored.at(-1)! && Date.now() < until) {
          await new Promise((r) => setTimeout(r, 250));
          [got] = await read();
        }
        assert.ok(got, `no series in ${name}`);
        assert.equal(new Set(got.ts).size, got.ts.length, `duplicate points in ${name}`);
        const have = new Set(got.ts);
        const lost = stored.filter((t) => !have.has(t));
        assert.deepEqual(lost, [], `${name} lacks ${lost.length} of ${stored.length} seconds`);
        assert.equal(got.ts.length, stored.length, `${name} holds seconds the lake has not`);
      }
    } finally {
      await vm.stop();
      await prom.stop();
    }
  },
});
