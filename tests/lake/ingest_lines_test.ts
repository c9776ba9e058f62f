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
  ["no metric", `{"ts":${T0},"host":"h","value":1}`, /metric: missing$/],
  ["no value", `{"ts":${T0},"host":"h","metric":"m"}`, /value: missing$/],
  ["no ts", `{"host":"h","metric":"m","value":1}`, /ts: missing$/],
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
  ["a year-1970 ts", `{"ts":1000,"host":"h","metric":"m","value":1}`, /ts: 1000 is outside/],
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
    /Too many lines: line 3 is past the limit of 2 samples per request/,
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

const hostile: [string, string, RegExp][] = [
  [
    "a 251-byte host",
    JSON.stringify("a".repeat(251)),
    /host: "a+…" is not a host name \(251 bytes, at most 250\)/,
  ],
  ["a 253-byte host", JSON.stringify("a".repeat(253)), /253 bytes, at most 250/],
  ["a multibyte host", JSON.stringify("hôte"), /host: "hôte" is not a host name/],
  ["a host with a slash", JSON.stringify("a/../b"), /host: .* is not a host name/],
  ["the host ..", JSON.stringify(".."), /host: "\.\." is not a host name/],
  ["a host with a leading dot", JSON.stringify(".hidden"), /host: /],
  ["a host with a leading dash", JSON.stringify("-rf"), /host: /],
  ["a host with NUL", JSON.stringify("a\u0000b"), /host: "a\\u0000b" is not/],
  ["a host with =", JSON.stringify("a=b"), /host: /],
  ["a host with a newline", JSON.stringify("a\nb"), /host: "a\\nb" is not/],
  // JSON quoting keeps DEL and C1 (U+009B is a terminal's CSI): the message escapes them too
  ["a host with CSI", JSON.stringify("a\u009b2Jb"), /host: "a\\u009b2Jb" is not/],
  ["a host with DEL", JSON.stringify("a\u007f"), /host: "a\\u007f" is not/],
  ["the host NULL (hive reads it as SQL NULL)", JSON.stringify("Null"), /DuckDB reads it as NULL/],
  ["the hive default partition", JSON.stringify("__HIVE_DEFAULT_PARTITION__"), /host: /],
];

for (const [what, host, message] of hostile) {
  Deno.test(`parseIngestLines() rejects ${what}, naming the line`, () => {
    const line = `{"ts":${T0},"host":${host},"metric":"m","value":1}`;
    assert.throws(() => parseIngestLines(line, NOW), (e: Error) => {
      assert.match(e.message, /^Invalid line 1: host: /);
      assert.match(e.message, message);
      assert.doesNotMatch(e.message, /\n/);
      return true;
    });
  });
}

Deno.test("parseIngestLines() quotes a metric name's C1 control characters escaped", () => {
  const line = `{"ts":${T0},"host":"h","metric":"m\u009b2J","value":1}`;
  assert.throws(
    () => parseIngestLines(line, NOW),
    /^RangeError: Invalid line 1: metric: "m\\u009b2J" is not a snake_case metric name/,
  );
});

Deno.test("parseIngestLines() quotes a metric or label name's bidi controls escaped", () => {
  const line = `{"ts":${T0},"host":"h","metric":"m\u202e_x","value":1}`;
  assert.throws(
    () => parseIngestLines(line, NOW),
    /^RangeError: Invalid line 1: metric: "m\\u202e_x" is not a snake_case metric name/,
  );
  const label = `{"ts":${T0},"host":"h","metric":"m","labels":{"k\u2028":"v"},"value":1}`;
  assert.throws(
    () => parseIngestLines(label, NOW),
    /^RangeError: Invalid line 1: labels: "k\\u2028" is not a label name/,
  );
});

Deno.test("checkIngestBatch() refuses a receiver's sample with a bidi control in a label value", async () => {
  const { checkIngestBatch } = await import("../../lake/ingest_lines.ts");
  const batch = { ts: [T0], host: ["h"], metric: ["m"], labels: ["k=\u202egnp.exe"], value: [1] };
  assert.throws(
    () => checkIngestBatch(batch, NOW),
    /^RangeError: Invalid sample 1: labels.k: contains a bidi control character \(U\+202E\)$/,
  );
});

Deno.test("parseIngestLines() takes a host of exactly 250 bytes and IPv6-style names", () => {
  assert.equal(
    one(`{"ts":${T0},"host":"${"a".repeat(250)}","metric":"m","value":1}`).host?.length,
    250,
  );
  assert.equal(one(`{"ts":${T0},"host":"::1","metric":"m","value":1}`).host, "::1");
  assert.equal(one(`{"ts":${T0},"host":"nulls","metric":"m","value":1}`).host, "nulls");
});

for (const label of ["host", "le", "quantile", "job", "instance", "__name__", "__x"]) {
  Deno.test(`parseIngestLines() refuses the reserved label ${label}, naming it`, () => {
    for (
      const labels of [JSON.stringify({ a: "1", [label]: "web9" }), JSON.stringify(`${label}=web9`)]
    ) {
      const line = `{"ts":${T0},"host":"h","metric":"m","labels":${labels},"value":1}`;
      assert.throws(
        () => parseIngestLines(line, NOW),
        new RegExp(`^RangeError: Invalid line 1: labels: "${label}" is reserved`),
      );
    }
  });
}

const badLabels: [string, unknown, RegExp][] = [
  [
    "33 labels",
    Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`l${i}`, "v"])),
    /labels: more than 32/,
  ],
  ["a 129-byte label name", { ["l".repeat(129)]: "v" }, /is not a label name/],
  [
    "a value of 1025 bytes in 2-byte characters",
    { a: "é".repeat(513) },
    /labels.a: longer than 1024 bytes/,
  ],
  ["a value with a newline", { a: "x\ny" }, /labels.a: contains a control character/],
  ["a value with NUL", { a: "x\u0000" }, /labels.a: contains a control character/],
  ["a value with a lone surrogate", { a: "\ud800" }, /labels.a: not valid Unicode/],
  // C1 controls went in (JSON leaves them raw): U+009B is a terminal's CSI, U+0085 a line break
  ["a value with U+0080", { a: "x\u0080" }, /labels.a: contains a control character \(U\+0080\)/],
  ["a value with NEL", { a: "x\u0085y" }, /labels.a: contains a control character \(U\+0085\)/],
  ["a value with CSI", { a: "\u009b31m" }, /labels.a: contains a control character \(U\+009B\)/],
  ["a value with U+009F", { a: "\u009f" }, /labels.a: contains a control character \(U\+009F\)/],
  ["a C1 value in k=v form", "a=x\u009b", /labels.a: contains a control character \(U\+009B\)/],
  // bidi controls ("Trojan Source", CVE-2021-42574: RLO shows "gnp.exe" as "exe.png", even in
  // its own isolate on a page) and the line and paragraph separators
  [
    "a value with RLO",
    { a: "\u202egnp.exe" },
    /^RangeError: .*labels.a: contains a bidi control character \(U\+202E\)$/,
  ],
  ["a value with LRE", { a: "x\u202a" }, /labels.a: contains a bidi control character \(U\+202A\)/],
  ["a value with PDF", { a: "x\u202c" }, /labels.a: contains a bidi control character \(U\+202C\)/],
  ["a value with LRO", { a: "x\u202d" }, /labels.a: contains a bidi control character \(U\+202D\)/],
  ["a value with LRI", { a: "\u2066x" }, /labels.a: contains a bidi control character \(U\+2066\)/],
  ["a value with FSI", { a: "\u2068x" }, /labels.a: contains a bidi control character \(U\+2068\)/],
  ["a value with PDI", { a: "x\u2069" }, /labels.a: contains a bidi control character \(U\+2069\)/],
  ["a value with U+2028", { a: "x\u2028y" }, /labels.a: contains a line separator \(U\+2028\)/],
  ["a value with U+2029", { a: "x\u2029" }, /labels.a: contains a paragraph separator \(U\+2029\)/],
  [
    "an RLI value in k=v form",
    "a=x\u2067",
    /labels.a: contains a bidi control character \(U\+2067\)/,
  ],
];

for (const [what, labels, message] of badLabels) {
  Deno.test(`parseIngestLines() rejects ${what}`, () => {
    const line = `{"ts":${T0},"host":"h","metric":"m","labels":${
      JSON.stringify(labels)
    },"value":1}`;
    assert.throws(() => parseIngestLines(line, NOW), message);
  });
}

Deno.test("parseIngestLines() takes the printable neighbours of the control characters", () => {
  // and what real names hold: ZWJ in an emoji sequence, LRM, RLM, U+FEFF, a word joiner
  const more = ["👩\u200d💻", "a\u200eb", "\u200fשלום", "\ufeffx", "\u2027\u202f\u2060\u206a"];
  for (const v of ["~", "\u00a0", "\u00ff", ...more]) {
    const line = `{"ts":${T0},"host":"h","metric":"m","labels":{"a":"${v}"},"value":1}`;
    assert.equal(one(line).labels, `a=${v}`);
  }
});

Deno.test("parseIngestLines() takes 32 labels and 1024-byte multibyte values", () => {
  const labels = Object.fromEntries(Array.from({ length: 32 }, (_, i) => [`l${i}`, "v"]));
  assert.equal(
    one(`{"ts":${T0},"host":"h","metric":"m","labels":${JSON.stringify(labels)},"value":1}`).labels
      ?.split(",").length,
    32,
  );
  const value = "€".repeat(341) + "a"; // 1024 bytes
  assert.equal(
    one(`{"ts":${T0},"host":"h","metric":"m","labels":{"a":"${value}"},"value":1}`).labels,
    `a=${value}`,
  );
});

for (const token of ["NaN", "Infinity", "-Infinity", "nan", "1e400"]) {
  Deno.test(`parseIngestLines() rejects the value token ${token}`, () => {
    assert.throws(
      () => parseIngestLines(`{"ts":${T0},"host":"h","metric":"m","value":${token}}`, NOW),
      /^RangeError: Invalid line 1: /,
    );
    assert.throws(
      () => parseIngestLines(`{"ts":${token},"host":"h","metric":"m","value":1}`, NOW),
      /^RangeError: Invalid line 1: /,
    );
  });
}

Deno.test("parseIngestLines() refuses the metric prefix __ that Prometheus reserves", () => {
  assert.throws(
    () => parseIngestLines(`{"ts":${T0},"host":"h","metric":"__up","value":1}`, NOW),
    /metric: "__up" starts with "__"/,
  );
});

Deno.test("parseIngestLines() accepts samples from 30 days ago to 5 minutes ahead, and refuses the whole body beyond", () => {
  const at = (ts: number) => `{"ts":${ts},"host":"h","metric":"m","value":1}`;
  const oldest = T0 - 30 * 86_400_000, newest = T0 + 300_000;
  assert.equal(parseIngestLines(`${at(oldest)}\n${at(newest)}`, NOW).ts.length, 2);
  assert.throws(
    () => parseIngestLines(`${at(T0)}\n${at(oldest - 1)}\n${at(T0)}`, NOW),
    /^RangeError: Invalid line 2: ts: 1701475199999 \(2023-12-01T23:59:59.999Z\) is outside the accepted window, ms since the epoch from 2023-12-02T00:00:00.000Z to 2024-01-01T00:05:00.000Z$/,
  );
  assert.throws(
    () => parseIngestLines(`${at(T0)}\n${at(newest + 1)}`, NOW),
    /^RangeError: Invalid line 2: ts: .* is outside/,
  );
  // both bounds are options
  assert.equal(
    parseIngestLines(at(T0 - 400 * 86_400_000), { ...NOW, maxAgeMs: 500 * 86_400_000 }).ts.length,
    1,
  );
  assert.throws(() => parseIngestLines(at(T0 + 1000), { ...NOW, maxAheadMs: 0 }), /outside/);
});

Deno.test("parseIngestLines() refuses a body past 64 host × date partitions, naming the first line beyond", () => {
  const DAY = 86_400_000;
  const lines = (hosts: number, days: number) => {
    const out: string[] = [];
    for (let h = 0; h < hosts; h++) {
      for (let d = 0; d < days; d++) {
        out.push(`{"ts":${T0 - d * DAY},"host":"h${h}","metric":"m","value":1}`);
      }
    }
    return out.join("\n");
  };
  assert.equal(parseIngestLines(lines(8, 8), NOW).ts.length, 64);
  assert.throws(
    () => parseIngestLines(lines(10, 10), NOW),
    /^RangeError: Too many partitions: line 65 \(host "h6", 2023-12-28\) is past the limit of 64 host × date partitions per request \(split it by host or day\)$/,
  );
  assert.throws(
    () => parseIngestLines(lines(2, 2), { ...NOW, maxPartitions: 3 }),
    /line 4 .* limit of 3/,
  );
  // the same partitions again and again are one partition each
  const repeated = Array.from(
    { length: 1000 },
    (_, i) => `{"ts":${T0 + (i % 2) * 1000},"host":"h${i % 3}","metric":"m","value":1}`,
  );
  assert.equal(parseIngestLines(repeated.join("\n"), { ...NOW, maxPartitions: 3 }).ts.length, 1000);
});

Deno.test("parseIngestLines() checks names again when trusted, but not the clock or the limits", () => {
  const line = `{"ts":${T0},"host":"${"a".repeat(252)}","metric":"m","value":1}`;
  assert.throws(() => parseIngestLines(line, { trusted: true }), /252 bytes/);
  const many = Array.from(
    { length: 100 },
    (_, i) => `{"ts":${T0 - i * 86_400_000},"host":"h","metric":"m","value":1}`,
  );
  assert.equal(parseIngestLines(many.join("\n"), { trusted: true, now: T0 + 1e12 }).ts.length, 100);
});

Deno.test("parseIngestLines() lets a replayed record keep labels and metrics that newer rules reserve", () => {
  const line = `{"ts":${T0},"host":"h","metric":"__up","labels":{"job":"j","x":"a\\nb"},"value":1}`;
  assert.throws(() => parseIngestLines(line, NOW), /metric: "__up"/);
  assert.deepEqual(parseIngestLines(line, { trusted: true }).labels, ["job=j,x=a\nb"]);
  // a bidi control spooled before it was refused replays too
  const rlo = `{"ts":${T0},"host":"h","metric":"m","labels":{"x":"\u202egnp.exe"},"value":1}`;
  assert.throws(() => parseIngestLines(rlo, NOW), /U\+202E/);
  assert.deepEqual(parseIngestLines(rlo, { trusted: true }).labels, ["x=\u202egnp.exe"]);
  // and the relaxed result is not remembered for requests that come later
  const later = `{"ts":${T0},"host":"h","metric":"m","labels":{"job":"j","x":"a\\nb"},"value":1}`;
  assert.throws(() => parseIngestLines(later, NOW), /labels: "job" is reserved/);
});

Deno.test("parseIngestLines() refuses bytes that are not UTF-8, naming the line, instead of storing U+FFFD", () => {
  const enc = new TextEncoder();
  const good = enc.encode(`{"ts":${T0},"host":"h","metric":"m","labels":{"a":"é"},"value":1}\n`);
  const bodies: [string, Uint8Array][] = [
    ["a short label value", enc.encode(`{"ts":${T0},"host":"h","metric":"m","labels":{"a":"`)],
    [
      "a label value over 64 bytes",
      enc.encode(`{"ts":${T0},"host":"h","metric":"m","labels":{"a":"${"x".repeat(80)}`),
    ],
    ["a label string", enc.encode(`{"ts":${T0},"host":"h","metric":"m","labels":"a=`)],
    ["a label name", enc.encode(`{"ts":${T0},"host":"h","metric":"m","labels":{"`)],
  ];
  for (const [what, head] of bodies) {
    const tail = enc.encode(what === "a label name" ? `":"v"},"value":1}\n` : `"},"value":1}\n`);
    // 0xff never occurs in UTF-8; 0xc3 alone is a truncated two-byte sequence
    for (const bad of [[0xff, 0xfe], [0xc3]]) {
      const body = new Uint8Array([...good, ...head, ...bad, ...tail]);
      assert.throws(() => parseIngestLines(body, NOW), {
        name: "RangeError",
        message: /^Invalid line 2: (labels(\.a)?: )?not valid UTF-8/,
      }, `${what} ${bad}`);
    }
  }
  assert.equal(parseIngestLines(good, NOW).labels[0], "a=é");
});

Deno.test("the labels memos of bodies and column samples never let one form pass for the other", async () => {
  // a body's labels are remembered by their JSON source ({…} or "…"), a column sample's by its
  // k=v text: a column sample carrying a remembered body's source text is still refused
  const { checkIngestBatch } = await import("../../lake/ingest_lines.ts");
  const column = (labels: string) => ({
    ts: [T0],
    host: ["h"],
    metric: ["m"],
    labels: [labels],
    value: [1],
  });
  assert.equal(
    one(`{"ts":${T0},"host":"h","metric":"m","labels":{"b":"2","a":"1"},"value":1}`).labels,
    "a=1,b=2",
  );
  assert.equal(
    one(`{"ts":${T0},"host":"h","metric":"m","labels":"b=2,a=1","value":1}`).labels,
    "a=1,b=2",
  );
  assert.throws(
    () => checkIngestBatch(column('{"b":"2","a":"1"}'), NOW),
    /Invalid sample 1: labels/,
  );
  assert.throws(() => checkIngestBatch(column('"b=2,a=1"'), NOW), /Invalid sample 1: labels/);
  // and the column form, remembered, is still read the same way in a body
  assert.equal(checkIngestBatch(column("d=4,c=3"), NOW).labels[0], "c=3,d=4");
  assert.equal(
    one(`{"ts":${T0},"host":"h","metric":"m","labels":"d=4,c=3","value":1}`).labels,
    "c=3,d=4",
  );
  assert.throws(
    () => one(`{"ts":${T0},"host":"h","metric":"m","labels":d=4,"value":1}`),
    /Invalid line 1/,
  );
});
