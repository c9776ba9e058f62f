/**
 * A body declared in a charset other than UTF-8 is refused with 415 naming it, and a JSON body
 * that is not UTF-8 with 400, over a served app: every body is read as UTF-8, so a latin1 body was
 * refused as "not UTF-8" at best and had its text replaced by U+FFFD at worst (a silence's
 * comment was stored as `caf\uFFFD` with 201).
 */
import assert from "node:assert/strict";
import { OtlpReceiver } from "../../receivers/mod.ts";
import { T0, testApp } from "./_app.ts";
import { served } from "./_served.ts";

Deno.test("Bodies declared as latin1 or UTF-16 are refused with 415; UTF-8 and US-ASCII are read", async () => {
  await using t = await testApp({
    otlp: new OtlpReceiver({ host: "h", now: () => T0, log: () => {} }),
  });
  const line = JSON.stringify({ host: "h1", metric: "m", ts: T0, value: 1 });
  await served(t.app, async (base) => {
    const post = (path: string, type: string, body: string) =>
      fetch(base + path, { method: "POST", headers: { "content-type": type }, body });
    for (const charset of ["latin1", "ISO-8859-1", '"utf-16"', "windows-1252"]) {
      const res = await post("/api/ingest", `application/x-ndjson; charset=${charset}`, line);
      assert.equal(res.status, 415, charset);
      assert.equal(
        (await res.json()).error,
        `Unsupported charset: ${charset.replaceAll('"', "").toLowerCase()} (send UTF-8)`,
      );
      const otlp = await post("/v1/metrics", `application/json;charset=${charset}`, "{}");
      assert.equal(otlp.status, 415, charset);
      assert.match((await otlp.json()).message, /^Unsupported charset/);
    }
    for (const charset of ["utf-8", "UTF-8", "utf8", "us-ascii"]) {
      const res = await post("/api/ingest", `application/x-ndjson; charset=${charset}`, line);
      assert.equal(res.status, 200, `${charset}: ${await res.text()}`);
    }
  });
});

Deno.test("JSON bodies that are not UTF-8 are refused with 400 before the route reads them", async () => {
  await using t = await testApp();
  const latin1 = (text: string) => Uint8Array.from(text, (ch) => ch.charCodeAt(0));
  await served(t.app, async (base) => {
    const post = (path: string, body: BodyInit) =>
      fetch(base + path, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      });
    for (
      const [path, text] of [
        ["/api/workflows/approve", '{"id": "caf\u00e9"}'],
        ["/api/workflows/rollback", '{"id": "caf\u00e9"}'],
        [
          "/api/silences",
          '{"matchers": ["host=\\"a\\""], "duration": "2h", "comment": "caf\u00e9"}',
        ],
      ] as const
    ) {
      const res = await post(path, latin1(text));
      assert.equal(res.status, 400, path);
      assert.equal((await res.json()).error, "Invalid body: not UTF-8 text (send UTF-8)");
    }
    // the same text in UTF-8 reaches the route
    const res = await post("/api/workflows/approve", '{"id": "caf\u00e9"}');
    assert.equal(res.status, 404);
    assert.match((await res.json()).error, /No pending approval café/);
  });
});
