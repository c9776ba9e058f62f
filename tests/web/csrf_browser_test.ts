import assert from "node:assert/strict";
import { join } from "node:path";
import { launchChromium, openPage } from "../_browser.ts";
import { startServe } from "../_serve.ts";
import { missing } from "../_skip.ts";

/** Every file under `dir` with its size, e.g. `spool_ingest/1.seg 120`; empty when absent. */
async function listing(dir: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      const path = join(dir, entry.name);
      if (entry.isDirectory) out.push(...await listing(path, `${prefix}${entry.name}/`));
      else out.push(`${prefix}${entry.name} ${(await Deno.stat(path)).size}`);
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return out.sort();
}

/** What a lake holds: its ingest spool and Parquet files. */
async function lakeFiles(root: string): Promise<string[]> {
  return [
    ...await listing(join(root, "spool_ingest"), "spool_ingest/"),
    ...await listing(join(root, "metrics"), "metrics/"),
  ];
}

/**
 * The attacker's page: every way a page on another origin can make the browser POST to the app
 * without being allowed by CORS (no-cors fetches with the bodies and types that need no
 * preflight, a `text/plain` form shaped as a JSON line), plus one fetch that needs a preflight.
 */
function attackPage(app: string): string {
  const line = JSON.stringify({ ts: Date.now(), host: "csrf", metric: "pwned", value: 1 });
  const field = line.slice(0, -1) + ',"x":"';
  return `<!doctype html><html><body>
<iframe name="sink"></iframe>
<form id="form" method="POST" action="${app}/api/ingest" enctype="text/plain" target="sink">
<input name='${field}' value='"}'></form>
<script>
const app = ${JSON.stringify(app)};
const line = ${JSON.stringify(line + "\n")};
async function attempt(name, init, path = "/api/ingest") {
  try {
    await fetch(app + path, { method: "POST", ...init });
    return [name, "sent"];
  } catch (error) {
    return [name, String(error)];
  }
}
window.attack = (async () => {
  const results = [
    await attempt("no-cors text/plain", { mode: "no-cors", headers: { "content-type": "text/plain" }, body: line }),
    await attempt("no-cors string", { mode: "no-cors", body: line }),
    await attempt("no-cors ndjson blob", { mode: "no-cors", body: new Blob([line], { type: "application/x-ndjson" }) }),
    await attempt("no-cors form", { mode: "no-cors", body: new URLSearchParams({ [line]: "" }) }),
    await attempt("cors ndjson", { headers: { "content-type": "application/x-ndjson" }, body: line }),
    await attempt("no-cors query", { mode: "no-cors", headers: { "content-type": "text/plain" }, body: '{"sql":"SELECT 1"}' }, "/api/query"),
  ];
  await new Promise((resolve) => {
    document.querySelector("iframe").addEventListener("load", resolve, { once: true });
    setTimeout(resolve, 5000);
    document.getElementById("form").submit();
  });
  return results;
})();
</script></body></html>`;
}

Deno.test({
  name:
    "a page on another origin cannot store samples through the browser; the app's own pages still can",
  ignore: missing("chromium", "the cross-site request forgery test"),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const data = await Deno.makeTempDir({ prefix: "perfscope-csrf-" });
    const server = await startServe(["--data", data, "--no-collect"]);
    const app = server.url.origin;
    // two attackers: another port on the same address (same site, other origin) and another
    // loopback address (another site)
    const attackers = ["127.0.0.1", "127.0.0.2"].map((hostname) =>
      Deno.serve(
        { hostname, port: 0, onListen() {} },
        () => new Response(attackPage(app), { headers: { "content-type": "text/html" } }),
      )
    );
    const browser = await launchChromium();
    try {
      const before = await lakeFiles(data);
      for (const attacker of attackers) {
        const { page } = await openPage(browser);
        const sent: string[] = [];
        const answered: string[] = [];
        page.on("request", (req) => {
          if (req.method() !== "GET" && req.url().startsWith(app)) {
            sent.push(`${req.method()} ${new URL(req.url()).pathname}`);
          }
        });
        page.on("response", (res) => {
          if (res.request().method() === "POST" && res.url().startsWith(app)) {
            answered.push(`${new URL(res.url()).pathname} ${res.status()}`);
          }
        });
        const where = `http://${attacker.addr.hostname}:${attacker.addr.port}/`;
        await page.goto(where);
        const results: [string, string][] = await page.evaluate("window.attack");
        // the preflighted fetch never sends its POST: the app answers no CORS headers
        assert.match(Object.fromEntries(results)["cors ndjson"]!, /TypeError/, where);
        await page.close();
        // the simple requests did leave the browser (5 no-cors fetches, the form)...
        assert.ok(sent.filter((s) => s.startsWith("POST")).length >= 6, sent.join("; "));
        // ...and were refused (the browser hides the no-cors answers; the form's is a page)
        assert.deepEqual(answered, ["/api/ingest 403"], where);
      }
      assert.deepEqual(await lakeFiles(data), before, "the attack stored something");

      // the app's own page: its fetches work, and a POST from it (with its Origin) is stored
      const { page, errors } = await openPage(browser);
      const metrics = page.waitForResponse((r) => r.url().endsWith("/api/metrics"));
      await page.goto(`${app}/explore`);
      assert.equal((await metrics).status(), 200);
      const statuses = await page.evaluate(async () => {
        const line = JSON.stringify({ ts: Date.now(), host: "own", metric: "own_page", value: 1 });
        const ingest = await fetch("/api/ingest", {
          method: "POST",
          headers: { "content-type": "application/x-ndjson" },
          body: line,
        });
        const query = await fetch("/api/query", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ sql: "SELECT 1 AS one" }),
        });
        return [ingest.status, query.status, (await query.json()).rows];
      });
      assert.deepEqual(statuses, [200, 200, [[1]]]);
      assert.notDeepEqual(await lakeFiles(data), before, "the own page's sample was not stored");
      await page.close();
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
      for (const attacker of attackers) await attacker.shutdown();
      server.stop();
      await server.done;
      await Deno.remove(data, { recursive: true });
    }
  },
});
