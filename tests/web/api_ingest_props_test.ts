import assert from "node:assert/strict";
import fc from "fast-check";
import { props } from "../_props.ts";
import { badLine, NOW, validBody } from "../lake/_ingest_arbitraries.ts";
import { testApp } from "./_app.ts";

/** Every file under `root` with its bytes. */
function files(root: string): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  const walk = (dir: string) => {
    for (const e of Deno.readDirSync(dir)) {
      const path = `${dir}/${e.name}`;
      if (e.isDirectory) walk(path);
      else if (!e.name.endsWith(".wal") && !e.name.endsWith(".duckdb")) {
        out.set(path, Deno.readFileSync(path));
      }
    }
  };
  walk(root);
  return out;
}

type Body = string | Uint8Array<ArrayBuffer>;
const ACCEPTED = new Set(["application/x-ndjson", "application/json"]);

Deno.test("POST /api/ingest answers 200 or 4xx for arbitrary bodies, and a 4xx changes no file", async () => {
  await using t = await testApp({ now: () => NOW, ingest: { flushEveryMs: 3_600_000 } });
  const enc = new TextEncoder();
  const withBad = fc.tuple(validBody, badLine, fc.nat()).map(([{ body }, bad, at]) => {
    const lines = body.split("\n");
    const k = at % (lines.length + 1);
    return [...lines.slice(0, k), bad, ...lines.slice(k)].join("\n");
  });
  // valid bodies are tagged with their sample count: an accepted type must take them whole
  const anyBody = fc.oneof(
    validBody.map((b) => ({ body: b.body as Body, valid: b.samples.length })),
    ...[withBad, fc.string(), fc.uint8Array({ maxLength: 100 })].map((a) =>
      a.map((body) => ({ body: body as Body, valid: 0 }))
    ),
  );
  const type = fc.constantFrom(
    "application/x-ndjson",
    "text/plain; charset=utf-8",
    "application/json",
    "text/csv",
    "",
  );
  await fc.assert(
    fc.asyncProperty(anyBody, type, async ({ body, valid }, contentType) => {
      const before = files(t.root);
      const buffered = t.ingest.buffered;
      const res = await t.app.request("/api/ingest", {
        method: "POST",
        headers: contentType ? { "content-type": contentType } : {},
        body: typeof body === "string" ? enc.encode(body) : body,
      });
      const answer = await res.json();
      if (valid > 0 && ACCEPTED.has(contentType.split(";")[0]!)) {
        assert.deepEqual([res.status, answer.accepted], [200, valid], answer.error);
      }
      if (res.status === 200) {
        assert.ok(answer.accepted > 0);
        assert.equal(t.ingest.buffered, buffered + answer.accepted);
      } else {
        assert.ok(res.status === 400 || res.status === 415, `${res.status} ${answer.error}`);
        assert.match(answer.error, /^[A-Z][^\n]*$/);
        assert.equal(t.ingest.buffered, buffered);
        assert.deepEqual(files(t.root), before);
      }
    }),
    props(120),
  );
});
