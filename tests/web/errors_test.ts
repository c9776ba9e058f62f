import assert from "node:assert/strict";
import { QueryTimeoutError } from "../../web/errors.ts";
import { testApp } from "./_app.ts";

Deno.test("A query timeout says its limit as a duration, not a count of milliseconds", () => {
  assert.equal(new QueryTimeoutError(30_000).message, "Query timeout: interrupted after 30 s");
  assert.equal(new QueryTimeoutError(300).message, "Query timeout: interrupted after 300 ms");
  assert.equal(new QueryTimeoutError(120_000).message, "Query timeout: interrupted after 2 min");
});

// Regression: a 5,000-character Host header or a 400-digit `from` came back whole in the 400
Deno.test("a 4xx quotes at most 100 characters of what the client sent, then …", async () => {
  await using t = await testApp({ allowedHosts: ["box.lan"] });
  const long = "a".repeat(5_000);
  const digits = "9".repeat(400);
  const cases: [string, RequestInit, RegExp][] = [
    [
      "/healthz",
      { headers: { host: `${"a".repeat(60)}.`.repeat(4) } },
      /^Forbidden host: [a.]{100}… \(/,
    ],
    ["/healthz", { headers: { host: `${long}!` } }, /^Invalid Host header: "a{100}…" \(expected/],
    [`/api/series?metric=m&from=${digits}`, {}, /^Invalid from: 9{100}…$/],
    [`/api/series?metric=m&to=x${digits}`, {}, /^Invalid to: x9{99}…$/],
    [`/api/series?metric=m&step=${long}`, {}, /^Invalid step: a{100}… \(use/],
    [`/api/series?metrics=${long.toUpperCase()}`, {}, /^Invalid metrics: A{100}…$/],
    [
      `/api/series?metric=m&${long.slice(0, 1_000)}=1&${long.slice(0, 1_000)}=2`,
      {},
      /^Invalid query: a{100}…: given 2 times/,
    ],
    [`/api/services/history?service=${long.slice(0, 200)}`, {}, /^Unknown service: a{100}…$/],
    [`/api/services/history?service=s&range=${digits}`, {}, /^Invalid range: 9{100}… \(use/],
    [
      `/api/series?metric=m&labels=${long.slice(0, 1_000)}=1,${long.slice(0, 1_000)}=2`,
      {},
      /^Invalid labels: a{100}… given twice$/,
    ],
    [`/capacity?group=${long}`, {}, /^Invalid group: a{100}… \(/],
    [`/dashboards/${long}`, {}, /^Unknown dashboard: a{100}…$/],
    [`/assets/${long}.js`, {}, /^Not found: \/assets\/a{100}…$/],
  ];
  for (const [path, init, want] of cases) {
    const res = await t.app.request(path, init);
    const { error } = await res.json();
    assert.ok(res.status >= 400 && res.status < 500, `${path.slice(0, 40)}: ${res.status}`);
    assert.match(error, want, `${path.slice(0, 40)}: ${error.slice(0, 200)}`);
    assert.ok(error.length < 200, `${path.slice(0, 40)}: ${error.length} characters`);
  }
});

// Regression: the 500 line quoted the error's message as it was, so a route failing on what a
// client sent put its escape sequences (CSI, ESC) and newlines into serve's terminal and log
Deno.test("serve's log line of a 500 writes the control characters of its message escaped", async () => {
  await using t = await testApp();
  t.app.get("/fails/:text", (c) => {
    throw new Error(`cannot read ${c.req.param("text")}`);
  });
  const logged: string[] = [];
  const error = console.error;
  console.error = (...args: unknown[]) => void logged.push(args.map(String).join(" "));
  try {
    const res = await t.app.request(
      `/fails/${encodeURIComponent("x\u009b2J\u001b]0;pwn\u0007\ny")}`,
    );
    assert.equal(res.status, 500);
    await res.body?.cancel();
  } finally {
    console.error = error;
  }
  assert.equal(logged.length, 1, logged.join("\n"));
  assert.equal(
    logged[0],
    "serve: GET /fails/x%C2%9B2J%1B%5D0%3Bpwn%07%0Ay: cannot read " +
      "x\\u009b2J\\u001b]0;pwn\\u0007\\u000ay",
  );
});

// Regression: a 4xx quoted the client's text as sent, so a newline split the one-line message
// and a C1 CSI (U+009B) reached the terminal of a client reading the answer with curl
Deno.test("a 4xx quoting the client's text writes its control characters escaped, in one line", async () => {
  await using t = await testApp();
  const x = encodeURIComponent("a\nb\u009b2J\u0007");
  const paths = [
    `/api/series?metric=m&from=${x}`,
    `/api/series?metric=m&step=${x}`,
    `/api/series?metrics=${x}`,
    `/api/series?metric=m&labels=${x}`,
    `/api/services/history?service=${x}`,
    `/api/services/history?service=s&range=${x}`,
    `/api/alerts/history?from=${x}`,
    `/capacity?group=${x}`,
    `/dashboards/${x}`,
    `/assets/${x}.js`,
  ];
  for (const path of paths) {
    const res = await t.app.request(path);
    const { error } = await res.json();
    assert.ok(res.status >= 400 && res.status < 500, `${path}: ${res.status}`);
    // deno-lint-ignore no-control-regex
    assert.doesNotMatch(error, /[\u0000-\u001f\u007f-\u009f]/, `${path}: ${JSON.stringify(error)}`);
    // (the labels message quotes as JSON does: \\n)
    assert.match(error, /a\\(u000a|n)b\\u009b2J\\u0007/, path);
  }
});
