/**
 * The app-metric registry (units, kinds, help) survives a restart: a real `serve` child process
 * learns units from an OpenMetrics scrape (`# UNIT`, `# HELP`) and an OTLP push (unit,
 * description), is stopped, and a new `serve` process on the same data directory, with no
 * receiver that could learn them again, lists them in `/api/metrics`; `deno task report`, a
 * third process, shows a dashboard panel's value in the source's unit. A damaged registry file
 * costs one log line, not the start.
 *
 * @module
 */
import assert from "node:assert/strict";
import { startServeIn } from "../_serve.ts";
import { type ServeProcess, spawnServe, stopServe } from "../_serve_process.ts";

const ROOT = new URL("../../", import.meta.url);

/** Starts `serve` as a child process on a free loopback port and waits for its URL. */
function serveOn(data: string, config: string): Promise<ServeProcess> {
  return spawnServe(["--data", data, "--no-collect", "--config", config], { stderr: "piped" });
}

/** Stops a child as Ctrl-C would (SIGTERM) and waits for a clean exit. */
async function stopCleanly(child: ServeProcess): Promise<void> {
  const status = await stopServe(child.process);
  assert.equal(status.code, 0, child.stderr.join(""));
}

const PAGE = "# TYPE shop_heat_celsius gauge\n# UNIT shop_heat_celsius celsius\n" +
  "# HELP shop_heat_celsius Oven temperature\nshop_heat_celsius 21.5\n# EOF\n";

const DASHBOARD = `
dashboards:
  - name: shop
    panels:
      - title: Oven
        metric: shop_heat_celsius
        kind: number
        range: 1h
`;

Deno.test({
  name:
    "Units and help learned from OpenMetrics and OTLP are listed by a new serve process and shown by the report",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    let scrapes = 0;
    const app = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () => {
      scrapes++;
      return new Response(PAGE, {
        headers: { "content-type": "application/openmetrics-text; version=1.0.0" },
      });
    });
    const dir = await Deno.makeTempDir({ prefix: "perfscope-appmeta-" });
    const data = `${dir}/data`;
    try {
      const first = `${dir}/first.yaml`;
      await Deno.writeTextFile(
        first,
        `scrape:\n  - url: http://127.0.0.1:${app.addr.port}/metrics\n    name: shop\n    interval: 5s\n`,
      );
      // the restarted serve has no scrape target: whatever it knows comes from the first one
      const second = `${dir}/second.yaml`;
      await Deno.writeTextFile(second, DASHBOARD);
      const serve = await serveOn(data, first);
      try {
        const res = await fetch(new URL("v1/metrics", serve.url), {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            resourceMetrics: [{
              resource: { attributes: [{ key: "service.name", value: { stringValue: "shop" } }] },
              scopeMetrics: [{
                metrics: [{
                  name: "queue.depth",
                  unit: "{job}",
                  description: "Jobs waiting",
                  gauge: { dataPoints: [{ asInt: "7", timeUnixNano: `${Date.now()}000000` }] },
                }],
              }],
            }],
          }),
        });
        assert.equal(res.status, 200, await res.text());
        // the first scrape is stored once the second is asked for; every 5 s, so its timeout
        // (the interval) leaves a loaded machine time to answer (200 ms could all time out)
        for (let i = 0; i < 1200 && scrapes < 2; i++) await new Promise((r) => setTimeout(r, 50));
      } finally {
        await stopCleanly(serve);
      }
      const again = await serveOn(data, second);
      let listing: { metrics: { name: string; unit: string; kind: string; help: string }[] };
      try {
        listing = await (await fetch(new URL("api/metrics", again.url))).json();
      } finally {
        await stopCleanly(again);
      }
      const info = (name: string) => {
        const m = listing.metrics.find((x) => x.name === name);
        return m && { unit: m.unit, kind: m.kind, help: m.help };
      };
      assert.deepEqual(info("shop_heat_celsius"), {
        unit: "celsius",
        kind: "gauge",
        help: "Oven temperature",
      });
      assert.deepEqual(info("queue_depth"), { unit: "job", kind: "gauge", help: "Jobs waiting" });
      assert.deepEqual(again.stderr.filter((l) => /app_metrics/.test(l)), []);
      // the report: a separate process that never ran a receiver
      const out = `${dir}/report.html`;
      const report = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          "cli/report.ts",
          "--data",
          data,
          "--config",
          second,
          "--dashboard",
          "shop",
          "--out",
          out,
          "--bootstrap",
          "50",
        ],
        cwd: ROOT,
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.equal(report.code, 0, new TextDecoder().decode(report.stderr));
      const html = await Deno.readTextFile(out);
      assert.match(html, /<p class="big-number">21\.5 celsius<\/p>/);
    } finally {
      await app.shutdown();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "A damaged app-metric registry file costs serve one log line, not its start",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir();
    await Deno.mkdir(`${dir}/data/receivers`, { recursive: true });
    const file = `${dir}/data/receivers/app_metrics.json`;
    await Deno.writeTextFile(file, '{"version":1,"metrics":{"__proto__":1}');
    await Deno.writeTextFile(`${dir}/perfscope.yaml`, "{}\n");
    const error = console.error;
    const errors: string[] = [];
    console.error = (line: string) => void errors.push(line);
    try {
      const served = await startServeIn(dir);
      try {
        const res = await fetch(new URL("api/metrics", served.url));
        assert.equal(res.status, 200);
        await res.body?.cancel();
      } finally {
        served.stop();
        await served.done;
      }
    } finally {
      console.error = error;
    }
    const lines = errors.filter((l) => l.includes("app_metrics.json"));
    assert.equal(lines.length, 1, errors.join("\n"));
    assert.match(lines[0]!, /^perfscope: ignoring .*app_metrics\.json: /);
    // nothing was learned, so the damaged file is left as it was (for a look), not rewritten
    assert.equal(await Deno.readTextFile(file), '{"version":1,"metrics":{"__proto__":1}');
    await Deno.remove(dir, { recursive: true });
  },
});
