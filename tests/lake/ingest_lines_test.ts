import assert from "node:assert/strict";
import { parseIngestLines } from "../../lake/mod.ts";

const T0 = Date.UTC(2024, 0, 1);
const NOW = { now: T0 };

function one(line: string) {
  const b = parseIngestLines(line, NOW);
  return {
    ts: b.ts[0],
    host: b.host[0],
    metric: b.metric[0],
    labels: b.labels[0],
    value: b.value[0],
  };
}

Deno.test("parseIngestLines() reads the common shape into columns with canonical labels", () => {
  const body = [
    `{"ts":${T0},"host":"h1","metric":"q","labels":{"b":"2","a":"1"},"value":3}`,
    `{"ts":${T0 + 1},"host":"h1","metric":"q","labels":{"b":"2","a":"1"},"value":-0.25}`,
    "",
    `{"ts":${T0 + 2},"host":"h2","metric":"r","labels":"z=1,a=2","value":null}`,
  ].join("\n");
  const b = parseIngestLines(body, NOW);
  assert.deepEqual(b.ts, [T0, T0 + 1, T0 + 2]);
  assert.deepEqual(b.host, ["h1", "h1", "h2"]);
  assert.deepEqual(b.metric, ["q", "q", "r"]);
  assert.deepEqual(b.labels, ["a=1,b=2", "a=1,b=2", "a=2,z=1"]);
  assert.deepEqual(b.value.slice(0, 2), [3, -0.25]);
  assert.ok(Number.isNaN(b.value[2]));
});

Deno.test("parseIngestLines() gives the same values as JSON.parse for every number form", () => {
  const forms = [
    "0",
    "-0",
    "1.5",
    "0.1",
    "123456.789012",
    "1e3",
    "-2.5E-3",
    "1e308",
    "9007199254740993",
    "0.1234567890123456789",
    "5e-324",
  ];
  for (const f of forms) {
    assert.equal(one(`{"ts":${T0},"host":"h","metric":"m","value":${f}}`).value, JSON.parse(f), f);
  }
});

Deno.test("parseIngestLines() takes whitespace, escapes, key order and unknown fields", () => {
  const spaced = one(
    `  { "value" : 2 , "labels" : { "k" : "v" } , "metric" : "m", "host": "h", "ts": ${T0}.7 } `,
  );
  assert.deepEqual(spaced, { ts: T0, host: "h", metric: "m", labels: "k=v", value: 2 });
  const escaped = one(
    `{"ts":${T0},"host":"h","metric":"m","labels":{"path":"a\\"b,c=d"},"value":1,"x":[1]}`,
  );
  assert.equal(escaped.labels, 'path=a"b\\,c\\=d');
  assert.equal(one(`{"ts":${T0},"host":"h","metric":"m","labels":{},"value":1}`).labels, "");
  assert.equal(one(`{"ts":${T0},"host":"h","metric":"m","labels":"","value":1}`).labels, "");
});

const bad: [string, string, RegExp][] = [
  ["torn JSON", `{"ts":${T0},"host":"h"`, /JSON/],
  ["an array", "[1,2]", /line: expected an object/],
  ["a string ts", `{"ts":"1","host":"h","metric":"m","value":1}`, /ts: expected number/],
  ["a number host", `{"ts":${T0},"host":1,"metric":"m","value":1}`, /host: expected string/],
  ["no metric", `{"ts":${T0},"host":"h","value":1}`, /metric: expected string/],
  ["no value", `{"ts":${T0},"host":"h","metric":"m"}`, /value: expected a finite/],
  [
    "an infinite value",
    `{"ts":${T0},"host":"h","metric":"m","value":1e999}`,
    /value: expected a finite/,
  ],
  ["a leading zero", `{"ts":${T0},"host":"h","metric":"m","value":01}`, /JSON/],
  ["a slash in host", `{"ts":${T0},"host":"a/b","metric":"m","value":1}`, /host: "a\/b" is not/],
  ["a camelCase metric", `{"ts":${T0},"host":"h","metric":"mM","value":1}`, /metric: "mM" is not/],
  [
    "an array of labels",
    `{"ts":${T0},"host":"h","metric":"m","labels":[1],"value":1}`,
    /labels: expected an object/,
  ],
  [
    "a dashed label",
    `{"ts":${T0},"host":"h","metric":"m","labels":{"a-b":"1"},"value":1}`,
    /labels: "a-b" is not/,
  ],
  [
    "a number label",
    `{"ts":${T0},"host":"h","metric":"m","labels":{"a":1},"value":1}`,
    /labels.a: expected string/,
  ],
  [
    "a broken label string",
    `{"ts":${T0},"host":"h","metric":"m","labels":"x","value":1}`,
    /labels: /,
  ],
  ["a year-1970 ts", `{"ts":1000,"host":"h","metric":"m","value":1}`, /ts: 1000 is not ms/],
  ["a ts next week", `{"ts":${T0 + 7 * 86_400_000},"host":"h","metric":"m","value":1}`, /ts: /],
];

for (const [what, line, message] of bad) {
  Deno.test(`parseIngestLines() rejects ${what} with the line number`, () => {
    const good = `{"ts":${T0},"host":"h","metric":"m","value":1}`;
    assert.throws(() => parseIngestLines(`${good}\n${line}\n`, NOW), (e: Error) => {
      assert.ok(e instanceof RangeError);
      assert.match(e.message, /^Invalid line 2: /);
      assert.match(e.message, message);
      return true;
    });
  });
}

Deno.test("parseIngestLines() rejects empty bodies and bodies over the line limit", () => {
  assert.throws(() => parseIngestLines("\n \n", NOW), /Invalid body: no samples/);
  const line = `{"ts":${T0},"host":"h","metric":"m","value":1}\n`;
  assert.throws(
    () => parseIngestLines(line.repeat(3), { ...NOW, maxLines: 2 }),
    /Too many lines: the limit is 2/,
  );
});

Deno.test("parseIngestLines() trusts replayed timestamps far from the clock", () => {
  const line = `{"ts":${T0},"host":"h","metric":"m","value":1}`;
  assert.throws(() => parseIngestLines(line, { now: T0 - 30 * 86_400_000 }), /ts: /);
  assert.equal(parseIngestLines(line, { now: T0 - 30 * 86_400_000, trusted: true }).ts.length, 1);
});

Deno.test("parseIngestLines() takes a huge body of repeated names", () => {
  const lines = Array.from(
    { length: 20_000 },
    (_, i) =>
      JSON.stringify({
        ts: T0 + i,
        host: "h",
        metric: "m",
        labels: { r: `/r${i % 50}` },
        value: i,
      }),
  );
  const b = parseIngestLines(lines.join("\n"), NOW);
  assert.equal(b.ts.length, 20_000);
  assert.equal(b.labels[49], "r=/r49");
  assert.equal(b.value[19_999], 19_999);
});
