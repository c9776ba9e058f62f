/**
 * `POST /v1/metrics` with malformed requests, over a served app: 400 with a one-line
 * `google.rpc.Status` naming what is wrong, and nothing stored. A body of nested arrays, or a
 * field of the wrong type, used to answer 200 `{}` (protobufjs took an array for a message and
 * coerced scalars). Requests that are valid but empty stay 200, as OTLP asks.
 */
import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { decodeOtlpStatus, encodeOtlpRequest, OtlpReceiver } from "../../receivers/mod.ts";
import { T0, testApp } from "./_app.ts";
import { served } from "./_served.ts";

const NOW = T0 + 60_000;
const NANO = String(BigInt(NOW) * 1_000_000n);

/** One gauge point with `point` merged in, inside a whole request. */
function withPoint(point: Record<string, unknown>, metric: Record<string, unknown> = {}) {
  return JSON.stringify({
    resourceMetrics: [{
      scopeMetrics: [{
        metrics: [{
          name: "queue.depth",
          gauge: { dataPoints: [{ asInt: "3", timeUnixNano: NANO, ...point }] },
          ...metric,
        }],
      }],
    }],
  });
}

/** Malformed JSON bodies and the part of the message that must name the problem. */
const BAD_JSON: [string, RegExp][] = [
  ["[[[]]]", /expected an ExportMetricsServiceRequest object/],
  ["[1,[2]]", /expected an ExportMetricsServiceRequest object/],
  ['"resourceMetrics"', /expected an ExportMetricsServiceRequest object/],
  ['{"resourceMetrics":[[]]}', /resourceMetrics\[0\]: expected an object .*got an array/],
  ['{"resourceMetrics":[null]}', /resourceMetrics\[0\]: expected an object/],
  ['{"resourceMetrics":{}}', /resourceMetrics: expected an array/],
  ['{"resourceMetrics":[{"scopeMetrics":[[]]}]}', /scopeMetrics\[0\]: expected an object/],
  ['{"resourceMetrics":[{"scopeMetrics":[{"metrics":[[1]]}]}]}', /metrics\[0\]: expected an/],
  [
    '{"resourceMetrics":[{"resource":[],"scopeMetrics":[]}]}',
    /resourceMetrics\[0\]\.resource: expected an object/,
  ],
  [withPoint({}, { gauge: { dataPoints: [[]] } }), /dataPoints\[0\]: expected an object/],
  [withPoint({ asInt: undefined, asDouble: "x" }), /asDouble: expected a number, got the string/],
  [withPoint({ timeUnixNano: "abc" }), /timeUnixNano: expected a non-negative integer/],
  // JSON quoting keeps C1: the quoted string's CSI is escaped too
  [
    withPoint({ timeUnixNano: "1\u009b2J\n" }),
    /timeUnixNano: expected a non-negative integer of 64 bits, got the string "1\\u009b2J\\n"/,
  ],
  [withPoint({ timeUnixNano: -5 }), /timeUnixNano: expected a non-negative integer/],
  [withPoint({ timeUnixNano: "1".repeat(25) }), /timeUnixNano: expected a non-negative integer/],
  [withPoint({ asInt: 1.5 }), /asInt: expected an integer of 64 bits/],
  [
    withPoint({
      attributes: [{
        key: "k",
        value: Array.from({ length: 150 }).reduce<unknown>(
          (v) => ({ arrayValue: { values: [v] } }),
          { stringValue: "x" },
        ),
      }],
    }),
    /^.{0,300}: nested deeper than 100 messages$/,
  ],
  [withPoint({ asDouble: 2 }), /only one of asInt and asDouble may be set/],
  [withPoint({}, { sum: { dataPoints: [] } }), /only one of gauge and sum may be set/],
  [withPoint({}, { name: 5 }), /name: expected a string, got the number 5/],
  [withPoint({ attributes: { k: "v" } }), /attributes: expected an array/],
  [
    withPoint({ attributes: [{ key: "k", value: { stringValue: "v", intValue: "1" } }] }),
    /only one of stringValue and intValue may be set/,
  ],
  [
    withPoint({}, {
      sum: undefined,
      gauge: undefined,
      histogram: { aggregationTemporality: "2x" },
    }),
    /aggregationTemporality: expected an integer of 32 bits/,
  ],
];

/** Valid requests with nothing to store: 200 with an empty response. */
const EMPTY_JSON = [
  "{}",
  '{"resourceMetrics":[]}',
  '{"resourceMetrics":null}',
  '{"resourceMetrics":[{}]}',
  '{"resourceMetrics":[{"scopeMetrics":[{"metrics":[]}]}]}',
  // unknown fields are ignored, as OTLP asks of receivers
  '{"somethingNew":[[1]],"resourceMetrics":[]}',
  '{"constructor":[[1]],"__proto__":1,"toString":{},"resourceMetrics":[{"hasOwnProperty":[]}]}',
];

async function countSamples(t: Awaited<ReturnType<typeof testApp>>): Promise<number> {
  await t.ingest.flush();
  const rows = await t.lake.query("SELECT count(*) AS n FROM samples");
  return Number(rows[0]!.n);
}

function receiver() {
  return new OtlpReceiver({ host: "h", now: () => NOW, log: () => {} });
}

Deno.test("Malformed OTLP/JSON exports answer 400 with one line naming the field, and store nothing", async () => {
  await using t = await testApp({ now: () => NOW, ingest: { now: () => NOW }, otlp: receiver() });
  await served(t.app, async (base) => {
    for (const [body, why] of BAD_JSON) {
      for (const gzip of [false, true]) {
        const res = await fetch(`${base}/v1/metrics`, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            ...(gzip && { "content-encoding": "gzip" }),
          },
          body: gzip ? gzipSync(body) : body,
        });
        const text = await res.text();
        assert.equal(res.status, 400, `${body}: ${text}`);
        assert.equal(res.headers.get("content-type"), "application/json");
        const status = JSON.parse(text);
        assert.equal(status.code, 3);
        assert.match(status.message, /^Invalid OTLP JSON: /);
        assert.match(status.message, why, body);
        // deno-lint-ignore no-control-regex
        assert.doesNotMatch(status.message, /[\u0000-\u001f\u007f-\u009f]/);
      }
    }
  });
  assert.equal(await countSamples(t), 0);
});

Deno.test("Valid but empty OTLP/JSON exports answer 200 {}", async () => {
  await using t = await testApp({ now: () => NOW, ingest: { now: () => NOW }, otlp: receiver() });
  await served(t.app, async (base) => {
    for (const body of EMPTY_JSON) {
      const res = await fetch(`${base}/v1/metrics`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      });
      assert.equal(res.status, 200, body);
      assert.deepEqual(await res.json(), {}, body);
    }
    // and a good point in the same encodings is stored: the checks refuse only what is wrong
    for (const body of [withPoint({}), withPoint({ asInt: null, asDouble: "NaN" })]) {
      const res = await fetch(`${base}/v1/metrics`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      });
      assert.equal(res.status, 200, await res.text());
    }
  });
  assert.equal(await countSamples(t), 1);
});

Deno.test("Malformed OTLP protobuf answers 400 with a Status; wire types that do not match are skipped as unknown fields", async () => {
  await using t = await testApp({ now: () => NOW, ingest: { now: () => NOW }, otlp: receiver() });
  const good = encodeOtlpRequest({
    resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: "qé", gauge: { dataPoints: [] } }] }] }],
  });
  const badUtf8 = Uint8Array.from(good);
  badUtf8[badUtf8.indexOf(0xc3)] = 0xff;
  const bad: [string, Uint8Array<ArrayBuffer>, RegExp][] = [
    ["a string that is not UTF-8", badUtf8, /not valid UTF-8/],
    ["a length past the end", Uint8Array.of(0x0a, 0x7f), /index out of range/],
    ["a cut-off message", good.slice(0, good.length - 1), /index out of range/],
    ["field number 0", Uint8Array.of(0x00), /field number 0/],
    ["wire type 7", Uint8Array.of(0x0f), /invalid wire type 7/],
  ];
  await served(t.app, async (base) => {
    for (const [what, body, why] of bad) {
      const res = await fetch(`${base}/v1/metrics`, {
        method: "POST",
        headers: { "content-type": "application/x-protobuf" },
        body,
      });
      const bytes = new Uint8Array(await res.arrayBuffer());
      assert.equal(res.status, 400, what);
      assert.equal(res.headers.get("content-type"), "application/x-protobuf");
      const status = decodeOtlpStatus(bytes);
      assert.equal(status.code, 3);
      assert.match(status.message, /^Invalid OTLP protobuf: /);
      assert.match(status.message, why, what);
    }
    // as protoc's and Go's decoders do: a known field number with another wire type is an
    // unknown field, and an empty body is an empty request
    for (const body of [Uint8Array.of(0x08, 0x01), new Uint8Array(0), good]) {
      const res = await fetch(`${base}/v1/metrics`, {
        method: "POST",
        headers: { "content-type": "application/x-protobuf" },
        body,
      });
      assert.equal(res.status, 200);
      assert.equal((await res.arrayBuffer()).byteLength, 0);
    }
  });
  assert.equal(await countSamples(t), 0);
});

Deno.test("OTLP/JSON that is not UTF-8 says so, and a metric without a name is counted as rejected", async () => {
  await using t = await testApp({ now: () => NOW, ingest: { now: () => NOW }, otlp: receiver() });
  await served(t.app, async (base) => {
    const latin1 = Uint8Array.from(
      [...withPoint({}, { name: "caf\u00e9" })].map((c) => c.charCodeAt(0)),
    );
    const res = await fetch(`${base}/v1/metrics`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: latin1,
    });
    assert.equal(res.status, 400);
    assert.equal((await res.json()).message, "Invalid OTLP JSON: the body is not UTF-8 text");
    // a name that is empty leaves nothing to store the points under: the answer says so (it was
    // 200 {} with the points gone)
    const unnamed = await fetch(`${base}/v1/metrics`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: withPoint({}, { name: "" }),
    });
    assert.equal(unnamed.status, 200);
    const partial = (await unnamed.json()).partialSuccess;
    assert.equal(partial.rejectedDataPoints, 1);
    assert.match(partial.errorMessage, /metric "": no metric name to store it under/);
  });
  assert.equal(await countSamples(t), 0);
});

Deno.test("OTLP/JSON with proto field names (resource_metrics, time_unix_nano) is stored as with JSON names", async () => {
  await using t = await testApp({ now: () => NOW, ingest: { now: () => NOW }, otlp: receiver() });
  const body = JSON.stringify({
    resource_metrics: [{
      resource: { attributes: [{ key: "service.name", value: { string_value: "api" } }] },
      scope_metrics: [{
        metrics: [{
          name: "queue.depth",
          gauge: {
            data_points: [{ as_int: "7", time_unix_nano: String(BigInt(NOW - 1000) * 1_000_000n) }],
          },
        }],
      }],
    }],
  });
  await served(t.app, async (base) => {
    const res = await fetch(`${base}/v1/metrics`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {});
    // a wrong type under a proto name is named by its JSON name
    const bad = await fetch(`${base}/v1/metrics`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"resource_metrics":[[]]}',
    });
    assert.equal(bad.status, 400);
    assert.match((await bad.json()).message, /resourceMetrics\[0\]: expected an object/);
  });
  await t.ingest.flush();
  const rows = await t.lake.query("SELECT epoch_ms(ts) AS ts, metric, labels, value FROM samples");
  assert.deepEqual(rows.map((r) => [Number(r.ts), r.metric, r.labels, r.value]), [
    [NOW - 1000, "queue_depth", "service=api", 7],
  ]);
});

Deno.test("Failures before the OTLP route (encoding, body limit, bad gzip) answer a Status in the request's encoding", async () => {
  await using t = await testApp({
    now: () => NOW,
    ingest: { now: () => NOW },
    otlp: receiver(),
    maxOtlpBytes: 64 * 1024,
  });
  const json = withPoint({});
  await served(t.app, async (base) => {
    const cases: [Record<string, string>, BodyInit, number, number, RegExp][] = [
      [{ "content-encoding": "deflate" }, json, 415, 3, /Unsupported content encoding: deflate/],
      [{ "content-encoding": "gzip" }, json, 400, 3, /Invalid gzip body/],
      [{}, "x".repeat(65 * 1024), 413, 8, /Payload too large/],
      [
        { "content-encoding": "gzip" },
        gzipSync(new Uint8Array(1 << 20)),
        413,
        8,
        /Payload too large/,
      ],
    ];
    for (const [headers, body, status, code, why] of cases) {
      for (const type of ["application/json", "application/x-protobuf"]) {
        const res = await fetch(`${base}/v1/metrics`, {
          method: "POST",
          headers: { "content-type": type, ...headers },
          body,
        });
        assert.equal(res.status, status, `${type} ${JSON.stringify(headers)}`);
        assert.equal(res.headers.get("content-type"), type);
        const bytes = new Uint8Array(await res.arrayBuffer());
        const got = type === "application/json"
          ? JSON.parse(new TextDecoder().decode(bytes))
          : decodeOtlpStatus(bytes);
        assert.equal(got.code, code);
        assert.match(got.message, why);
      }
    }
    // other routes keep the app's JSON errors
    const other = await fetch(`${base}/api/series?metric=a&metric=b`);
    assert.match((await other.json()).error, /given 2 times/);
  });
});
