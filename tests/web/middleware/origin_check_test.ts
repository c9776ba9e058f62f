import assert from "node:assert/strict";
import { jsonLines, storedSamples, T0, type TestApp, testApp } from "../_app.ts";

const APP = "http://127.0.0.1:8000";
const ND = "application/x-ndjson";
const sample = { ts: T0, host: "h", metric: "queue_depth", labels: { queue: "a" }, value: 1 };

function stored(t: TestApp): Promise<number> {
  return storedSamples(t, APP);
}

function ingest(t: TestApp, headers: Record<string, string>, type = ND) {
  return t.app.request(`${APP}/api/ingest`, {
    method: "POST",
    headers: { "content-type": type, ...headers },
    body: jsonLines([sample]),
  });
}

const crossSite: [string, Record<string, string>][] = [
  ["another port of the same host", { origin: "http://127.0.0.1:9999" }],
  ["another loopback address", { origin: "http://127.0.0.2:8000" }],
  ["a public site", { origin: "https://evil.example", "sec-fetch-site": "cross-site" }],
  ["https on the same host and port", { origin: "https://127.0.0.1:8000" }],
  ["localhost for a 127.0.0.1 app", { origin: "http://localhost:8000" }],
  ["a sandboxed frame (Origin: null)", { origin: "null" }],
  ["a page that sent Sec-Fetch-Site cross-site and no Origin", { "sec-fetch-site": "cross-site" }],
  ["a page that sent Sec-Fetch-Site same-site and no Origin", { "sec-fetch-site": "same-site" }],
  ["a page that sent the own Origin but Sec-Fetch-Site same-site", {
    origin: APP,
    "sec-fetch-site": "same-site",
  }],
];

for (const [what, headers] of crossSite) {
  Deno.test(`POST /api/ingest from ${what} gets 403 and stores nothing`, async () => {
    await using t = await testApp();
    const res = await ingest(t, headers);
    assert.equal(res.status, 403);
    assert.match((await res.json()).error, /^Forbidden/);
    assert.equal(await stored(t), 0);
  });
}

Deno.test("POST /api/ingest from the app's own page, curl or a script is stored", async () => {
  await using t = await testApp();
  const allowed = [
    {},
    { origin: APP },
    { origin: APP, "sec-fetch-site": "same-origin" },
    { "sec-fetch-site": "none" },
  ];
  for (const headers of allowed) assert.equal((await ingest(t, headers)).status, 200);
  assert.equal(await stored(t), 4);
});

Deno.test("an app opened as localhost. takes POSTs from its own origin only, dot included", async () => {
  // a browser keeps the dot of http://localhost.:8000 in its Origin: another origin than
  // http://localhost:8000, as for cookies and storage
  await using t = await testApp();
  const post = (url: string, origin: string) =>
    t.app.request(`${url}/api/ingest`, {
      method: "POST",
      headers: { "content-type": ND, origin },
      body: jsonLines([sample]),
    });
  assert.equal((await post("http://localhost.:8000", "http://localhost.:8000")).status, 200);
  assert.equal((await post("http://localhost.:8000", "http://localhost:8000")).status, 403);
  assert.equal((await post("http://localhost:8000", "http://localhost.:8000")).status, 403);
  // the URL standard reads 127.0.0.1. as 127.0.0.1, in the request's URL as in the Origin
  assert.equal((await post("http://127.0.0.1.:8000", APP)).status, 200);
  assert.equal((await post("http://localhost.:8000", "http://evil.example.")).status, 403);
  assert.equal(await stored(t), 2);
});

Deno.test("a cross-origin POST is refused in token mode even with the token cookie", async () => {
  // another port on 127.0.0.1 is the same site, so the SameSite=Strict cookie goes along
  await using t = await testApp({ token: "s3cret" });
  const cookie = "perfscope_token=s3cret";
  const res = await ingest(t, { cookie, origin: "http://127.0.0.1:9999" });
  assert.equal(res.status, 403);
  assert.equal((await ingest(t, { cookie, origin: APP })).status, 200);
});

Deno.test("a cross-origin POST is refused with --insecure too", async () => {
  await using t = await testApp({ insecure: true });
  const res = await ingest(t, { origin: "http://evil.example" });
  assert.equal(res.status, 403);
});

Deno.test("allowedOrigins admits a proxy's public origin", async () => {
  await using t = await testApp({ allowedOrigins: ["https://perf.example/"] });
  assert.equal((await ingest(t, { origin: "https://perf.example" })).status, 200);
  assert.equal((await ingest(t, { origin: "https://perf.example:444" })).status, 403);
});

Deno.test("POST /api/query from another origin gets 403", async () => {
  await using t = await testApp();
  const res = await t.app.request(`${APP}/api/query`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: "http://127.0.0.1:9999" },
    body: JSON.stringify({ sql: "SELECT 1" }),
  });
  assert.equal(res.status, 403);
});

Deno.test("PUT, PATCH and DELETE are checked like POST; GET is not", async () => {
  await using t = await testApp();
  const origin = "http://evil.example";
  for (const method of ["PUT", "PATCH", "DELETE"]) {
    const res = await t.app.request(`${APP}/api/ingest`, { method, headers: { origin } });
    assert.equal(res.status, 403, method);
  }
  const get = await t.app.request(`${APP}/api/metrics`, { headers: { origin } });
  assert.equal(get.status, 200);
});

const simpleTypes = [
  "text/plain",
  "text/plain;charset=UTF-8",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
];

Deno.test("POST /api/ingest refuses the content types a page can send cross-origin with 415", async () => {
  await using t = await testApp();
  for (const type of simpleTypes) {
    const res = await ingest(t, {}, type);
    assert.equal(res.status, 415, type);
    assert.match((await res.json()).error, /send Content-Type: application\/x-ndjson/);
  }
  assert.equal(await stored(t), 0);
});

Deno.test("POST /api/ingest accepts the JSON-lines types, with parameters, in any case", async () => {
  await using t = await testApp();
  const types = [
    "application/x-ndjson",
    "application/jsonl",
    "application/json-lines",
    "application/json",
    "Application/X-NDJSON; charset=utf-8",
  ];
  for (const type of types) assert.equal((await ingest(t, {}, type)).status, 200, type);
});

Deno.test("a POST without a content type (curl -d sends form encoding) is told what to send", async () => {
  await using t = await testApp();
  const none = await t.app.request(`${APP}/api/ingest`, { method: "POST", body: null });
  assert.equal(none.status, 415);
  assert.equal(
    (await none.json()).error,
    "Unsupported content type: none (send Content-Type: application/x-ndjson, one sample per " +
      "line, e.g. curl -H 'Content-Type: application/x-ndjson' --data-binary @samples.jsonl)",
  );
  const query = await t.app.request(`${APP}/api/query`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: '{"sql":"SELECT 1"}',
  });
  assert.equal(query.status, 415);
  assert.match(
    (await query.json()).error,
    /^Unsupported content type: application\/x-www-form-urlencoded \(send Content-Type: application\/json, like \{"sql": "SELECT …"\}, e\.g\. curl -H/,
  );
});
