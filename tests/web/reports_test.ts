import assert from "node:assert/strict";
import { testApp } from "./_app.ts";

Deno.test("GET /reports lists reports, serves the latest and one by name with their own CSP", async () => {
  await using t = await testApp();
  const empty = await t.app.request("/reports?format=json");
  assert.equal(empty.status, 200);
  assert.deepEqual(await empty.json(), []);
  const none = await t.app.request("/reports/latest");
  assert.equal(none.status, 404);
  await Deno.mkdir(`${t.root}/reports`);
  const report = "<!doctype html><title>r</title><script>document.title = 'ok'</script>";
  await Deno.writeTextFile(`${t.root}/reports/capacity-2024-01-01.html`, report);
  const list = await t.app.request("/reports");
  assert.equal(list.status, 200);
  assert.match(await list.text(), /href="\/reports\/capacity-2024-01-01\.html"/);
  const latest = await t.app.request("/reports/latest");
  assert.equal(await latest.text(), report);
  assert.match(latest.headers.get("content-security-policy") ?? "", /script-src 'unsafe-inline'/);
  const byName = await t.app.request("/reports/capacity-2024-01-01.html");
  assert.equal(byName.status, 200);
  assert.equal((await t.app.request("/reports/missing.html")).status, 404);
  assert.equal((await t.app.request("/reports/..%2Fsecret")).status, 404);
  // the app's own pages keep the strict policy and link to the reports
  const live = await t.app.request("/live");
  assert.doesNotMatch(
    live.headers.get("content-security-policy") ?? "",
    /script-src 'unsafe-inline'/,
  );
  assert.match(live.headers.get("content-security-policy") ?? "", /script-src 'self'/);
  assert.match(await live.text(), /<a href="\/reports">Reports<\/a>/);
});

Deno.test("GET /reports needs the token like every route", async () => {
  await using t = await testApp({ token: "s3cret" });
  assert.equal((await t.app.request("/reports/latest")).status, 401);
});

Deno.test("GET /reports is an app page: the layout, Reports current in the nav, an empty state and Generate now", async () => {
  await using t = await testApp();
  const res = await t.app.request("/reports");
  assert.equal(res.status, 200);
  const csp = res.headers.get("content-security-policy") ?? "";
  assert.match(csp, /script-src 'self'/);
  assert.doesNotMatch(csp, /script-src 'unsafe-inline'/);
  const html = await res.text();
  assert.match(html, /<link rel="stylesheet" href="\/assets\/style.css">/);
  for (const page of ["live", "explore", "capacity", "alerts"]) {
    assert.match(html, new RegExp(`<a href="/${page}">`), page);
  }
  assert.match(html, /<a href="\/reports" aria-current="page">Reports<\/a>/);
  assert.match(html, /No report yet/);
  assert.match(html, /<button type="button" class="primary" id="generate">Generate now<\/button>/);
  assert.match(html, /<script src="\/assets\/reports.js"><\/script>/);
  assert.doesNotMatch(html, /<script>/);
  const script = await t.app.request("/assets/reports.js");
  assert.equal(script.status, 200);
  assert.match(await script.text(), /fetch\("\/api\/reports"/);
});

Deno.test("POST /api/reports writes a report into DATA/reports/ and the listing shows it", async () => {
  await using t = await testApp();
  const res = await t.app.request("http://127.0.0.1:8000/api/reports", {
    method: "POST",
    headers: {
      "content-type": "application/json",
      origin: "http://127.0.0.1:8000",
      "sec-fetch-site": "same-origin",
    },
    body: "{}",
  });
  assert.equal(res.status, 201);
  const body = await res.json();
  // dated by the app's clock (T0 + 1 min), like deno task report by the wall clock
  assert.equal(body.name, "capacity-2024-01-01.html");
  assert.equal(body.url, "/reports/capacity-2024-01-01.html");
  assert.equal(res.headers.get("location"), body.url);
  const files = [...Deno.readDirSync(`${t.root}/reports`)].map((e) => e.name);
  assert.deepEqual(files, ["capacity-2024-01-01.html"]); // no temporary file left
  assert.equal(Deno.statSync(`${t.root}/reports/${body.name}`).size, body.bytes);
  const list = await (await t.app.request("/reports")).text();
  assert.match(list, /<a href="\/reports\/capacity-2024-01-01.html">capacity-2024-01-01.html<\/a>/);
  assert.doesNotMatch(list, /No report yet/);
  const report = await t.app.request(body.url);
  assert.match(await report.text(), /<h1>Capacity report<\/h1>/);
});

Deno.test("POST /api/reports from another origin or site is refused with 403 and writes nothing", async () => {
  await using t = await testApp();
  for (
    const headers of [
      { origin: "http://evil.example" },
      { origin: "http://127.0.0.1:9999" },
      { origin: "null" },
      { "sec-fetch-site": "cross-site" },
      { "sec-fetch-site": "same-site" },
    ]
  ) {
    const res = await t.app.request("http://127.0.0.1:8000/api/reports", {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: "{}",
    });
    assert.equal(res.status, 403, JSON.stringify(headers));
    assert.match((await res.json()).error, /^Forbidden/);
  }
  await assert.rejects(() => Deno.stat(`${t.root}/reports`), Deno.errors.NotFound);
});

Deno.test("POST /api/reports takes only a JSON {} body: a form post gets 415, other fields 400", async () => {
  await using t = await testApp();
  const form = await t.app.request("/api/reports", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: "a=1",
  });
  assert.equal(form.status, 415);
  assert.match((await form.json()).error, /^Unsupported content type: application\/x-www-form/);
  const extra = await t.app.request("/api/reports", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: '{"out": "/etc/passwd"}',
  });
  assert.equal(extra.status, 400);
  assert.match((await extra.json()).error, /^Invalid json/);
  const big = await t.app.request("/api/reports", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: `{"x": "${"a".repeat(2000)}"}`,
  });
  assert.equal(big.status, 413);
  await assert.rejects(() => Deno.stat(`${t.root}/reports`), Deno.errors.NotFound);
});
