/**
 * A known path with a method it does not take gets 405 and `Allow` from a real `serve` (loopback,
 * lake in a temporary folder), not a 404 that reads as a wrong path; unknown paths stay 404.
 */
import assert from "node:assert/strict";
import { writeSamples } from "../../lake/mod.ts";
import { fileHashes } from "../_file_hashes.ts";
import { startServeIn } from "../_serve.ts";

Deno.test("serve answers a wrong method on a known path with 405 and Allow, and stores nothing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "perfscope-405-" });
  await Deno.writeTextFile(`${dir}/perfscope.yaml`, "");
  const now = Date.now();
  writeSamples([{ ts: now, host: "h", metric: "m", labels: "", value: 1 }], {
    root: `${dir}/data`,
    id: now,
  });
  const served = await startServeIn(dir, { compact: false });
  try {
    const send = (method: string, path: string, init: RequestInit = {}) =>
      fetch(new URL(path, served.url), { method, ...init });
    const before = await fileHashes(`${dir}/data/metrics`);
    const cases: [string, string, string][] = [
      ["PUT", "/api/ingest", "POST"],
      ["GET", "/api/ingest", "POST"],
      ["DELETE", "/api/silences", "GET, HEAD, POST"],
      ["PATCH", "/api/silences/abc", "DELETE"],
      ["POST", "/api/series", "GET, HEAD"],
      ["DELETE", "/reports/x.html", "GET, HEAD"],
      ["OPTIONS", "/api/query", "POST"],
    ];
    for (const [method, path, allow] of cases) {
      const res = await send(method, path, method === "GET" ? {} : { body: "x".repeat(1000) });
      assert.equal(res.status, 405, `${method} ${path}`);
      assert.equal(res.headers.get("allow"), allow, `${method} ${path}`);
      // still no CORS: a preflight answered 405 without Access-Control-* fails in the browser
      assert.equal(res.headers.get("access-control-allow-origin"), null);
      const { error } = await res.json();
      assert.equal(
        error,
        `Method not allowed: ${method} ${path} (use ${allow.replaceAll(", ", " or ")})`,
      );
    }
    for (const [method, path] of [["PUT", "/api/nothing"], ["GET", "/api/ingest/x"]] as const) {
      const res = await send(method, path);
      assert.equal(res.status, 404, `${method} ${path}`);
      assert.equal(res.headers.get("allow"), null);
      await res.body?.cancel();
    }
    // a GET route that answers 404 itself (no such report) keeps its 404
    const missing = await send("GET", "/reports/nope.html");
    assert.equal(missing.status, 404);
    await missing.body?.cancel();
    assert.deepEqual(await fileHashes(`${dir}/data/metrics`), before);
  } finally {
    served.stop();
    assert.equal(await served.done, 0);
    await Deno.remove(dir, { recursive: true });
  }
});
