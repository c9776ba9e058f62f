/**
 * A query parameter a route does not take is a 400 naming it, on every `/api/*` route, with the
 * one likely meant when it is close: `/api/capacity?hosts=nope` answered for every host, as if
 * the typo were not there. The parameters the pages send, and `?token=` in token mode, still
 * pass.
 */
import assert from "node:assert/strict";
import { T0, testApp } from "./_app.ts";

async function error(res: Response): Promise<string> {
  return String((await res.json()).error);
}

Deno.test("Every /api route refuses a query parameter it does not take with a 400 naming it", async () => {
  await using t = await testApp();
  const routes = new Map<string, { method: string; path: string }>();
  for (const r of t.app.routes) {
    if (r.method === "ALL" || !r.path.startsWith("/api/")) continue;
    routes.set(`${r.method} ${r.path}`, r);
  }
  // the routes as of this test: a new one is checked as soon as it is mounted
  assert.ok(routes.size >= 25, [...routes.keys()].join(", "));
  for (const { method, path } of routes.values()) {
    const url = `${path.replaceAll(/:\w+/g, "x")}?zzz=1`;
    const res = await t.app.request(url, {
      method,
      ...(method === "POST" && { headers: { "content-type": "application/json" }, body: "{}" }),
    });
    const said = await error(res);
    assert.equal(res.status, 400, `${method} ${url}: ${said}`);
    assert.match(said, /^Invalid query: zzz: unknown parameter \(this route takes /, url);
  }
});

Deno.test("/api/capacity?hosts=nope is a 400, and a near miss names the parameter meant", async () => {
  await using t = await testApp();
  const cases: [string, string][] = [
    [
      "/api/capacity?hosts=nope",
      "Invalid query: hosts: unknown parameter (this route takes group)",
    ],
    ["/api/capacity?grup=env", "Invalid query: grup: unknown parameter (did you mean group?)"],
    ["/api/capacity?Group=env", "Invalid query: Group: unknown parameter (did you mean group?)"],
    [
      "/api/recommendations?host=a",
      "Invalid query: host: unknown parameter (this route takes no parameters)",
    ],
    [
      "/api/series?metric=m&frm=-1d",
      "Invalid query: frm: unknown parameter (did you mean from?)",
    ],
    ["/api/alerts/history?too=now", "Invalid query: too: unknown parameter (did you mean to?)"],
    ["/api/capacity?=1", "Invalid query: a parameter without a name (this route takes group)"],
    [
      `/api/capacity?${"x".repeat(300)}=1`,
      `Invalid query: ${"x".repeat(100)}…: unknown parameter (this route takes group)`,
    ],
  ];
  for (const [url, want] of cases) {
    const res = await t.app.request(url);
    assert.equal(res.status, 400, url);
    assert.equal(await error(res), want);
  }
  // what the route takes still works
  const plain = await t.app.request("/api/capacity");
  assert.equal(plain.status, 200);
  await plain.body?.cancel();
});

Deno.test("The parameters the pages send pass the check", async () => {
  await using t = await testApp();
  const range = `from=${T0}&to=${T0 + 3_600_000}`;
  // web/client: explore.js and alerts.js (series), alerts.js (history), workflows.js (audit),
  // services.js (history), capacity_page.ts (group)
  const sent = [
    `/api/series?metric=cpu_ratio&labels=&host=&${range}`,
    `/api/series?metric=cpu_ratio&labels=&host=&${range}&format=csv`,
    `/api/series?metric=cpu_ratio&labels=cpu%3Dtotal&host=h1&${range}&step=60s`,
    `/api/series?metrics=cpu_ratio&labels_like=cpu&max_points=10&max_series=5&${range}`,
    `/api/alerts/history?${range}`,
    "/api/audit?since=7d&limit=100",
    "/api/maintenance?duration=1h&within=2d&metric=cpu_ratio&host=h1",
    "/api/balance?within=1d",
  ];
  for (const url of sent) {
    const res = await t.app.request(url);
    assert.notEqual(res.status, 400, `${url}: ${await res.clone().text()}`);
    await res.body?.cancel();
  }
  // answered by the route itself (no such service, no such group): the names passed
  const service = await t.app.request("/api/services/history?service=api&range=1h");
  assert.match(await error(service), /^Unknown service: api/);
  const group = await t.app.request("/api/capacity?group=env");
  assert.match(await error(group), /^Invalid group: env/);
});

Deno.test("?token= passes on every /api route in token mode", async () => {
  await using t = await testApp({ token: "s3cret" });
  for (const url of ["/api/capacity?token=s3cret", "/api/metrics?token=s3cret"]) {
    const res = await t.app.request(url);
    assert.equal(res.status, 200, `${url}: ${await res.clone().text()}`);
    await res.body?.cancel();
  }
  const typo = await t.app.request("/api/metrics?tokn=s3cret", {
    headers: { authorization: "Bearer s3cret" },
  });
  assert.equal(typo.status, 400);
  assert.equal(await error(typo), "Invalid query: tokn: unknown parameter (did you mean token?)");
});
