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
