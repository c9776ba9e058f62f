import assert from "node:assert/strict";
import { join } from "node:path";
import { launchChromium, openPage } from "../_browser.ts";
import { startServe } from "../_serve.ts";
import { missing } from "../_skip.ts";
import { serveText } from "../_serve_text.ts";

/** The report files under `<data>/reports/`; empty when the folder is absent. */
function reportFiles(data: string): string[] {
  try {
    return [...Deno.readDirSync(join(data, "reports"))].map((e) => e.name).sort();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
}

/** A page on another origin that tries every preflight-free way to POST to /api/reports. */
function attackPage(app: string): string {
  return `<!doctype html><html><body>
<iframe name="sink"></iframe>
<form id="form" method="POST" action="${app}/api/reports" target="sink"><input name="x" value="1"></form>
<script>
window.attack = (async () => {
  const url = ${JSON.stringify(app)} + "/api/reports";
  for (const init of [
    { mode: "no-cors", headers: { "content-type": "text/plain" }, body: "{}" },
    { mode: "no-cors", body: new URLSearchParams({ x: "1" }) },
  ]) await fetch(url, { method: "POST", ...init }).catch(() => {});
  const cors = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" })
    .then(() => "sent", (e) => String(e));
  await new Promise((resolve) => {
    document.querySelector("iframe").addEventListener("load", resolve, { once: true });
    setTimeout(resolve, 5000);
    document.getElementById("form").submit();
  });
  return cors;
})();
</script></body></html>`;
}

Deno.test({
  name:
    "in Chromium, Generate now on /reports writes a report and lists it; another origin's page cannot",
  ignore: missing("chromium", "the Reports page browser test"),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const data = await Deno.makeTempDir({ prefix: "perfscope-reports-browser-" });
    const server = await startServe(["--data", data, "--no-collect"]);
    const app = server.url.origin;
    const attacker = serveText(attackPage(app), { "content-type": "text/html" });
    const browser = await launchChromium();
    try {
      const evil = await openPage(browser);
      const answered: string[] = [];
      evil.page.on("response", (res) => {
        if (res.request().method() === "POST" && res.url().startsWith(app)) {
          answered.push(`${new URL(res.url()).pathname} ${res.status()}`);
        }
      });
      await evil.page.goto(`http://127.0.0.1:${attacker.addr.port}/`);
      // the JSON fetch needs a preflight, which the app never grants: its POST is not sent
      assert.match(await evil.page.evaluate("window.attack"), /TypeError/);
      // the form's answer is the only one the browser shows: refused by the origin check
      assert.deepEqual(answered, ["/api/reports 403"]);
      await evil.page.close();
      assert.deepEqual(reportFiles(data), []);

      const { page, errors } = await openPage(browser);
      await page.goto(`${app}/reports`);
      assert.match(await page.textContent("main") ?? "", /No report yet/);
      const reloaded = page.waitForEvent("load");
      const posted = page.waitForResponse((r) => r.url().endsWith("/api/reports"));
      await page.click("#generate");
      assert.equal((await posted).status(), 201);
      await reloaded;
      const name = reportFiles(data)[0] ?? "";
      assert.match(name, /^capacity-\d{4}-\d\d-\d\d\.html$/);
      assert.equal(await page.textContent("tbody td a"), name);
      assert.equal(await page.getAttribute("nav a[aria-current=page]", "href"), "/reports");
      await page.close();
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
      await attacker.shutdown();
      server.stop();
      await server.done;
      await Deno.remove(data, { recursive: true });
    }
  },
});
