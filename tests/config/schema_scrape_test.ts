import assert from "node:assert/strict";
import { parseConfig } from "../../config/mod.ts";

Deno.test("The receivers' keys parse with durations in ms and their defaults left out", () => {
  const c = parseConfig(`
scrape:
  - url: http://127.0.0.1:9100/metrics
    interval: 1s
    timeout: 500ms
    labels: { env: prod }
statsd: { listen: "127.0.0.1:8125" }
probes:
  - { name: api, http: "https://example.test/healthz", match: "ok" }
  - { name: db, tcp: "127.0.0.1:5432", interval: 10s }
receivers_limits: { max_series_per_source: 500 }
otlp: { enabled: false }
`);
  assert.deepEqual(c.scrape, [{
    url: "http://127.0.0.1:9100/metrics",
    interval: 1000,
    timeout: 500,
    labels: { env: "prod" },
  }]);
  assert.equal(c.probes?.[1]?.interval, 10_000);
  assert.equal(c.receivers_limits?.max_series_per_source, 500);
  assert.equal(c.otlp?.enabled, false);
});

Deno.test("Bad receiver settings are refused naming the key", () => {
  const bad: [string, RegExp][] = [
    ["scrape:\n  - url: ftp://x/metrics\n", /http:\/\/ or https:\/\//],
    [
      "scrape:\n  - url: http://x/m\n    interval: 10s\n    timeout: 20s\n",
      /timeout must not exceed interval/,
    ],
    ["scrape:\n  - url: http://x/m\n    labels: { job: a }\n", /reserved/],
    ["scrape:\n  - url: http://x/m\n    interval: 10ms\n", /at least 100ms/],
    ["statsd: { listen: '8125' }\n", /host:port/],
    ["probes:\n  - { name: a }\n", /exactly one of http and tcp/],
    ["probes:\n  - { name: a, tcp: 'h:1', match: x }\n", /match needs http/],
    ["probes:\n  - { name: a, http: 'http://h/', match: '(' }\n", /valid regular expression/],
    ["receivers_limits: { max_series_per_source: 0 }\n", /max_series_per_source/],
  ];
  for (const [text, re] of bad) assert.throws(() => parseConfig(text), re, text);
});
