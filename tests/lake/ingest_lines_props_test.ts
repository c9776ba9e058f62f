import assert from "node:assert/strict";
import fc from "fast-check";
import { formatLabels, parseLabels } from "../../collectors/mod.ts";
import { INGEST_LIMITS, parseIngestLines } from "../../lake/ingest_lines.ts";
import {
  hostNameProblem,
  labelNameProblem,
  labelValueProblem,
  MAX_LABELS,
} from "../../lake/mod.ts";
import { parseIngest } from "../../web/parse_ingest.ts";
import { BadRequestError } from "../../web/errors.ts";
import { props } from "../_props.ts";
import {
  badHost,
  badLine,
  hostName,
  MAX_TS,
  MIN_TS,
  NOW,
  type PushedSample,
  pushedSample,
  reservedLabel,
  spell,
  spelling,
  validBody,
} from "./_ingest_arbitraries.ts";

const enc = new TextEncoder();
const REFUSAL =
  /^(Invalid line \d+: [^\n]+|Invalid body: no samples \(expected JSON lines\)|Too many (lines|partitions): [^\n]+)$/;

function expectSamples(batch: ReturnType<typeof parseIngestLines>, samples: PushedSample[]) {
  assert.deepEqual(batch.ts, samples.map((s) => Math.floor(s.ts)));
  // host names are stored in lower case (Web1 and web1 are one host)
  assert.deepEqual(batch.host, samples.map((s) => s.host.toLowerCase()));
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
    assert.ok(Number.isInteger(b.ts[i]) && b.ts[i]! >= MIN_TS && b.ts[i]! <= MAX_TS);
    assert.equal(hostNameProblem(b.host[i]!), undefined);
    assert.match(b.metric[i]!, /^(?!__)[a-z_][a-z0-9_]{0,199}$/);
    const labels = parseLabels(b.labels[i]!);
    assert.equal(formatLabels(labels), b.labels[i]);
    for (const [k, v] of Object.entries(labels)) {
      assert.equal(labelNameProblem(k), undefined);
      assert.equal(labelValueProblem(v), undefined);
    }
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
      message: 'Invalid line 1: labels: pair without "=" in "a=1,b\\nc"',
    },
  );
  assert.throws(() => parseLabels(`${"x".repeat(100)}`), {
    message: `pair without "=" in "${"x".repeat(80)}…"`,
  });
});

/** A valid body with line `k` (0-based among its samples) replaced by `line`, and that line's
 * number in the body. */
const withLine = (
  samples: PushedSample[],
  k: number,
  line: (s: PushedSample) => string,
): { body: string; lineNo: number } => {
  const i = k % samples.length;
  const lines = samples.map((s, j) => j === i ? line(s) : JSON.stringify(s));
  return { body: lines.join("\n") + "\n", lineNo: i + 1 };
};
const samples = fc.array(pushedSample, { minLength: 1, maxLength: 10 });

Deno.test("parseIngestLines() refuses a whole body for a host too long or with a refused character", () => {
  fc.assert(
    fc.property(samples, fc.nat(), badHost, spelling, (xs, k, host, how) => {
      const { body, lineNo } = withLine(xs, k, (s) => spell({ ...s, host }, how));
      assert.throws(() => parseIngestLines(body, { now: NOW }), (e: Error) => {
        assert.ok(e instanceof RangeError);
        assert.match(e.message, new RegExp(`^Invalid line ${lineNo}: host: `));
        assert.match(e.message, REFUSAL);
        return true;
      });
    }),
    props(300),
  );
});

Deno.test("parseIngestLines() refuses a whole body for a reserved label name, naming it", () => {
  fc.assert(
    fc.property(samples, fc.nat(), reservedLabel, spelling, (xs, k, name, how) => {
      const { body, lineNo } = withLine(
        xs,
        k,
        // at most 32 labels in all, so that the name is the only problem
        (s) => {
          const rest = Object.entries(s.labels).slice(0, MAX_LABELS - 1);
          return spell({ ...s, labels: { [name]: "v", ...Object.fromEntries(rest) } }, how);
        },
      );
      assert.throws(() => parseIngestLines(body, { now: NOW }), (e: Error) => {
        assert.ok(e instanceof RangeError);
        assert.equal(
          e.message.slice(0, `Invalid line ${lineNo}: labels: ${JSON.stringify(name)}`.length),
          `Invalid line ${lineNo}: labels: ${JSON.stringify(name)}`,
        );
        assert.match(e.message, /is reserved/);
        return true;
      });
    }),
    props(200),
  );
});

Deno.test("parseIngestLines() refuses a whole body for one sample outside the time window", () => {
  const clock = fc.integer({ min: Date.UTC(2001, 0, 1), max: Date.UTC(2100, 0, 1) });
  const outside = fc.oneof(
    fc.integer({ min: 1, max: 400 * 86_400_000 }).map((d) => ({ before: true, d })),
    fc.integer({ min: 1, max: 400 * 86_400_000 }).map((d) => ({ before: false, d })),
    fc.constantFrom({ before: true, d: 1 }, { before: false, d: 1 }, { before: true, d: 0.5 }),
  );
  fc.assert(
    fc.property(samples, fc.nat(), clock, outside, (xs, k, now, { before, d }) => {
      // the valid samples move with the clock: same offsets from NOW
      const moved = xs.map((s) => ({ ...s, ts: s.ts - NOW + now }));
      const min = now - INGEST_LIMITS.maxAgeMs, max = now + INGEST_LIMITS.maxAheadMs;
      const ts = before ? min - d : max + d;
      const { body, lineNo } = withLine(moved, k, (s) => JSON.stringify({ ...s, ts }));
      assert.throws(
        () => parseIngestLines(body, { now }),
        (e: Error) => {
          assert.ok(e instanceof RangeError);
          assert.match(
            e.message,
            new RegExp(`^Invalid line ${lineNo}: ts: \\S+ .*is outside the accepted window`),
          );
          return true;
        },
      );
      // both ends of the window are inside it
      const edges = withLine(moved, k, (s) => JSON.stringify({ ...s, ts: before ? min : max }));
      assert.equal(parseIngestLines(edges.body, { now }).ts.length, moved.length);
    }),
    props(200),
  );
});

Deno.test("parseIngestLines() refuses a body past the partition limit at the first line over it", () => {
  const DAY = 86_400_000;
  const body = fc.record({
    hosts: fc.uniqueArray(hostName, { minLength: 1, maxLength: 12 }),
    days: fc.integer({ min: 1, max: 12 }),
    picks: fc.array(fc.tuple(fc.nat(), fc.nat()), { minLength: 1, maxLength: 150 }),
    maxPartitions: fc.option(fc.integer({ min: 1, max: 80 }), { nil: undefined }),
  });
  fc.assert(
    fc.property(body, pushedSample, ({ hosts, days, picks, maxPartitions }, s) => {
      const limit = maxPartitions ?? INGEST_LIMITS.maxPartitions;
      const seen = new Set<string>();
      let over = 0;
      const lines = picks.map(([h, d], i) => {
        const host = hosts[h % hosts.length]!;
        const ts = NOW - (d % days) * DAY - (i % 1000);
        const key = `${host.toLowerCase()} ${Math.floor(ts / DAY)}`; // Web1 is web1's partition
        if (!seen.has(key)) {
          seen.add(key);
          if (seen.size === limit + 1) over = i + 1;
        }
        return JSON.stringify({ ...s, host, ts });
      });
      const options = maxPartitions === undefined ? { now: NOW } : { now: NOW, maxPartitions };
      if (over === 0) {
        assert.equal(parseIngestLines(lines.join("\n"), options).ts.length, lines.length);
      } else {
        assert.throws(() => parseIngestLines(lines.join("\n"), options), {
          name: "RangeError",
          message: new RegExp(
            `^Too many partitions: line ${over} \\(host .* is past the limit of ${limit} host`,
          ),
        });
      }
    }),
    props(150),
  );
});

Deno.test("parseIngestLines() takes exactly 64 partitions by default and refuses the 65th", () => {
  const line = (i: number) =>
    JSON.stringify({ ts: NOW - (i % 2) * 86_400_000, host: `h${i >> 1}`, metric: "m", value: 1 });
  const body = (n: number) => Array.from({ length: n }, (_, i) => line(i)).join("\n");
  assert.equal(parseIngestLines(body(64), { now: NOW }).ts.length, 64);
  assert.throws(() => parseIngestLines(body(65), { now: NOW }), {
    message: /^Too many partitions: line 65 \(host "h32", 2024-06-01\) is past the limit of 64 /,
  });
});
