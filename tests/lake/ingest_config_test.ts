import assert from "node:assert/strict";
import { ConfigError, parseConfig } from "../../config/mod.ts";

Deno.test("The ingest budgets the example documents, uncommented, parse to the writer's defaults", async () => {
  const text = (await Deno.readTextFile(new URL("../../examples/perfscope.yaml", import.meta.url)))
    .replace(
      /^# (max_buffered_rows|max_spool_bytes|flush_rows|flush_spool_bytes|flush_every|max_flush_lag|flush_thread|max_body_bytes_in_flight):/gm,
      "  $1:",
    );
  const { ingest } = parseConfig(text);
  assert.deepEqual(ingest, {
    max_age: 30 * 86_400_000,
    max_ahead: 300_000,
    max_lines: 250_000,
    max_partitions: 64,
    max_buffered_rows: 500_000,
    max_spool_bytes: 256 * 1024 * 1024,
    flush_rows: 100_000,
    flush_spool_bytes: 16 * 1024 * 1024,
    flush_every: 10_000,
    max_flush_lag: 30_000,
    flush_thread: true,
    max_body_bytes_in_flight: 64 * 1024 * 1024,
  });
});

Deno.test("The ingest budgets refuse values that would disable them, naming the key", () => {
  assert.throws(() => parseConfig("ingest:\n  max_buffered_rows: 0\n"), ConfigError);
  assert.throws(() => parseConfig("ingest:\n  max_spool_bytes: 1000\n"), /max_spool_bytes/);
  assert.throws(() => parseConfig("ingest:\n  flush_every: -1s\n"), ConfigError);
  assert.throws(
    () => parseConfig("ingest:\n  max_body_bytes_in_flight: 1000\n"),
    /max_body_bytes_in_flight/,
  );
});
