import assert from "node:assert/strict";
import fc from "fast-check";
import { readSeriesSource, seriesSource } from "../../cli/_series_input.ts";
import { UsageError } from "../../cli/_args.ts";
import { formatLabels, parseLabels } from "../../collectors/mod.ts";
import { props, timeish } from "../_props.ts";

const flag = fc.option(
  fc.oneof(fc.string(), fc.constantFrom("a.csv", "cpu_ratio", "k=v", "a=1,b=2", "=", ",", "14d")),
  {
    nil: undefined,
    freq: 2,
  },
);

Deno.test("seriesSource() answers a source or a UsageError for arbitrary flag values", () => {
  const flags = fc.record({
    input: flag,
    "time-column": flag,
    "value-column": flag,
    metric: flag,
    labels: fc.option(
      fc.oneof(fc.string(), fc.constantFrom("mode=idle,cpu=total", "a=1,,b=2", "a= x ,b=\\,")),
      { nil: undefined },
    ),
    host: flag,
    data: flag,
    since: fc.option(fc.oneof(timeish, fc.string()), { nil: undefined }),
  });
  fc.assert(
    fc.property(flags, (v) => {
      try {
        const s = seriesSource(v);
        if (s.kind === "lake") {
          assert.ok(s.sinceMs > 0 && s.sinceMs <= 8.64e15);
          assert.equal(formatLabels(parseLabels(s.labels)), s.labels);
        } else if (s.kind === "csv") assert.equal(s.input, v.input);
        else assert.fail(`no --source given, yet a ${s.kind} source`);
      } catch (error) {
        assert.ok(error instanceof UsageError, String(error));
        assert.match(error.message, /^(Missing input|Invalid --(labels|since)): /);
      }
    }),
    props(500),
  );
});

Deno.test("readSeriesSource() reads a CSV file or fails with one clear error for arbitrary content", async () => {
  const dir = await Deno.makeTempDir({ prefix: "perfscope-props-" });
  const path = `${dir}/in.csv`;
  const content = fc.oneof(
    fc.string(),
    fc.array(fc.constantFrom("timestamp,value\n", "0,1\n", "60,2\n", "x,y\n", "\r\n", '"', ","), {
      maxLength: 8,
    })
      .map((xs) => xs.join("")),
  );
  try {
    await fc.assert(
      fc.asyncProperty(
        content,
        fc.option(fc.constantFrom("value", "nope"), { nil: undefined }),
        async (text, valueColumn) => {
          await Deno.writeTextFile(path, text);
          try {
            const s = await readSeriesSource({
              kind: "csv",
              input: path,
              maxBytes: 64 * 1024 * 1024,
              ...(valueColumn && { valueColumn }),
            });
            assert.equal(s.ts.length, s.values.length);
            assert.ok(s.from.startsWith(`${path}:`));
          } catch (error) {
            // a named column that is absent is a usage mistake; anything else about the file is not
            const usage = error instanceof UsageError;
            assert.ok(usage || error instanceof RangeError, String(error));
            assert.equal(usage, /--(time|value)-column/.test((error as Error).message));
          }
        },
      ),
      props(150),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
