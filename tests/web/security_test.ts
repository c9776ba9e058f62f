import assert from "node:assert/strict";
import { testApp } from "./_app.ts";

Deno.test("a token-protected app refuses requests without the token", async () => {
  await using t = await testApp({ token: "s3cret" });
  for (
    const path of ["/healthz", "/live", "/api/metrics", "/metrics", "/api/live", "/assets/live.js"]
  ) {
    const res = await t.app.request(path);
    assert.equal(res.status, 401, path);
    assert.match((await res.json()).error, /Unauthorized: send the token/);
  }
  const post = await t.app.request("/api/query", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ sql: "SELECT 1" }),
  });
  assert.equal(post.status, 401);
});

Deno.test("a token-protected app refuses a wrong token in every place", async () => {
  await using t = await testApp({ token: "s3cret" });
  const wrong = [
    await t.app.request("/healthz", { headers: { authorization: "Bearer nope" } }),
    await t.app.request("/healthz?token=s3cre"),
    await t.app.request("/healthz", { headers: { cookie: "perfscope_token=s3cret2" } }),
    await t.app.request("/healthz", { headers: { authorization: "Basic czNjcmV0" } }),
  ];
  for (const res of wrong) assert.equal(res.status, 401);
  assert.match((await wrong[0]!.json()).error, /wrong token/);
});

Deno.test("the token is accepted as bearer, query parameter or cookie; the query sets the cookie", async () => {
  await using t = await testApp({ token: "s3cret" });
  const bearer = await t.app.request("/healthz", { headers: { authorization: "Bearer s3cret" } });
  assert.equal(bearer.status, 200);
  assert.equal(bearer.headers.get("set-cookie"), null);
  const query = await t.app.request("/live?token=s3cret");
  assert.equal(query.status, 200);
  const cookie = query.headers.get("set-cookie") ?? "";
  assert.match(cookie, /^perfscope_token=s3cret; Path=\/; HttpOnly; SameSite=Strict/);
  const withCookie = await t.app.request("/api/metrics", {
    headers: { cookie: "perfscope_token=s3cret" },
  });
  assert.equal(withCookie.status, 200);
});

Deno.test("without a token only loopback Host names are served (DNS rebinding guard)", async () => {
  await using t = await testApp({ allowedHosts: ["127.0.0.2"] });
  for (
    const url of [
      "http://localhost/healthz",
      "http://127.0.0.1:8000/healthz",
      "http://[::1]:8000/healthz",
      "http://127.0.0.2/healthz",
    ]
  ) {
    assert.equal((await t.app.request(url)).status, 200, url);
  }
  const evil = await t.app.request("http://attacker.example:8000/healthz");
  assert.equal(evil.status, 403);
  assert.match((await evil.json()).error, /Forbidden host: attacker.example:8000/);
});

Deno.test("--insecure serves any Host without a token", async () => {
  await using t = await testApp({ insecure: true });
  assert.equal((await t.app.request("http://box.lan/healthz")).status, 200);
});

Deno.test("responses carry a strict content security policy", async () => {
  await using t = await testApp();
  const res = await t.app.request("/live");
  const csp = res.headers.get("content-security-policy") ?? "";
  assert.match(csp, /script-src 'self'/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.equal(res.headers.get("x-content-type-options"), "nosniff");
  assert.equal(res.headers.get("referrer-policy"), "no-referrer");
});

Deno.test("no response carries CORS headers, so other origins cannot read or preflight", async () => {
  await using t = await testApp();
  const origin = "http://evil.example";
  const get = await t.app.request("/api/metrics", { headers: { origin } });
  const preflight = await t.app.request("/api/ingest", {
    method: "OPTIONS",
    headers: {
      origin,
      "access-control-request-method": "POST",
      "access-control-request-headers": "content-type",
    },
  });
  assert.equal(get.status, 200);
  assert.notEqual(preflight.status, 204);
  for (const res of [get, preflight]) {
    await res.body?.cancel();
    const cors = [...res.headers.keys()].filter((k) => k.startsWith("access-control-"));
    assert.deepEqual(cors, []);
  }
});

Deno.test("every page, API answer and report sends Referrer-Policy: no-referrer", async () => {
  await using t = await testApp({ token: "s3cret" });
  await Deno.mkdir(`${t.root}/reports`);
  await Deno.writeTextFile(`${t.root}/reports/r.html`, "<p>report</p>");
  for (const path of ["/live", "/explore", "/api/metrics", "/reports", "/reports/r.html"]) {
    const res = await t.app.request(`${path}?token=s3cret`);
    assert.equal(res.status, 200, path);
    assert.equal(res.headers.get("referrer-policy"), "no-referrer", path);
    await res.body?.cancel();
  }
});

Deno.test("the only state-changing routes are POST /api/ingest, /api/query, /api/reports, /v1/metrics, /api/workflows/{approve,rollback}, /api/silences, /api/alerts/backtest and DELETE /api/silences/:id", async () => {
  await using t = await testApp();
  const unsafe = new Set(
    t.app.routes
      .filter((r) => !["GET", "HEAD", "OPTIONS", "ALL"].includes(r.method))
      .map((r) => `${r.method} ${r.path}`),
  );
  assert.deepEqual([...unsafe].sort(), [
    "DELETE /api/silences/:id",
    "POST /api/alerts/backtest",
    "POST /api/ingest",
    "POST /api/query",
    "POST /api/reports",
    "POST /api/silences",
    "POST /api/workflows/approve",
    "POST /api/workflows/rollback",
    "POST /v1/metrics",
  ]);
  // another method on them is 405 naming the method to use (and its body is never read)
  const put = await t.app.request("/api/ingest", { method: "PUT", body: "x" });
  assert.equal(put.status, 405);
  assert.equal(put.headers.get("allow"), "POST");
});

Deno.test("GET requests on every route leave the lake's files as they were", async () => {
  await using t = await testApp();
  async function files(dir: string): Promise<string[]> {
    const out: string[] = [];
    for await (const e of Deno.readDir(dir)) {
      const path = `${dir}/${e.name}`;
      out.push(...e.isDirectory ? await files(path) : [`${path} ${(await Deno.stat(path)).size}`]);
    }
    return out.sort();
  }
  const before = await files(t.root);
  const paths = new Set(
    t.app.routes.filter((r) => r.method === "GET" && r.path !== "/api/live")
      .map((r) => r.path.replace(/:\w+/g, "x.html")),
  );
  assert.ok(paths.size >= 12, [...paths].join(" "));
  for (const path of paths) {
    const res = await t.app.request(path);
    assert.ok(res.status < 500, `${path}: ${res.status}`);
    await res.body?.cancel();
  }
  assert.deepEqual(await files(t.root), before);
});

Deno.test("a URL longer than the limit gets 414", async () => {
  await using t = await testApp({ maxUrlLength: 100 });
  const res = await t.app.request(`/api/series?metric=${"x".repeat(100)}`);
  assert.equal(res.status, 414);
  assert.equal((await res.json()).error, "URI too long: the limit is 100 characters");
  assert.equal((await t.app.request("/api/audit?limit=1")).status, 200);
});

Deno.test("live streams beyond the limit get 503 until one closes", async () => {
  await using t = await testApp({ maxLiveClients: 2 });
  const open = [await t.app.request("/api/live"), await t.app.request("/api/live")];
  for (const res of open) assert.equal(res.status, 200);
  const third = await t.app.request("/api/live");
  assert.equal(third.status, 503);
  assert.equal(
    (await third.json()).error,
    "Unavailable: 2 live streams are open already; retry later",
  );
  await open[0]!.body?.cancel();
  // the hub forgets the client when its stream is cancelled
  for (let i = 0; i < 100 && t.hub.clients >= 2; i++) await new Promise((r) => setTimeout(r, 10));
  const again = await t.app.request("/api/live");
  assert.equal(again.status, 200);
  await again.body?.cancel();
  await open[1]!.body?.cancel();
});

Deno.test("POST /api/query answers deeply nested JSON with 400, not a crash", async () => {
  await using t = await testApp();
  for (
    const body of [
      "[".repeat(60_000) + "]".repeat(60_000),
      `{"sql": ${"[".repeat(60_000)}${"]".repeat(60_000)}}`,
      `{"sql": "SELECT 1", "x": ${'{"a":'.repeat(10_000)}1${"}".repeat(10_000)}}`,
    ]
  ) {
    const res = await t.app.request("/api/query", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    assert.equal(res.status, 400);
    assert.match((await res.json()).error, /^Invalid/);
  }
});

Deno.test("a browser opening ?token= is redirected to the URL without it, with the cookie set", async () => {
  await using t = await testApp({ token: "s3cret" });
  const res = await t.app.request("/explore?token=s3cret&metric=cpu_ratio", {
    headers: { "sec-fetch-mode": "navigate" },
  });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get("location"), "/explore?metric=cpu_ratio");
  assert.match(res.headers.get("set-cookie") ?? "", /^perfscope_token=s3cret; Path=\/; HttpOnly/);
  const wrong = await t.app.request("/explore?token=nope", {
    headers: { "sec-fetch-mode": "navigate" },
  });
  assert.equal(wrong.status, 401);
  // scripts and EventSource keep their answers
  assert.equal((await t.app.request("/api/metrics?token=s3cret")).status, 200);
});
