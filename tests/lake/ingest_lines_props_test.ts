import assert from "node:assert/strict";
import fc from "fast-check";
import { formatLabels, parseLabels } from "../../collectors/mod.ts";
import { INGEST_MIN_TS, parseIngestLines } from "../../lake/ingest_lines.ts";
import { parseIngest } from "../../web/parse_ingest.ts";
import { BadRequestError } from "../../web/errors.ts";
import { props } from "../_props.ts";
import { badLine, NOW, type PushedSample, validBody } from "./_ingest_arbitraries.ts";

const enc = new TextEncoder();
const REFUSAL =
  /^(Invalid line \d+: [^\n]+|Invalid body: no samples \(expected JSON lines\)|Too many lines: [^\n]+)$/;

function expectSamples(batch: ReturnType<typeof parseIngestLines>, samples: PushedSample[]) {
  assert.deepEqual(batch.ts, samples.map((s) => Math.floor(s.ts)));
  assert.deepEqual(batch.host, samples.map((s) => s.host));
  assert.deepEqual(batch.metric, samples.map((s) => s.metric));
  assert.deepEqual(batch.labels, samples.map((s) => formatLabels(s.labels)));
  // JSON has no -0 (it writes 0) and null means no value
  const values = samples.map((s) => s.value === null ? NaN : JSON.parse(JSON.stringify(s.value)));
  assert.deepEqual(batch.value, values);
}

/** Invariants of any batch the parser returns. */
function checkBatch(b: ReturnType<typeof parseIngestLines>): void {
  const n = b.ts.length;
  assert.ok(n > 0);
  for (const col of [b.host, b.metric, b.labels, b.value]) assert.equal(col.length, n);
  for (let i = 0; i < n; i++) {
    assert.ok(
      Number.isInteger(b.ts[i]) && b.ts[i]! >= INGEST_MIN_TS && b.ts[i]! <= NOW + 86_400_000,
    );
    assert.match(b.host[i]!, /^[A-Za-z0-9_.:-]{1,253}$/);
    assert.match(b.metric[i]!, /^[a-z_][a-z0-9_]{0,199}$/);
    assert.equal(formatLabels(parseLabels(b.labels[i]!)), b.labels[i]);
    assert.ok(Number.isFinite(b.value[i]) || Number.isNaN(b.value[i]));
  }
}

/** Parses, allowing only the documented refusal; returns the batch or the message. */
function parseOrRefusal(body: string | Uint8Array): ReturnType<typeof parseIngestLines> | string {
  try {
    return parseIngestLines(body, { now: NOW });
  } catch (error) {
    assert.ok(error instanceof RangeError, `unexpected ${String(error)}`);
    assert.match(error.message, REFUSAL);
    return error.message;
  }
}

Deno.test("parseIngestLines() reads back every sample of a valid body, however it is spelled", () => {
  fc.assert(
    fc.property(validBody, fc.boolean(), ({ samples, body }, asBytes) => {
      const batch = parseIngestLines(asBytes ? enc.encode(body) : body, { now: NOW });
      expectSamples(batch, samples);
    }),
    props(250),
  );
});

Deno.test("parseIngestLines() reads a body the same as text, as bytes and line by line", () => {
  fc.assert(
    fc.property(validBody, ({ body }) => {
      const whole = parseIngestLines(enc.encode(body), { now: NOW });
      const lines = body.split("\n").filter((l) => l.trim() !== "");
      const one = lines.map((l) => parseIngestLines(l, { now: NOW }));
      assert.deepEqual(whole.labels, one.map((b) => b.labels[0]));
      assert.deepEqual(whole.value, one.map((b) => b.value[0]));
      assert.deepEqual(whole, parseIngestLines(body, { now: NOW }));
    }),
    props(200),
  );
});

Deno.test("parseIngestLines() refuses a whole body for one bad line, naming that line", () => {
  fc.assert(
    fc.property(validBody, badLine, fc.nat(), ({ samples, body }, bad, at) => {
      const lines = body.split("\n");
      const k = at % (lines.length + 1);
      const withBad = [...lines.slice(0, k), bad, ...lines.slice(k)].join("\n");
      const r = parseOrRefusal(withBad);
      assert.equal(typeof r, "string", `accepted ${bad}`);
      const lineNo = Number((r as string).match(/^Invalid line (\d+)/)?.[1]);
      // the first bad line is the inserted one: lines before it are valid
      assert.equal(lineNo, k + 1, `${r} (${samples.length} samples)`);
    }),
    props(250),
  );
});

Deno.test("parseIngestLines() answers a batch or its RangeError for arbitrary text and bytes", () => {
  const mutated = fc.tuple(
    validBody,
    fc.array(fc.tuple(fc.nat(), fc.string({ maxLength: 3 })), {
      minLength: 1,
      maxLength: 4,
    }),
  ).map(([{ body }, edits]) => {
    let text = body;
    for (const [at, put] of edits) {
      const i = at % (text.length + 1);
      text = text.slice(0, i) + put + text.slice(i + (at % 3));
    }
    return text;
  });
  const anyBody = fc.oneof(
    fc.string(),
    fc.string({ unit: "binary" }),
    fc.uint8Array({ maxLength: 200 }),
    mutated,
    mutated.map((t) => enc.encode(t)),
    // lone surrogates, escaped in JSON
    fc.constantFrom('{"ts":1e12,"host":"\\ud800","metric":"m","value":1}'),
  );
  fc.assert(
    fc.property(anyBody, (body) => {
      const r = parseOrRefusal(body);
      if (typeof r !== "string") checkBatch(r);
    }),
    props(600),
  );
});

Deno.test("parseIngest() turns every refusal into a BadRequestError", () => {
  fc.assert(
    fc.property(fc.oneof(fc.string(), badLine), (body) => {
      try {
        checkBatch(parseIngest(body, { now: NOW }));
      } catch (error) {
        assert.ok(error instanceof BadRequestError, String(error));
        assert.match(error.message, REFUSAL);
      }
    }),
    props(300),
  );
});

Deno.test("parseIngestLines() enforces maxLines whatever the body", () => {
  fc.assert(
    fc.property(validBody, fc.integer({ min: 1, max: 12 }), ({ samples, body }, maxLines) => {
      const r = (() => {
        try {
          return parseIngestLines(body, { now: NOW, maxLines });
        } catch (error) {
          return (error as Error).message;
        }
      })();
      if (samples.length > maxLines) assert.match(r as string, /^Too many lines/);
      else expectSamples(r as ReturnType<typeof parseIngestLines>, samples);
    }),
    props(200),
  );
});

// Regression found by the arbitrary-text property: labels without "=" put their raw text, with
// its newlines, into the message (a 400 answer or a log line spread over several lines).
Deno.test("parseIngestLines() keeps the message for labels without = on one line", () => {
  const line = `{"ts":${NOW},"host":"h","metric":"m","labels":"a=1,b\\nc","value":1}`;
  assert.throws(
    () => parseIngestLines(line, { now: NOW }),
    {
      name: "RangeError",
      message: 'Invalid line 1: labels: Invalid labels: pair without "=" in "a=1,b\\nc"',
    },
  );
  assert.throws(() => parseLabels(`${"x".repeat(100)}`), {
    message: `Invalid labels: pair without "=" in "${"x".repeat(80)}…"`,
  });
});
