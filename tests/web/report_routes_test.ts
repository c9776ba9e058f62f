import assert from "node:assert/strict";
import { join } from "node:path";
import { listReports, reportRoutes } from "../../web/routes/reports.ts";

async function lakeWithReports(): Promise<string> {
  const root = await Deno.makeTempDir();
  await Deno.mkdir(join(root, "reports"));
  await Deno.writeTextFile(join(root, "reports", "capacity-2025-01-01.html"), "<p>old</p>");
  await Deno.writeTextFile(join(root, "reports", "capacity-2025-01-02.html"), "<p>new</p>");
  await Deno.writeTextFile(join(root, "reports", "notes.txt"), "not a report");
  await Deno.utime(join(root, "reports", "capacity-2025-01-01.html"), 1000, 1000);
  await Deno.utime(join(root, "reports", "capacity-2025-01-02.html"), 2000, 2000);
  return root;
}

Deno.test("listReports() lists HTML reports newest first and ignores other files", async () => {
  const root = await lakeWithReports();
  const files = await listReports(root);
  assert.deepEqual(files.map((f) => f.name), [
    "capacity-2025-01-02.html",
    "capacity-2025-01-01.html",
  ]);
  assert.equal(files[0]!.mtime, 2_000_000);
  assert.equal(files[0]!.size, "<p>new</p>".length);
  assert.deepEqual(await listReports(join(root, "absent")), []);
});

Deno.test("reportRoutes() serves the list, the latest report and reports by name", async () => {
  const root = await lakeWithReports();
  const app = reportRoutes({ root });
  const list = await app.request("/");
  assert.equal(list.status, 200);
  const html = await list.text();
  assert.match(html, /href="\/capacity-2025-01-02.html"/);
  assert.ok(html.indexOf("01-02") < html.indexOf("01-01"));
  const json = await (await app.request("/?format=json")).json();
  assert.equal(json.length, 2);
  assert.equal(await (await app.request("/latest")).text(), "<p>new</p>");
  const named = await app.request("/capacity-2025-01-01.html");
  assert.equal(named.headers.get("content-type"), "text/html; charset=UTF-8");
  assert.equal(await named.text(), "<p>old</p>");
});

Deno.test("reportRoutes() answers 404 for unknown, non-report and traversal names", async () => {
  const root = await lakeWithReports();
  const app = reportRoutes({ root });
  assert.equal((await app.request("/capacity-1999-01-01.html")).status, 404);
  assert.equal((await app.request("/notes.txt")).status, 404);
  assert.equal((await app.request("/..%2Fsecret.html")).status, 404);
  const empty = reportRoutes({ root: await Deno.makeTempDir() });
  assert.equal((await empty.request("/latest")).status, 404);
  assert.match(await (await empty.request("/")).text(), /No report yet/);
});

Deno.test("reportRoutes() quotes a refused name on one line, control characters escaped and cut", async () => {
  // a plain-text 404 quoted the name raw: a newline split it, a CSI reached curl's terminal
  const app = reportRoutes({ root: await lakeWithReports() });
  const res = await app.request(`/${encodeURIComponent("x\n\u009b2Jy.txt")}`);
  assert.equal(res.status, 404);
  assert.equal(await res.text(), "Not a report: x\\u000a\\u009b2Jy.txt");
  const long = await app.request(`/${"n".repeat(5000)}.txt`);
  assert.equal(await long.text(), `Not a report: ${"n".repeat(100)}…`);
});

Deno.test("reportRoutes() lists and serves reports whose names have spaces, #, % or accents", async () => {
  // deno task report --out "data/reports/Q4 review.html" wrote a report the Reports page never
  // listed, and its URL answered "Not a report"
  const root = await lakeWithReports();
  const names = ["Q4 review.html", "a#b%20.html", "März.HTML"];
  for (const name of names) await Deno.writeTextFile(join(root, "reports", name), `<p>${name}</p>`);
  await Deno.writeTextFile(join(root, "reports", ".hidden.html"), "hidden");
  const app = reportRoutes({ root });
  const listed = (await (await app.request("/?format=json")).json()).map((f: { name: string }) =>
    f.name
  );
  for (const name of names) assert.ok(listed.includes(name), `${name} in ${listed}`);
  assert.ok(!listed.includes(".hidden.html"));
  const html = await (await app.request("/")).text();
  for (const name of names) {
    const href = `/${encodeURIComponent(name)}`;
    assert.ok(html.includes(`href="${href}"`), `${name} linked as ${href}`);
    const res = await app.request(href);
    assert.equal(res.status, 200, name);
    assert.equal(await res.text(), `<p>${name}</p>`);
  }
  assert.equal((await app.request("/.hidden.html")).status, 404);
  assert.equal((await app.request("/..%2F..%2Fsecret.html")).status, 404);
});

Deno.test("reportRoutes() links relative to where it is mounted", async () => {
  const { Hono } = await import("hono");
  const root = await lakeWithReports();
  const app = new Hono().route("/reports", reportRoutes({ root }));
  const html = await (await app.request("/reports")).text();
  assert.match(html, /href="\/reports\/capacity-2025-01-02.html"/);
  assert.equal(await (await app.request("/reports/latest")).text(), "<p>new</p>");
});
