import assert from "node:assert/strict";
import { main as forecastMain } from "../../cli/forecast.ts";
import { main as anomalyMain } from "../../cli/anomaly.ts";
import { missing } from "../_skip.ts";
import { startVictoriaMetrics } from "../export/_engines.ts";

Deno.test("forecast --source needs --host (a query-API series is one host's)", async () => {
  await assert.rejects(
    () => forecastMain(["--source", "http://127.0.0.1:9", "--metric", "memory_bytes"]),
    { name: "UsageError", message: /Missing --host/ },
  );
});

Deno.test({
  name: "forecast and anomaly read a series for one host from VictoriaMetrics with --source",
  ignore: missing("victoria-metrics", "the --source CLI test"),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const vm = await startVictoriaMetrics();
    try {
      const step = 300_000;
      const end = Math.floor(Date.now() / step) * step;
      const timestamps = Array.from({ length: 3 * 288 }, (_, i) => end - (3 * 288 - i) * step);
      const values = timestamps.map((t, i) =>
        4e9 + 1e6 * i + 2e8 * Math.sin((2 * Math.PI * t) / 86_400_000)
      );
      const line = JSON.stringify({
        metric: { __name__: "memory_bytes", host: "db1", state: "used", env: "prod" },
        values,
        timestamps,
      });
      const r = await fetch(`${vm.base}/api/v1/import`, { method: "POST", body: line + "\n" });
      assert.equal(r.status, 204);
      await (await fetch(`${vm.base}/internal/force_flush`)).body?.cancel();
      const args = [
        "--source",
        vm.base,
        "--metric",
        "memory_bytes",
        "--labels",
        "state=used",
        "--host",
        "db1",
        "--since",
        "4d",
      ];
      let out = "";
      assert.equal(await forecastMain([...args, "--horizon", "12"], (t) => out += t, () => {}), 0);
      const rows = out.trim().split("\n").slice(1).map((l) => l.split(","));
      assert.equal(rows.length, 12);
      // the forecast starts after the last point read and stays at the series' level
      assert.ok(Date.parse(rows[0]![0]!) > timestamps.at(-1)!);
      for (const r of rows) assert.ok(Math.abs(Number(r[1]) - values.at(-1)!) < 5e8, r.join());
      out = "";
      assert.equal(await anomalyMain(args, (t) => out += t, () => {}), 0);
      assert.ok(out.length > 0);
      await assert.rejects(
        () => anomalyMain([...args.slice(0, -4), "--host", "nope"], () => {}, () => {}),
        // a host the source has no samples of is a typo, named with the hosts it has (exit 2)
        {
          name: "UsageError",
          message:
            /^Unknown --host nope: no samples of it in http:\/\/\S+; hosts with samples: db1$/,
        },
      );
    } finally {
      await vm.stop();
    }
  },
});
