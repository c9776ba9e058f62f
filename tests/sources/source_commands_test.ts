/**
 * The analytics commands over a real query API: `train`, `capacity`, `forecast` and `anomaly`
 * with `--source` naming an entry of `sources:` (basic auth, TLS with a private CA), and
 * Prometheus as a source (no export API: raw reads go through range-vector queries).
 */
import assert from "node:assert/strict";
import { main as trainMain } from "../../cli/train.ts";
import { main as capacityMain } from "../../cli/capacity.ts";
import { main as forecastMain } from "../../cli/forecast.ts";
import { sourceFromFlag } from "../../cli/_source.ts";
import { loadModels } from "../../analytics/mod.ts";
import { encodeWriteRequest } from "../../export/mod.ts";
import { prometheusSource } from "../../sources/mod.ts";
import { missing } from "../_skip.ts";
import { privateCa } from "../_tls.ts";
import { type Engine, startPrometheus, startVictoriaMetrics } from "../export/_engines.ts";
import { fleetHost, type FleetSeries, syntheticFleet } from "./_fleet.ts";

const STEP = 900_000;
const END = Math.floor(Date.now() / STEP) * STEP;
const FLEET = { hosts: 11, days: 3, stepMs: STEP, end: END };
const USER = "analyst";
const PASSWORD = "s3cret pass";

const noVm = missing("victoria-metrics", "the --source command tests");
const opts = { sanitizeResources: false, sanitizeOps: false };

/** The flags naming host 1's used memory over the last `since`, as forecast reads a series. */
function usedMemory(since: string): string[] {
  return [
    "--metric",
    "memory_bytes",
    "--labels",
    "state=used",
    "--host",
    fleetHost(1),
    "--since",
    since,
  ];
}

/** Imports series into VictoriaMetrics with the given request options (auth, TLS client). */
async function importInto(
  base: string,
  series: FleetSeries[],
  init: { headers?: HeadersInit; client?: Deno.HttpClient } = {},
): Promise<void> {
  const body = series.map((s) => JSON.stringify(s)).join("\n") + "\n";
  const r = await fetch(`${base}/api/v1/import`, { method: "POST", body, ...init });
  assert.equal(r.status, 204, await r.text());
  await (await fetch(`${base}/internal/force_flush`, init)).body?.cancel();
}

/** A config file in a new directory, returning its path. */
function configFile(text: string): string {
  const dir = Deno.makeTempDirSync({ prefix: "perfscope-sources-" });
  Deno.writeTextFileSync(`${dir}/perfscope.yaml`, text);
  return `${dir}/perfscope.yaml`;
}

let shared: Promise<{ vm: Engine; config: string }> | undefined;
/** One VictoriaMetrics asking for basic auth, holding the synthetic fleet up to now, and a
 * config naming it `fleet` with the credentials. */
function authFleet(): Promise<{ vm: Engine; config: string }> {
  return shared ??= (async () => {
    const vm = await startVictoriaMetrics({
      args: [`-httpAuth.username=${USER}`, `-httpAuth.password=${PASSWORD}`],
    });
    const auth = `Basic ${btoa(`${USER}:${PASSWORD}`)}`;
    await importInto(vm.base, syntheticFleet(FLEET), { headers: { Authorization: auth } });
    const config = configFile(
      `sources:\n  - name: fleet\n    url: ${vm.base}\n` +
        `    basic_auth: { username: ${USER}, password: "${PASSWORD}" }\n`,
    );
    return { vm, config };
  })();
}

Deno.test({
  ...opts,
  ignore: noVm,
  name: "train --source NAME fits models from the query API and stores them in the local --data",
  async fn() {
    const { config } = await authFleet();
    const data = Deno.makeTempDirSync({ prefix: "perfscope-train-source-" });
    let out = "";
    const args = ["--source", "fleet", "--config", config, "--data", data];
    const code = await trainMain([...args, "--host", fleetHost(0)], (t) => void (out += t));
    assert.equal(code, 0, out);
    const { models, errors } = await loadModels(data);
    assert.deepEqual(errors, []);
    // only models (and the lock that keeps one train per data dir) in --data: no lake was written
    assert.deepEqual([...Deno.readDirSync(data)].map((e) => e.name).sort(), [
      "models",
      "train.lock",
    ]);
    assert.ok(models.every((m) => m.series.host === fleetHost(0)));
    const fs = models.find((m) =>
      m.kind === "capacity" && m.series.metric === "filesystem_used_bytes"
    );
    assert.ok(fs, out);
    assert.equal(fs.series.labels, "mountpoint=/var");
    assert.equal(fs.params.resource, "filesystem");
    // host 0's /var fills up (to 93 % over the 3 days): the capacity analysis sees it grow
    assert.ok((fs.params.growthPerDay as number) > 0, JSON.stringify(fs.params));
    assert.equal(fs.fittedAt, END - STEP);
    assert.ok(
      models.some((m) => m.kind === "forecast" && m.series.metric === "filesystem_used_bytes"),
    );
    assert.match(out, /stored capacity\/fleet-000\/filesystem_used_bytes\{mountpoint=\/var\}/);
    // --metric reads the source's series list, not the (absent) lake
    out = "";
    assert.equal(
      await trainMain([...args, "--metric", "load_average"], (t) => void (out += t)),
      0,
      out,
    );
    const loads = (await loadModels(data)).models.filter((m) => m.series.metric === "load_average");
    assert.equal(new Set(loads.map((m) => m.series.host)).size, FLEET.hosts);
    await assert.rejects(() => trainMain(["--source", "nope", "--data", data], () => {}), {
      name: "UsageError",
      message: /^Invalid --source: nope/,
    });
  },
});

Deno.test({
  ...opts,
  ignore: noVm,
  name: "capacity --source ranks the fleet's resources from VictoriaMetrics, fullest /var first",
  async fn() {
    const { vm, config } = await authFleet();
    let out = "";
    const hosts = [0, 1, 10].map(fleetHost).join(",");
    const code = await capacityMain(
      ["--source", "fleet", "--config", config, "--hosts", hosts],
      (t) => void (out += t),
    );
    assert.equal(code, 0);
    const a = JSON.parse(out) as {
      hosts: { host: string; sufficient: boolean }[];
      resources: { host: string; resource: string; eta: string | null }[];
    };
    assert.deepEqual(a.hosts.map((h) => [h.host, h.sufficient]), [
      [fleetHost(0), true],
      [fleetHost(1), true],
      [fleetHost(10), true],
    ]);
    // every tenth host's /var fills up, host 0 the fastest: those two lead the file systems
    const fs = a.resources.filter((r) => r.resource === "filesystem");
    assert.deepEqual(fs.map((r) => r.host), [0, 10, 1].map(fleetHost));
    assert.ok(fs[0]!.eta !== null);
    // the one-series form reads the same source by name
    out = "";
    const one = [
      "--source",
      "fleet",
      "--config",
      config,
      "--metric",
      "filesystem_used_bytes",
      "--labels",
      "mountpoint=/var",
      "--host",
      fleetHost(0),
      "--threshold",
      String(0.95 * 100 * 2 ** 30),
    ];
    assert.equal(await capacityMain(one, (t) => void (out += t)), 0);
    const eta = JSON.parse(out) as { source: string; status: string; eta: string | null };
    assert.equal(eta.source, "filesystem_used_bytes{mountpoint=/var} (1m)");
    // 93 % full and growing ~21 points a day: 95 % within the day
    assert.ok(eta.eta !== null && Date.parse(eta.eta) - END < 86_400_000, out);
    // the bare URL has no credentials: one line naming the server's 401
    await assert.rejects(() => capacityMain(["--source", vm.base], () => {}), {
      message: /^Query API http:\/\/127\.0\.0\.1:\d+\/api\/v1\/\w+ answered 401/,
    });
    // credentials in the URL are sent as basic auth, and never shown
    const withAuth = (password: string) =>
      vm.base.replace("//", `//${USER}:${encodeURIComponent(password)}@`);
    out = "";
    const hosts1 = ["--hosts", fleetHost(1)];
    assert.equal(
      await capacityMain(["--source", withAuth(PASSWORD), ...hosts1], (t) => void (out += t)),
      0,
    );
    assert.equal(JSON.parse(out).hosts.length, 1);
    // a host the TSDB has never seen is a typo: refused naming the source read, not "the lake"
    const none = ["--source", "fleet", "--config", config, "--hosts", "no-such-host"];
    await assert.rejects(() => capacityMain(none, () => {}), {
      name: "UsageError",
      message: new RegExp(
        `^Unknown --hosts no-such-host: no samples of it in prometheus ${vm.base}; hosts with samples: fleet-000, `,
      ),
    });
    const wrong = await capacityMain(["--source", withAuth("wrong-pw"), ...hosts1], () => {})
      .then(() => assert.fail("read with a wrong password"), (e: Error) => e);
    assert.match(wrong.message, new RegExp(`^Query API ${vm.base}/api/v1/\\w+ answered 401`));
    assert.doesNotMatch(wrong.message, /wrong-pw/);
  },
});

Deno.test({
  ...opts,
  ignore: noVm,
  name:
    "forecast and anomaly read --source NAME from sources: with its basic auth, from --config or ./perfscope.yaml",
  async fn() {
    const { config } = await authFleet();
    const series = usedMemory("2d");
    let out = "", err = "";
    const code = await forecastMain(
      ["--source", "fleet", "--config", config, ...series, "--horizon", "8"],
      (t) => void (out += t),
      (t) => void (err += t),
    );
    assert.equal(code, 0);
    const rows = out.trim().split("\n").slice(1).map((l) => l.split(","));
    assert.equal(rows.length, 8);
    assert.ok(Date.parse(rows[0]![0]!) >= END);
    const memTotal = 16 * 2 ** 30;
    // used memory swings around 45 % of 16 GiB
    for (const r of rows) assert.ok(Math.abs(Number(r[1]) / memTotal - 0.45) < 0.2, r.join());
    assert.match(err, /^forecast: memory_bytes\{state=used\} \(1m\): \d+ points, step 15 min/);
    // no --config: the default ./perfscope.yaml names the source. Run as a process of its own in
    // the config's folder: Deno.chdir would move the working folder of every test module running
    // beside this one (`deno test --parallel` runs them in one process).
    const dir = config.replace(/\/perfscope\.yaml$/, "");
    const anomaly = (source: string) =>
      new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", new URL("../../cli/anomaly.ts", import.meta.url).pathname]
          .concat(["--source", source, ...series]),
        cwd: dir,
        stdout: "piped",
        stderr: "piped",
      }).output();
    const good = await anomaly("fleet");
    const text = (b: Uint8Array) => new TextDecoder().decode(b);
    assert.equal(good.code, 0, text(good.stderr));
    out = text(good.stdout);
    assert.match(out, /^timestamp,value,anomaly_score\n/);
    assert.ok(out.trim().split("\n").length > 100);
    const bad = await anomaly("other");
    assert.notEqual(bad.code, 0);
    assert.match(
      text(bad.stderr),
      /Invalid --source: other \(an http\(s\) URL, or one of: fleet\)/,
    );
  },
});

Deno.test({
  ...opts,
  ignore: noVm || missing("openssl", "the --source TLS test"),
  name:
    "a source over HTTPS with a private CA is read with tls.ca_file; without the CA it fails in one clear line",
  async fn() {
    const dir = await privateCa();
    const ca = Deno.readTextFileSync(`${dir}/ca.pem`);
    const vm = await startVictoriaMetrics({
      args: ["-tls", `-tlsCertFile=${dir}/cert.pem`, `-tlsKeyFile=${dir}/key.pem`],
      tlsCa: ca,
    });
    const client = Deno.createHttpClient({ caCerts: [ca] });
    try {
      assert.match(vm.base, /^https:/);
      await importInto(vm.base, syntheticFleet({ ...FLEET, hosts: 2 }), { client });
      const config = configFile(
        `sources:\n  - name: secure\n    url: ${vm.base}\n    tls: { ca_file: ${dir}/ca.pem }\n`,
      );
      let out = "";
      assert.equal(
        await capacityMain(["--source", "secure", "--config", config], (t) => void (out += t)),
        0,
      );
      const a = JSON.parse(out) as { hosts: { host: string }[] };
      assert.deepEqual(a.hosts.map((h) => h.host), [fleetHost(0), fleetHost(1)]);
      // the same URL without the CA: the certificate is not trusted, said in one line
      const error = await capacityMain(["--source", vm.base], () => {}).then(
        () => assert.fail("read without the CA"),
        (e: Error) => e,
      );
      assert.equal(error.name, "PrometheusQueryError");
      assert.doesNotMatch(error.message, /\n/);
      assert.match(
        error.message,
        /^Cannot reach https:\/\/127\.0\.0\.1:\d+\/api\/v1\/\w+: .*certificate.*give its CA in tls\.ca_file\)$/,
      );
    } finally {
      client.close();
      await vm.stop();
    }
  },
});

Deno.test("a sources: entry whose TLS file cannot be read is a usage error naming the file", () => {
  const config = {
    sources: [{ name: "s", url: "https://127.0.0.1:9", tls: { ca_file: "/nonexistent/ca.pem" } }],
  };
  assert.throws(() => sourceFromFlag("s", config), {
    name: "UsageError",
    message: /^Invalid sources: tls: Cannot read TLS file: \/nonexistent\/ca\.pem \(/,
  });
  const half = { sources: [{ name: "s", url: "https://x", tls: { cert_file: "c.pem" } }] };
  assert.throws(() => sourceFromFlag("s", half), { message: /certFile and keyFile go together/ });
});

Deno.test({
  ...opts,
  ignore: missing("prometheus", "the Prometheus source test"),
  name:
    "Prometheus written by remote write is a source: raw reads fall back to range-vector queries and give every sample",
  async fn() {
    const prom = await startPrometheus();
    try {
      // two days at 1 minute, the newest sample a minute ago: raw reads cover the last hours
      const step = 60_000;
      const end = Math.floor(Date.now() / step) * step;
      const fleet = syntheticFleet({ hosts: 2, days: 2, stepMs: step, end });
      const body = encodeWriteRequest(fleet.map((s) => ({
        labels: Object.entries(s.metric).sort(([a], [b]) => (a < b ? -1 : 1)),
        ts: s.timestamps,
        values: s.values,
      })));
      const w = await fetch(prom.writeUrl, {
        method: "POST",
        body: body as Uint8Array<ArrayBuffer>,
        headers: {
          "Content-Type": "application/x-protobuf",
          "Content-Encoding": "snappy",
          "X-Prometheus-Remote-Write-Version": "0.1.0",
        },
      });
      assert.equal(w.status, 204, await w.text());
      // the source itself: export is asked once, answered 404, then range-vector queries
      const asked: string[] = [];
      const source = prometheusSource(prom.base, {
        fetch: (input, init) => {
          const url = new URL(String(input));
          const query = init?.body instanceof URLSearchParams ? init.body.get("query") : null;
          asked.push(`${url.pathname}${query ? ` ${query}` : ""}`);
          return fetch(input, init);
        },
      });
      const want = fleet.find((s) =>
        s.metric.__name__ === "memory_bytes" && s.metric.state === "used" &&
        s.metric.host === fleetHost(1)
      )!;
      const from = end - 3 * 3_600_000;
      const s = await source.series({
        host: fleetHost(1),
        metric: "memory_bytes",
        labels: "state=used",
        from,
        to: end,
      });
      assert.equal(s.tier, "raw");
      const i0 = want.timestamps.indexOf(from);
      assert.deepEqual([...s.ts], want.timestamps.slice(i0));
      assert.deepEqual([...s.values], want.values.slice(i0));
      const exportAt = asked.findIndex((a) => a.startsWith("/api/v1/export"));
      assert.ok(exportAt >= 0, asked.join("\n"));
      assert.match(asked[exportAt + 1]!, /^\/api\/v1\/query \{.*\}\[10800000ms\]$/);
      assert.equal(asked.filter((a) => a.startsWith("/api/v1/export")).length, 1);
      // the same through the command: a raw series of the last 5 hours
      let out = "", err = "";
      const code = await forecastMain(
        ["--source", prom.base, ...usedMemory("5h"), "--horizon", "10"],
        (t) => void (out += t),
        (t) => void (err += t),
      );
      assert.equal(code, 0);
      assert.match(err, /^forecast: memory_bytes\{state=used\} \(raw\): \d+ points, step 1 min/);
      assert.equal(out.trim().split("\n").length, 11);
    } finally {
      await prom.stop();
    }
  },
});

Deno.test({
  ...opts,
  ignore: noVm,
  name: "zz: the shared VictoriaMetrics stops",
  async fn() {
    if (shared) await (await shared).vm.stop();
  },
});
