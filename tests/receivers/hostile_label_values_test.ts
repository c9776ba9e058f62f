/**
 * Hostile label values through every receiver of a real `serve` (in this process): `/api/ingest`,
 * OTLP/HTTP JSON, StatsD over UDP and a scrape. C1 control characters (U+009B is a terminal's CSI,
 * as ESC [ is), lone surrogates and values past the lake's length are refused with a one-line
 * message (a 400 for a pushed body, a partial success for OTLP, a dropped sample for StatsD and
 * scrapes), the good samples beside them are stored, and nothing stored before is changed.
 */
import assert from "node:assert/strict";
import dgram from "node:dgram";
import { startServe } from "../_serve.ts";
import { freeUdpPort } from "../_ports.ts";

const ND = { "content-type": "application/x-ndjson" };
const JSON_TYPE = { "content-type": "application/json" };
// deno-lint-ignore no-control-regex
const RAW_CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** Values the lake refuses, each spelled as JSON source (a lone surrogate only escaped). */
const HOSTILE: [string, string][] = [
  ["NEL", JSON.stringify("a\u0085b")],
  ["CSI", JSON.stringify("\u009b2J\u009d0;pwn\u009c")],
  ["U+0080", JSON.stringify("\u0080")],
  ["a lone high surrogate", '"x\\ud800"'],
  ["a lone low surrogate", '"\\udc00y"'],
  ["1025 bytes", JSON.stringify("é".repeat(512) + "x")],
  ["a megabyte", JSON.stringify("v".repeat(1_000_000))],
];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Asserts a message is one line without a raw control character, and returns it. */
function oneLine(message: unknown): string {
  assert.equal(typeof message, "string");
  const text = message as string;
  assert.doesNotMatch(text, RAW_CONTROL, JSON.stringify(text));
  assert.ok(text.length < 2000, `${text.length} characters`);
  return text;
}

Deno.test({
  name:
    "hostile label values through /api/ingest, OTLP, StatsD and a scrape: refused in one line, the good samples stored, nothing stored before changed",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const root = await Deno.makeTempDir({ prefix: "perfscope-hostile-labels-" });
    const page = 'atk_scraped{k="ok"} 1\n' + 'atk_scraped{k="a\u009bb"} 2\n' +
      'atk_scraped{k="\u0085"} 3\n' + `atk_scraped{k="${"w".repeat(1025)}"} 4\n`;
    const app = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen() {} },
      () => new Response(page),
    );
    const udp = await freeUdpPort();
    await Deno.writeTextFile(
      `${root}/perfscope.yaml`,
      "ingest:\n  flush_every: 1s\n" +
        `statsd:\n  listen: 127.0.0.1:${udp}\n  flush: 500ms\n` +
        `scrape:\n  - { url: "http://127.0.0.1:${app.addr.port}/metrics", name: atk, ` +
        "interval: 1s, timeout: 1s }\n",
    );
    const logged: string[] = [];
    const error = console.error;
    console.error = (...args: unknown[]) => void logged.push(args.map(String).join(" "));
    const s = await startServe(
      ["--no-collect", "--data", `${root}/data`, "--config", `${root}/perfscope.yaml`],
    );
    const statsd = dgram.createSocket("udp4");
    const post = (path: string, headers: HeadersInit, body: string) =>
      fetch(new URL(path, s.url), { method: "POST", headers, body });
    const query = async (sql: string): Promise<string[]> => {
      const res = await post("/api/query", JSON_TYPE, JSON.stringify({ sql }));
      assert.equal(res.status, 200, await res.clone().text());
      return (await res.json()).rows.map((r: unknown[]) => r.join(" "));
    };
    const rows = () =>
      query(
        "SELECT DISTINCT metric, labels, value FROM samples WHERE metric LIKE 'atk%' " +
          "AND metric <> 'atk_scraped' ORDER BY ALL",
      );
    async function until(done: () => Promise<boolean>): Promise<void> {
      for (let i = 0; i < 150 && !(await done()); i++) await sleep(200);
    }
    try {
      const ts = Date.now();
      const line = (labels: string, value: number, extra = "") =>
        `{"ts":${ts},"host":"atk","metric":"atk_pushed"${extra},"labels":{"k":${labels}},` +
        `"value":${value}}`;
      const first = await post("/api/ingest", ND, line('"ok"', 1));
      assert.equal(first.status, 200, await first.clone().text());
      await until(async () => (await rows()).length === 1);
      const before = await rows();
      assert.deepEqual(before, ["atk_pushed k=ok 1"]);

      // /api/ingest: the whole body is refused, naming the line and the label
      for (const [what, value] of HOSTILE) {
        const res = await post("/api/ingest", ND, `${line('"ok"', 2)}\n${line(value, 3)}\n`);
        const body = await res.json();
        assert.equal(res.status, 400, `${what}: ${JSON.stringify(body).slice(0, 200)}`);
        assert.match(oneLine(body.error), /^Invalid line 2: labels\.k: /, what);
      }
      // a hostile metric name and host: the message quotes them with their controls escaped
      const names: [string, string][] = [["metric", "atk\u009b2J"], ["host", "atk\u0085"]];
      for (const [field, text] of names) {
        const bad = JSON.stringify({
          ts,
          host: "atk",
          metric: "atk_pushed",
          value: 1,
          [field]: text,
        });
        const res = await post("/api/ingest", ND, bad);
        assert.equal(res.status, 400);
        assert.match(oneLine((await res.json()).error), new RegExp(`^Invalid line 1: ${field}: `));
      }

      // OTLP/HTTP JSON: each hostile point dropped alone, the good one stored
      const ns = String(BigInt(ts) * 1_000_000n);
      const point = (value: string, v: number) =>
        `{"timeUnixNano":"${ns}","asDouble":${v},"attributes":[{"key":"k","value":` +
        `{"stringValue":${value}}}]}`;
      const points = [point('"ok"', 1), ...HOSTILE.map(([, value], i) => point(value, i + 2))];
      // its unit and description are anyone's text too (the emoji straddles the 1024-unit cut)
      const description = "a\u009bb\nc" + "x".repeat(1017) + "😀tail";
      const otlp = await post(
        "/v1/metrics",
        JSON_TYPE,
        '{"resourceMetrics":[{"resource":{"attributes":[{"key":"host.name","value":' +
          '{"stringValue":"atk"}}]},"scopeMetrics":[{"metrics":[{"name":"atk.otlp",' +
          `"unit":"s\\u009b\\ud800","description":${JSON.stringify(description)},"gauge":` +
          `{"dataPoints":[${points.join(",")}]}}]}]}]}`,
      );
      const answer = await otlp.json();
      assert.equal(otlp.status, 200, JSON.stringify(answer).slice(0, 300));
      assert.equal(answer.partialSuccess?.rejectedDataPoints, HOSTILE.length);
      assert.match(oneLine(answer.partialSuccess.errorMessage), /label value/);

      // StatsD: each hostile tag value dropped alone, the good one stored
      const packet = [
        "atk.statsd:1|g|#k:ok",
        "atk.statsd:2|g|#k:a\u009bb",
        "atk.statsd:3|g|#k:\u0085",
      ]
        .join("\n");
      await new Promise<void>((r) =>
        statsd.send(new TextEncoder().encode(packet), udp, "127.0.0.1", () => r())
      );

      const want = [...before, "atk_otlp k=ok 1", "atk_statsd k=ok 1"].sort();
      await until(async () => (await rows()).length >= want.length);
      await sleep(1500); // past another flush: a refused sample stored late would show
      // (a StatsD gauge is sent again every flush: distinct rows)
      assert.deepEqual(await rows(), want);

      // the metric's unit and help as the API shows them: controls as spaces, no lone surrogate,
      // no half emoji
      const listed = await (await fetch(new URL("/api/metrics", s.url))).json();
      const meta = listed.metrics.find((m: { name: string }) => m.name === "atk_otlp");
      assert.equal(meta?.unit, "s \ufffd");
      assert.equal(meta?.help, `a b c${"x".repeat(1017)}…`);

      // the scrape: its good series stored, the others counted as invalid
      const scraped = () =>
        query(
          "SELECT DISTINCT metric, labels, value FROM samples WHERE metric = 'atk_scraped' OR " +
            "(metric = 'scrape_samples_dropped' AND labels LIKE '%reason=invalid%' AND value > 0) " +
            "ORDER BY ALL",
        );
      await until(async () => (await scraped()).length === 2);
      const got = await scraped();
      assert.equal(got[0], "atk_scraped k=ok,target=atk 1", got.join("\n"));
      assert.match(got[1]!, /^scrape_samples_dropped .*reason=invalid.* 3$/);

      // nothing stored holds a control character or a replaced character
      const labels = await query("SELECT DISTINCT labels FROM samples");
      for (const l of labels) assert.doesNotMatch(l, /[\u0080-\u009f\ufffd]/, l);
      // serve's log lines about the dropped samples are one line each, controls escaped
      const drops = logged.filter((l) => /samples dropped/.test(l));
      assert.ok(drops.some((l) => /statsd: /.test(l)), logged.join("\n"));
      for (const l of logged) oneLine(l);
    } finally {
      statsd.close();
      s.stop();
      await s.done;
      console.error = error;
      await app.shutdown();
      await Deno.remove(root, { recursive: true });
    }
  },
});
