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
