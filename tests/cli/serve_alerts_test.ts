import assert from "node:assert/strict";
import type { AlertEngine, AlertTransition } from "../../alerts/mod.ts";
import { type Served, startServe } from "../_serve.ts";

/** Resolves with the first transition for which `pick` is true; fails after 30 s instead of
 * hanging the suite. */
function next(
  engine: AlertEngine,
  pick: (t: AlertTransition) => boolean,
): Promise<AlertTransition> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => (off(), reject(new Error("No such transition in 30 s"))),
      30_000,
    );
    const off = engine.onTransition((list) => {
      const found = list.find(pick);
      if (found) (off(), clearTimeout(timer), resolve(found));
    });
  });
}

/** A `serve` on a temporary directory, as {@linkcode serveConfig} starts it. */
interface ConfiguredServe extends AsyncDisposable {
  dir: string;
  /** Its perfscope.yaml. */
  file: string;
  served: Served;
  /** The alert engine serve handed over. */
  engine(): AlertEngine;
  /** Stops serve, which must exit 0 (once; disposal does it too). */
  stop(): Promise<void>;
}

/**
 * Starts `serve --config` (without the collector unless `collect`) on a temporary directory
 * whose perfscope.yaml is `config(dir)`, with console.error muted while it runs if `quiet`.
 * Disposal stops it and then removes the directory.
 */
async function serveConfig(
  config: (dir: string) => string,
  options: {
    collect?: boolean;
    quiet?: boolean;
    hooks?: Omit<NonNullable<Parameters<typeof startServe>[1]>, "onAlerts">;
  } = {},
): Promise<ConfiguredServe> {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/perfscope.yaml`;
  await Deno.writeTextFile(file, config(dir));
  let engine: AlertEngine | undefined;
  const error = console.error;
  if (options.quiet) console.error = () => {};
  const served = await startServe(
    ["--config", file, ...(options.collect ? [] : ["--no-collect"])],
    { compact: false, ...options.hooks, onAlerts: (e) => engine = e },
  );
  let stopped: Promise<void> | undefined;
  const stop = () =>
    stopped ??= (async () => {
      served.stop();
      try {
        assert.equal(await served.done, 0);
      } finally {
        console.error = error;
      }
    })();
  return {
    dir,
    file,
    served,
    engine: () => {
      assert.ok(engine, "serve handed over its alert engine");
      return engine;
    },
    stop,
    async [Symbol.asyncDispose]() {
      await stop();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** Posts one sample to serve's /api/ingest, which must take it. */
async function ingest(served: Served, sample: Record<string, unknown>): Promise<void> {
  const response = await fetch(new URL("/api/ingest", served.url), {
    method: "POST",
    headers: { "content-type": "application/x-ndjson" },
    body: JSON.stringify(sample),
  });
  assert.equal(response.status, 200);
  await response.body?.cancel();
}

Deno.test("serve evaluates rules on ingested samples, reloads them, and saves their state", async () => {
  const rules = (dir: string, above: number) =>
    `data: ${dir}/lake\nrules:\n  - alert: Slow\n    metric: app_latency_ms\n` +
    `    labels: {service: api}\n    above: ${above}\n` +
    `    annotations: {summary: "{{ $value }} ms on {{ $labels.host }}"}\n`;
  await using s = await serveConfig((dir) => rules(dir, 250), { quiet: true });
  const engine = s.engine();
  const firing = next(engine, (t) => t.to === "firing");
  await ingest(s.served, {
    ts: Date.now(),
    host: "web1",
    metric: "app_latency_ms",
    labels: { service: "api" },
    value: 300,
  });
  const fired = await firing;
  assert.equal(fired.instance.annotations.summary, "300 ms on web1");
  assert.deepEqual(fired.instance.labels, {
    alertname: "Slow",
    severity: "warning",
    host: "web1",
    service: "api",
  });
  // a reload with a changed threshold restarts the rule: its firing instance is let go
  const dropped = next(engine, (t) => t.from === "firing");
  await Deno.writeTextFile(s.file, rules(s.dir, 500));
  assert.equal((await dropped).to, "inactive");
  assert.equal((await dropped).instance.reason, "rule changed");
  await s.stop();
  const state = JSON.parse(await Deno.readTextFile(`${s.dir}/lake/alerts/state.json`));
  assert.equal(state.version, 1);
});

Deno.test("serve evaluates samples from /api/ingest on their own, without waiting for its timer", async () => {
  // the timer would first evaluate in an hour: only the ingest's own evaluation can fire it
  await using s = await serveConfig(
    (dir) => `data: ${dir}/lake\nrules:\n  - {alert: Slow, metric: app_latency_ms, above: 250}\n`,
    { hooks: { alertIntervalMs: 3_600_000 } },
  );
  const firing = next(s.engine(), (t) => t.to === "firing");
  await ingest(s.served, { ts: Date.now(), host: "web1", metric: "app_latency_ms", value: 300 });
  assert.equal((await firing).instance.rule, "Slow");
});

Deno.test("serve without rules writes no alert files", async () => {
  const dir = await Deno.makeTempDir();
  const served = await startServe(["--data", dir, "--no-collect"], { compact: false });
  served.stop();
  assert.equal(await served.done, 0);
  assert.throws(() => Deno.statSync(`${dir}/alerts`), Deno.errors.NotFound);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("serve feeds the collector's snapshots to the rules through the spool", async () => {
  await using s = await serveConfig(
    (dir) =>
      `data: ${dir}/lake\nrules:\n  - {alert: Loaded, metric: load_average, labels: {window: 1m}, ` +
      `above: -1}\n`,
    { collect: true },
  );
  const fired = await next(s.engine(), (t) => t.to === "firing");
  assert.equal(fired.instance.labels.window, "1m");
  assert.equal(fired.instance.labels.alertname, "Loaded");
  assert.ok(fired.instance.labels.host);
});

Deno.test("serve hands the rules' transitions to the workflows, which audit their dry run", async () => {
  await using s = await serveConfig(
    (dir) =>
      `data: ${dir}/lake\nrules:\n  - {alert: Slow, metric: app_latency_ms, above: 250}\n` +
      `workflows:\n  - name: retrain\n    trigger: {alert: Slow}\n    steps: [{kind: train}]\n`,
    { quiet: true },
  );
  const firing = next(s.engine(), (t) => t.to === "firing");
  await ingest(s.served, {
    ts: Date.now(),
    host: Deno.hostname(),
    metric: "app_latency_ms",
    value: 300,
  });
  await firing;
  let entries: { workflow?: string }[] = [];
  for (let i = 0; i < 100 && !entries.some((e) => e.workflow === "retrain"); i++) {
    await new Promise((r) => setTimeout(r, 50));
    entries = (await (await fetch(new URL("/api/audit", s.served.url))).json()).entries;
  }
  assert.ok(entries.some((e) => e.workflow === "retrain"), JSON.stringify(entries));
});

Deno.test("serve sends a rule's alert to a webhook receiver and lists it in /api/alerts", async () => {
  const { webhookServer } = await import("../alerts/_webhook.ts");
  await using hook = webhookServer();
  await using s = await serveConfig(
    (dir) =>
      `data: ${dir}/lake\nrules:\n  - {alert: Slow, metric: app_latency_ms, above: 250}\n` +
      `receivers:\n  - {name: ops, webhook: "${hook.url}"}\nroute: {receiver: ops}\n`,
    { quiet: true },
  );
  await ingest(s.served, { ts: Date.now(), host: "web1", metric: "app_latency_ms", value: 300 });
  await hook.waitFor(1);
  const body = hook.received[0]!.body as { status: string; alerts: { labels: object }[] };
  assert.equal(body.status, "firing");
  assert.deepEqual(body.alerts[0]!.labels, {
    alertname: "Slow",
    severity: "warning",
    host: "web1",
  });
  const listed = await (await fetch(new URL("/api/alerts", s.served.url))).json();
  assert.deepEqual(listed.alerts.map((a: { rule: string; state: string }) => [a.rule, a.state]), [
    ["Slow", "firing"],
  ]);
  assert.deepEqual(listed.rules, [{ alert: "Slow", metric: "app_latency_ms" }]);
});

Deno.test("serve answers POST /api/alerts/backtest with the engine's replay over the lake", async () => {
  const { writeSamples } = await import("../../lake/mod.ts");
  const dir = await Deno.makeTempDir();
  const start = Math.floor(Date.now() / 60_000) * 60_000 - 3_600_000;
  writeSamples(
    Array.from({ length: 60 }, (_, i) => ({
      ts: start + i * 1000,
      host: "db1",
      metric: "t",
      labels: "",
      value: i >= 10 && i < 30 ? 90 : 10,
    })),
    { root: dir, id: start, sync: false },
  );
  const served = await startServe(["--data", dir, "--no-collect"], { compact: false });
  const post = (rule: unknown) =>
    fetch(new URL("/api/alerts/backtest", served.url), {
      method: "POST",
      headers: { "content-type": "application/json", origin: served.url.origin },
      body: JSON.stringify({ rule, from: start, to: start + 120_000 }),
    });
  try {
    const ok = await post({ alert: "Hot", metric: "t", above: 50, for: "2s" });
    assert.equal(ok.status, 200);
    const body = await ok.json();
    assert.deepEqual(
      body.intervals.map((i: { start: number; end: number | null; peak: number }) => [
        (i.start - start) / 1000,
        i.end === null ? null : (i.end - start) / 1000,
        i.peak,
      ]),
      [[12, 30, 90]],
    );
    const bad = await post({ alert: "Hot", metric: "t", above: 50, for: "soon" });
    assert.equal(bad.status, 400);
    assert.match((await bad.json()).error, /^Invalid rule: for: invalid duration "soon"/);
  } finally {
    served.stop();
    assert.equal(await served.done, 0);
  }
  await Deno.remove(dir, { recursive: true });
});
