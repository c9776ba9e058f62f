import assert from "node:assert/strict";
import fc from "fast-check";
import { parseDuration, parseFlags, parseNumber, UsageError } from "../../cli/_args.ts";
import { props, timeish } from "../_props.ts";

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const unit = fc.constantFrom(...(Object.keys(UNIT_MS) as (keyof typeof UNIT_MS)[]));

/** The one outcome allowed for bad text: a UsageError naming the flag and the text. */
function usageErrorOr<T>(run: () => T, flag: string, text: string): T | undefined {
  try {
    return run();
  } catch (error) {
    assert.ok(error instanceof UsageError, `${String(error)} for ${JSON.stringify(text)}`);
    assert.ok(error.message.startsWith(`Invalid --${flag}: `), error.message);
    assert.ok(!error.message.includes("\n") || text.includes("\n"), error.message);
    return undefined;
  }
}

Deno.test("parseDuration() reads every formatted duration back, bare numbers as seconds", () => {
  const parts = fc.array(fc.tuple(fc.integer({ min: 0, max: 100_000 }), unit), {
    minLength: 1,
    maxLength: 5,
  }).filter((ps) => ps.some(([n]) => n > 0));
  fc.assert(
    fc.property(parts, fc.integer({ min: 1, max: 1e9 }), (ps, seconds) => {
      const text = ps.map(([n, u]) => `${n}${u}`).join("");
      assert.equal(parseDuration(text, "since"), ps.reduce((s, [n, u]) => s + n * UNIT_MS[u], 0));
      assert.equal(parseDuration(String(seconds)), seconds * 1000);
    }),
    props(300),
  );
});

Deno.test("parseDuration() answers a positive finite duration or a UsageError for any text", () => {
  fc.assert(
    fc.property(fc.oneof(timeish, fc.string(), fc.string({ unit: "binary" })), (text) => {
      const ms = usageErrorOr(() => parseDuration(text, "since"), "since", text);
      if (ms !== undefined) assert.ok(ms > 0 && ms <= 8.64e15, `${ms} for ${text}`);
    }),
    props(1000),
  );
});

Deno.test("parseNumber() answers a number within its bounds or a UsageError for any text", () => {
  const text = fc.oneof(
    fc.string(),
    fc.double().map(String),
    fc.integer().map(String),
    fc.constantFrom("Infinity", "-Infinity", "NaN", "0x10", "1e400", " ", "1_000"),
  );
  fc.assert(
    fc.property(text, fc.boolean(), (t, integer) => {
      const n = usageErrorOr(
        () => parseNumber(t, "port", { min: 1, max: 65535, integer }),
        "port",
        t,
      );
      if (n !== undefined) {
        assert.ok(n >= 1 && n <= 65535 && (!integer || Number.isInteger(n)), `${n} for ${t}`);
      }
    }),
    props(500),
  );
});

// Regression found by the properties: 20 digits of weeks passed as 6.048e28 ms and failed later
// in the lake with a DuckDB conversion error instead of a usage line.
Deno.test("parseDuration() refuses a duration beyond Date's range with a usage line", () => {
  assert.throws(
    () => parseDuration("99999999999999999999w", "since"),
    { name: "UsageError", message: /^Invalid --since: 99999999999999999999w \(longer than/ },
  );
  assert.throws(() => parseDuration("9".repeat(400), "since"), { name: "UsageError" });
});

Deno.test("A duration flag over the limit names the limit in years, not milliseconds", () => {
  assert.throws(() => parseDuration("99999999999999999999w", "since"), (error: Error) => {
    assert.match(error.message, /\(longer than \d+ years\)$/);
    assert.doesNotMatch(error.message, /\bms\b/);
    return true;
  });
});

Deno.test("A flag followed by a negative number or another flag says how to give its value", () => {
  const options = { port: { type: "string" }, input: { type: "string" } } as const;
  // it said only "Option '--port' argument is ambiguous."
  assert.throws(() => parseFlags(["--port", "-1"], options), {
    name: "UsageError",
    message: 'Invalid arguments: --port -1: a value starting with "-" is written --port=-1',
  });
  assert.throws(() => parseFlags(["--input", "--port", "8"], options), {
    name: "UsageError",
    message: "Invalid arguments: --input --port: --input needs a value before --port",
  });
  assert.equal(parseFlags(["--port=-1"], options).values.port, "-1");
  assert.throws(() => parseFlags(["--bogus"], options), { message: /Unknown option '--bogus'/ });
});
