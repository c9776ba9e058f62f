/**
 * Label values holding bidi controls (U+202A-U+202E, U+2066-U+2069: "Trojan Source",
 * CVE-2021-42574) or the line and paragraph separators U+2028/U+2029, through every ingest path
 * of a real `serve` (in this process): `/api/ingest`, OTLP/HTTP JSON and protobuf, StatsD over
 * UDP and a scrape. Each is refused naming its code point, as C0 and C1 are (a 400 for a pushed
 * body, a partial success for OTLP, a dropped sample for StatsD and scrapes), and the characters
 * real names use beside them (the zero-width joiner of an emoji sequence, LRM, RLM, U+FEFF) are
 * stored as sent.
 */
import assert from "node:assert/strict";
import dgram from "node:dgram";
import { encodeOtlpRequest } from "../../receivers/mod.ts";
import { startServe } from "../_serve.ts";

// ports of this test's own range: serve, the scrape target, StatsD
const SERVE_PORT = 19501;
const SCRAPE_PORT = 19502;
const STATSD_PORT = 19503;

/** Refused values and the message part naming their character. */
const REFUSED: [string, string][] = [
  ["\u202egnp.exe", "a bidi control character (U+202E)"],
  ["a\u202ab", "a bidi control character (U+202A)"],
  ["\u202bx", "a bidi control character (U+202B)"],
  ["x\u202c", "a bidi control character (U+202C)"],
  ["\u202dx", "a bidi control character (U+202D)"],
  ["\u2066x", "a bidi control character (U+2066)"],
  ["\u2067x", "a bidi control character (U+2067)"],
  ["\u2068x", "a bidi control character (U+2068)"],
  ["x\u2069", "a bidi control character (U+2069)"],
  ["a\u2028b", "a line separator (U+2028)"],
  ["a\u2029b", "a paragraph separator (U+2029)"],
];

/** Values with characters real label text uses (and the printable neighbours of the refused
 * ones): stored as sent. */
const ACCEPTED = [
  "👩\u200d💻", // zero-width joiner in an emoji sequence
  "a\u200eb", // LRM
  "\u200fשלום", // RLM
  "\ufeffx", // zero-width no-break space
  "\u2027\u202f\u2060\u206a", // neighbours: hyphenation point, narrow NBSP, word joiner, U+206A
];

// a stored label holding any refused character
const BIDI = /[\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

Deno.test({
  name:
    "bidi controls and U+2028/U+2029 in label values are refused naming the code point by /api/ingest, OTLP JSON and protobuf, StatsD and a scrape; ZWJ, LRM, RLM and U+FEFF are stored",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const root = await Deno.makeTempDir({ prefix: "perfscope-bidi-labels-" });
    const page = [
      ...ACCEPTED.map((v, i) => `bidi_scraped{k=${JSON.stringify(v)}} ${i}`),
      ...REFUSED.map(([v], i) => `bidi_scraped{k=${JSON.stringify(v)}} ${100 + i}`),
    ].join("\n") + "\n";
    const app = Deno.serve(
      { hostname: "127.0.0.1", port: SCRAPE_PORT, onListen() {} },
      () => new Response(page),
    );
    await Deno.writeTextFile(
      `${root}/perfscope.yaml`,
      "ingest:\n  flush_every: 1s\n" +
        `statsd:\n  listen: 127.0.0.1:${STATSD_PORT}\n  flush: 500ms\n` +
        `scrape:\n  - { url: "http://127.0.0.1:${SCRAPE_PORT}/metrics", name: bidi, ` +
        "interval: 1s, timeout: 1s }\n",
    );
    const logged: string[] = [];
    const error = console.error;
    console.error = (...args: unknown[]) => void logged.push(args.map(String).join(" "));
    const s = await startServe([
      "--port",
      String(SERVE_PORT),
      "--no-collect",
      "--data",
      `${root}/data`,
      "--config",
      `${root}/perfscope.yaml`,
    ]);
    const statsd = dgram.createSocket("udp4");
    const post = (path: string, type: string, body: BodyInit) =>
      fetch(new URL(path, s.url), { method: "POST", headers: { "content-type": type }, body });
    const query = async (sql: string): Promise<string[][]> => {
      const res = await post("/api/query", "application/json", JSON.stringify({ sql }));
      assert.equal(res.status, 200, await res.clone().text());
      return (await res.json()).rows;
    };
    const valuesOf = async (metric: string) =>
      (await query(`SELECT DISTINCT labels FROM samples WHERE metric = '${metric}'`))
        .map((r) => r[0]!).sort();
    async function until(done: () => Promise<boolean>): Promise<void> {
      for (let i = 0; i < 150 && !(await done()); i++) await sleep(200);
    }
    const want = (extra = "") => ACCEPTED.map((v) => `k=${v}${extra}`).sort();
    try {
      const ts = Date.now();
      const line = (labels: Record<string, string>, metric = "bidi_pushed") =>
        JSON.stringify({ ts, host: "bidi", metric, labels, value: 1 });

      // /api/ingest: the whole body refused, naming the line, the label and the code point
      for (const [value, named] of REFUSED) {
        const res = await post(
          "/api/ingest",
          "application/x-ndjson",
          `${line({ k: "ok" })}\n${line({ k: value })}\n`,
        );
        const body = await res.json();
        assert.equal(res.status, 400, JSON.stringify(body));
        assert.equal(body.error, `Invalid line 2: labels.k: contains ${named}`);
      }
      // in a metric or label name (letters, digits and _ only) it is quoted escaped
      for (
        const [bad, field] of [
          [line({ k: "v" }, "bidi\u202e_x"), 'metric: "bidi\\u202e_x" is not a snake_case'],
          [line({ "k\u2067": "v" }), 'labels: "k\\u2067" is not a label name'],
        ]
      ) {
        const res = await post("/api/ingest", "application/x-ndjson", bad!);
        assert.equal(res.status, 400);
        const said = (await res.json()).error as string;
        assert.ok(said.startsWith(`Invalid line 1: ${field}`), said);
        assert.doesNotMatch(said, BIDI);
      }
      const ingested = await post(
        "/api/ingest",
        "application/x-ndjson",
        ACCEPTED.map((v) => line({ k: v })).join("\n"),
      );
      assert.equal(ingested.status, 200, await ingested.clone().text());

      // OTLP JSON and protobuf: each refused point dropped alone, naming the code point
      const ns = String(BigInt(ts) * 1_000_000n);
      const otlp = (name: string, key = "k") => ({
        resourceMetrics: [{
          resource: { attributes: [{ key: "host.name", value: { stringValue: "bidi" } }] },
          scopeMetrics: [{
            metrics: [{
              name,
              // a description is kept, not refused: its controls as spaces
              description: "ok\u202egnp.exe\u2028next",
              gauge: {
                dataPoints: [...ACCEPTED, ...REFUSED.map(([v]) => v)].map((v, i) => ({
                  timeUnixNano: ns,
                  asDouble: i,
                  attributes: [{ key, value: { stringValue: v } }],
                })),
              },
            }],
          }],
        }],
      });
      for (
        const [type, body] of [
          ["application/json", JSON.stringify(otlp("bidi.otlp_json"))],
          ["application/x-protobuf", encodeOtlpRequest(otlp("bidi.otlp_proto"))],
        ] as const
      ) {
        const res = await post("/v1/metrics", type, body);
        assert.equal(res.status, 200, type);
        if (type === "application/json") {
          const answer = await res.json();
          assert.equal(answer.partialSuccess?.rejectedDataPoints, REFUSED.length);
          const said = answer.partialSuccess.errorMessage as string;
          assert.ok(said.includes(`{k}: label value with ${REFUSED[0]![1]}`), said);
          assert.doesNotMatch(said, BIDI);
        } else await res.arrayBuffer();
      }
      // an attribute key with one is cleaned to the lake's name charset, as any other character
      const keyed = otlp("bidi.otlp_key", "k\u202e");
      const res = await post("/v1/metrics", "application/json", JSON.stringify(keyed));
      assert.equal(res.status, 200, await res.text());

      // StatsD: each refused tag value dropped alone
      const packet = [...ACCEPTED, ...REFUSED.map(([v]) => v)]
        .map((v, i) => `bidi.statsd:${i}|g|#k:${v}`).join("\n");
      await new Promise<void>((r) =>
        statsd.send(new TextEncoder().encode(packet), STATSD_PORT, "127.0.0.1", () => r())
      );

      await until(async () =>
        (await valuesOf("bidi_statsd")).length >= ACCEPTED.length &&
        (await valuesOf("bidi_scraped")).length >= ACCEPTED.length &&
        (await valuesOf("bidi_otlp_proto")).length >= ACCEPTED.length
      );
      await sleep(1500); // past another flush: a refused sample stored late would show
      assert.deepEqual(await valuesOf("bidi_pushed"), want());
      assert.deepEqual(await valuesOf("bidi_otlp_json"), want());
      assert.deepEqual(await valuesOf("bidi_otlp_proto"), want());
      assert.deepEqual(await valuesOf("bidi_statsd"), want());
      assert.deepEqual(await valuesOf("bidi_scraped"), want(",target=bidi"));
      const keys = await valuesOf("bidi_otlp_key");
      assert.equal(keys.length, ACCEPTED.length, keys.join("\n"));
      assert.ok(keys.every((l) => l.startsWith("k_=")), keys.join("\n"));

      const listed = await (await fetch(new URL("/api/metrics", s.url))).json();
      const meta = listed.metrics.find((m: { name: string }) => m.name === "bidi_otlp_proto");
      assert.equal(meta?.help, "ok gnp.exe next");

      // the scrape counts them as invalid
      const dropped = await query(
        "SELECT max(value) FROM samples WHERE metric = 'scrape_samples_dropped' AND " +
          "labels LIKE '%reason=invalid%'",
      );
      assert.equal(Number(dropped[0]![0]), REFUSED.length);

      // nothing stored holds one, and serve's log lines about the drops name them (OTLP says
      // it in its answer)
      for (const [l] of await query("SELECT DISTINCT labels FROM samples")) {
        assert.doesNotMatch(l!, BIDI, l);
      }
      const drops = logged.filter((l) => /samples dropped/.test(l));
      for (const source of ["statsd: ", "scrape bidi: "]) {
        assert.ok(drops.some((l) => l.includes(source)), `${source}\n${logged.join("\n")}`);
      }
      for (const l of logged) assert.doesNotMatch(l, BIDI, l);
      assert.ok(drops.some((l) => l.includes("(U+202E)")), drops.join("\n"));
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
