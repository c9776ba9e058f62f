import assert from "node:assert/strict";
import { Hono } from "hono";
import { openLake } from "../../lake/mod.ts";
import { writeReport } from "../../reports/mod.ts";
import { HttpError } from "../../web/mod.ts";
import { reportApiRoutes } from "../../web/routes/api_reports.ts";

/** The route over a real empty lake, with the app's error mapping. */
async function setup(options: Partial<Parameters<typeof reportApiRoutes>[0]>) {
  const root = await Deno.makeTempDir({ prefix: "perfscope-api-reports-" });
  const lake = await openLake({ root });
  const app = new Hono().route(
    "/",
    reportApiRoutes({ lake, root, now: () => Date.UTC(2025, 0, 2), ...options }),
  );
  app.onError((e, c) =>
    e instanceof HttpError ? c.json({ error: e.message }, e.status) : c.json({ error: "x" }, 500)
  );
  function post() {
    return app.request("/api/reports", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
  }
  return {
    root,
    post,
    [Symbol.asyncDispose]: async () => {
      lake.close();
      await Deno.remove(root, { recursive: true });
    },
  };
}

Deno.test("a second POST /api/reports while one is generating gets 409; afterwards a new one runs", async () => {
  const { promise: gate, resolve: open } = Promise.withResolvers<void>();
  const { promise: entered, resolve: enter } = Promise.withResolvers<void>();
  let calls = 0;
  await using t = await setup({
    // the real writer, held open until the test lets it go
    write: async (lake, options) => {
      calls++;
      enter();
      await gate;
      return writeReport(lake, options);
    },
  });
  const first = t.post();
  await entered;
  const second = await t.post();
  assert.equal(second.status, 409);
  assert.match((await second.json()).error, /^Conflict: a report is being generated already/);
  open();
  assert.equal((await first).status, 201);
  assert.equal(calls, 1); // the refused request never started a generation
  const third = await t.post();
  assert.equal(third.status, 201);
  assert.equal(calls, 2);
  assert.deepEqual([...Deno.readDirSync(`${t.root}/reports`)].map((e) => e.name), [
    "capacity-2025-01-02.html",
  ]);
});

Deno.test("POST /api/reports past its time limit answers 503, writes nothing, and frees the slot", async () => {
  let stall = true;
  await using t = await setup({
    timeoutMs: 3_000, // long enough for a real report on a loaded machine
    write: async (lake, options) => {
      // wait for the time limit, then let the real writer meet the aborted signal
      if (stall) {
        await new Promise((resolve) => options?.signal?.addEventListener("abort", resolve));
      }
      return writeReport(lake, options);
    },
  });
  const res = await t.post();
  assert.equal(res.status, 503);
  assert.match((await res.json()).error, /^Report timeout: stopped after 3000 ms, nothing written/);
  await assert.rejects(() => Deno.stat(`${t.root}/reports`), Deno.errors.NotFound);
  stall = false;
  assert.equal((await t.post()).status, 201);
});

Deno.test("reportApiRoutes() rejects a non-positive time limit", async () => {
  const lake = await openLake({ root: await Deno.makeTempDir() });
  try {
    assert.throws(() => reportApiRoutes({ lake, timeoutMs: 0 }), /Invalid timeoutMs: 0/);
  } finally {
    lake.close();
  }
});
