/**
 * Query strings that name things twice, over a served app: `metric=` and `metrics=` together
 * read every metric named (a union), a parameter given more than once is a 400 naming it (the
 * routes read one value: zod said `expected string, received array`, and `c.req.query()` kept
 * the first unseen), and `labels=` with a name twice is a 400 (the last value was kept alone).
 */
import assert from "node:assert/strict";
import { T0, testApp } from "./_app.ts";
import { served } from "./_served.ts";

const RANGE = `from=${T0}&to=${T0 + 3_600_000}`;

async function seeded() {
  const t = await testApp();
  const lines = ["aa", "bb", "cc"].map((metric, i) =>
    JSON.stringify({ host: "h1", metric, labels: { k: "v" }, ts: T0 + 1000, value: i })
  ).join("\n");
  const res = await t.app.request("/api/ingest", {
    method: "POST",
    headers: { "content-type": "application/x-ndjson" },
    body: lines,
  });
  assert.equal(res.status, 200, await res.text());
  await t.ingest.flush();
  return t;
}

async function get(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.json() };
}

Deno.test("/api/series with metric= and metrics= reads every metric named, each once", async () => {
  await using t = await seeded();
  await served(t.app, async (base) => {
    for (
      const [query, want] of [
        ["metric=aa&metrics=bb", ["aa", "bb"]],
        ["metrics=bb&metric=aa", ["aa", "bb"]],
        ["metric=aa&metrics=aa,cc", ["aa", "cc"]],
        ["metric=aa&labels=k=v&metrics=cc", ["aa", "cc"]],
        ["metric=aa&metrics=bb&format=csv", ["aa", "bb"]],
      ] as const
    ) {
      const res = await fetch(`${base}/api/series?${query}&${RANGE}`);
      assert.equal(res.status, 200, query);
      const metrics = query.includes("csv")
        ? (await res.text()).trim().split("\n").slice(1).map((l) => l.split(",")[3])
        : ((await res.json()).series as { metric: string }[]).map((s) => s.metric);
      assert.deepEqual(metrics, want, query);
    }
  });
});

Deno.test("A query parameter given twice is a 400 naming it, on every route", async () => {
  await using t = await seeded();
  await served(t.app, async (base) => {
    const cases: [string, RegExp][] = [
      [
        `/api/series?metric=aa&metric=bb&${RANGE}`,
        /^Invalid query: metric: given 2 times \(.*metrics=a,b/,
      ],
      [`/api/series?metric=aa&host=h1&host=h2&${RANGE}`, /^Invalid query: host: given 2 times/],
      [
        `/api/series?metric=aa&from=${T0}&from=${T0 + 1}&to=${T0 + 60_000}`,
        /^Invalid query: from: given 2 times/,
      ],
      [
        `/api/series?metric=aa&format=csv&format=json&${RANGE}`,
        /^Invalid query: format: given 2 times/,
      ],
      ["/api/alerts/history?from=-1h&from=-2h", /^Invalid query: from: given 2 times/],
      ["/api/capacity?group=a&group=b", /^Invalid query: group: given 2 times/],
      ["/api/audit?limit=1&limit=2", /^Invalid query: limit: given 2 times/],
      ["/api/services/history?service=a&service=a", /^Invalid query: service: given 2 times/],
    ];
    for (const [path, why] of cases) {
      const { status, body } = await get(base + path);
      assert.equal(status, 400, `${path}: ${JSON.stringify(body)}`);
      assert.match(String(body.error), why, path);
    }
    // once each is fine, and so is an empty value
    const ok = await get(`${base}/api/series?metric=aa&host=&${RANGE}`);
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
  });
});

Deno.test("/api/series refuses labels= with a name twice, without a name, or named __proto__", async () => {
  await using t = await seeded();
  await served(t.app, async (base) => {
    for (
      const [labels, why] of [
        ["k=v,k=w", /^Invalid labels: k given twice/],
        ["k=v,j=1,k=v", /^Invalid labels: k given twice/],
        ["=v", /^Invalid labels: a label without a name/],
        ["k=v,=w", /^Invalid labels: a label without a name/],
        ["__proto__=x", /^Invalid labels: __proto__ is not a label name/],
      ] as const
    ) {
      const { status, body } = await get(
        `${base}/api/series?metric=aa&labels=${encodeURIComponent(labels)}&${RANGE}`,
      );
      assert.equal(status, 400, `${labels}: ${JSON.stringify(body)}`);
      assert.match(String(body.error), why, labels);
    }
    // an escaped comma belongs to the name or value it is in
    const ok = await get(`${base}/api/series?metric=aa&labels=k=v&${RANGE}`);
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.body.values, [0]);
    const escaped = await get(
      `${base}/api/series?metric=aa&labels=${encodeURIComponent("k=a\\,k=b")}&${RANGE}`,
    );
    assert.equal(escaped.status, 200, JSON.stringify(escaped.body));
  });
});
