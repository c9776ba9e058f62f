import assert from "node:assert/strict";
import { main } from "../../cli/collect.ts";
import { parseConfig } from "../../config/mod.ts";
import { serveChild } from "../_serve_process.ts";
import { missing } from "../_skip.ts";
import { rawSamples, startVictoriaMetrics } from "./_engines.ts";

Deno.test("collect refuses a bad --remote-write URL or --external-label with a one-line UsageError", async () => {
  const data = Deno.makeTempDirSync();
  await assert.rejects(
    () => main(["--no-config", "--data", data, "--remote-write", "ftp://x/w", "--duration", "1s"]),
    { name: "UsageError", message: "Invalid remote-write URL: ftp://x/w (http or https only)" },
  );
  await assert.rejects(
    () =>
      main([
        "--no-config",
        "--data",
        data,
        "--remote-write",
        "http://127.0.0.1:9/w",
        "--external-label",
        "1x",
      ]),
    { name: "UsageError", message: /Invalid --external-label: 1x/ },
  );
});

Deno.test("remote_write: in the config is checked: URL scheme, auth exclusivity, insecure_skip_verify refused", () => {
  const ok = parseConfig(
    "remote_write:\n  - url: https://mimir:9009/api/v1/push\n    headers: { X-Scope-OrgID: team }\n" +
      "    basic_auth: { username: u, password: p }\n    tls: { ca_file: /etc/ca.pem }\n" +
      "    external_labels: { env: prod }\n    interval: 10s\n",
  );
  assert.equal(ok.remote_write![0]!.interval, 10_000);
  assert.throws(() => parseConfig("remote_write:\n  - url: ftp://x\n"), /http:\/\/ or https:\/\//);
  assert.throws(
    () =>
      parseConfig(
        "remote_write:\n  - url: http://x\n    bearer_token: t\n    basic_auth: { username: u, password: p }\n",
      ),
    /not both/,
  );
  assert.throws(
    () =>
      parseConfig("remote_write:\n  - url: https://x\n    tls: { insecure_skip_verify: true }\n"),
    /insecure_skip_verify is not supported/,
  );
});

Deno.test({
  name:
    "serve --remote-write hands the receiver to its collector child, which streams into VictoriaMetrics",
  ignore: missing("victoria-metrics", "the serve remote-write test"),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const vm = await startVictoriaMetrics();
    const data = Deno.makeTempDirSync();
    const child = serveChild([
      "--data",
      data,
      "--remote-write",
      vm.writeUrl,
      "--external-label",
      "role=web",
    ]);
    try {
      const end = Date.now() + 60_000;
      let found: Awaited<ReturnType<typeof rawSamples>> = [];
      while (found.length === 0 && Date.now() < end) {
        await new Promise((r) => setTimeout(r, 1000));
        found = await rawSamples(vm.base, `perfscope_rss_bytes{role="web"}`, 600).catch(() => []);
      }
      assert.equal(found.length, 1, "no sample arrived from serve's collector");
      assert.ok(found[0]!.metric.host);
    } finally {
      child.kill("SIGTERM");
      await child.status;
      await vm.stop();
    }
  },
});
