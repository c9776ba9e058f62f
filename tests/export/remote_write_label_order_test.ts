/**
 * `--external-label` flags win over a `remote_write:` entry's `external_labels` of the same name,
 * as the command line wins over the config file for every other setting; the file's other labels
 * still go out.
 */
import assert from "node:assert/strict";
import { main as collect } from "../../cli/collect.ts";
import { missing } from "../_skip.ts";
import { exportedSamples, startVictoriaMetrics } from "./_engines.ts";

Deno.test({
  name: "collect --external-label env=flag over the config's external_labels env: file, " +
    "as VictoriaMetrics stores the series",
  ignore: missing("victoria-metrics", "the external label order test"),
  async fn() {
    const vm = await startVictoriaMetrics({ port: 18604 });
    const dir = Deno.makeTempDirSync();
    try {
      Deno.writeTextFileSync(
        `${dir}/perfscope.yaml`,
        `remote_write:\n  - url: ${vm.writeUrl}\n    external_labels: { env: file, dc: ams1 }\n`,
      );
      const args = ["--config", `${dir}/perfscope.yaml`, "--data", `${dir}/data`];
      // collect sends what it spooled at its stop
      assert.equal(await collect([...args, "--external-label", "env=flag", "--duration", "2s"]), 0);
      const until = Date.now() + 30_000;
      let series: Awaited<ReturnType<typeof exportedSamples>> = [];
      while (series.length === 0 && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 200));
        series = await exportedSamples(vm.base, `{dc="ams1"}`, 600);
      }
      assert.ok(series.length > 0, "nothing arrived");
      assert.deepEqual(new Set(series.map((s) => s.metric.env)), new Set(["flag"]));
    } finally {
      await vm.stop();
      Deno.removeSync(dir, { recursive: true });
    }
  },
});
