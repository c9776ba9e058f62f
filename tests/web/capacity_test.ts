import assert from "node:assert/strict";
import { simulateHost } from "../../lake/mod.ts";
import { testApp } from "./_app.ts";

const START = Date.UTC(2024, 0, 1);
const END = START + 2 * 86_400_000;

async function simulated(now = () => END) {
  const root = await Deno.makeTempDir({ prefix: "perfscope-capacity-" });
  simulateHost({
    root,
    start: START,
    durationMs: END - START,
    stepMs: 600_000,
    cpus: 2,
    topN: 1,
    diskFill: { from: 0.5, to: 0.8 },
    cpuSaturation: { from: END - 3_600_000, durationMs: 3_600_000 },
  });
  const t = await testApp({ root, now, capacity: { bootstrap: 20, top: 2 } });
  return {
    t,
    async [Symbol.asyncDispose]() {
      await t[Symbol.asyncDispose]();
      await Deno.remove(root, { recursive: true });
    },
  };
}

Deno.test("GET /capacity ranks the filling disk first and lists the recommendations", async () => {
  await using s = await simulated();
  const res = await s.t.app.request("/capacity");
  assert.equal(res.status, 200);
  const page = await res.text();
  assert.match(page, /Bottlenecks, nearest exhaustion first/);
  const firstRow = page.slice(
    page.indexOf("<tbody>"),
    page.indexOf("</tr>", page.indexOf("<tbody>")),
  );
  assert.match(firstRow, /filesystem/);
  assert.match(firstRow, /mountpoint=\/var/);
  assert.match(firstRow, /(h|days?) \(80 %: [\d.]+ (min|h|days?) – /);
  assert.match(firstRow, /data-status="crossing"/);
  assert.match(firstRow, /2 days of history/);
  assert.match(page, /\[(critical|warning)\]/);
  assert.match(page, /id="capacity-0"/);
  assert.match(page, /"forecast":\{"ts":\[/);
});

Deno.test("GET /capacity names the CPU resource a run queue and says what a utilization is of", async () => {
  // a load average 3.4 times the cores read as `cpu 338 %` on a new user's first look
  await using s = await simulated();
  const page = await (await s.t.app.request("/capacity")).text();
  const cpu =
    /<tr>\s*<td class="num">\d+<\/td>\s*<td class="wrap">[^<]*<\/td>\s*<td data-resource="cpu">([^<]*)<\/td>[\s\S]*?<\/tr>/
      .exec(page);
  assert.ok(cpu, page.slice(page.indexOf("<tbody>"), page.indexOf("</tbody>")));
  assert.equal(cpu[1], "CPU run queue");
  assert.match(cpu[0], /<td class="num" title="[\d.]+ processes of 2 processes">[\d.]+ %<\/td>/);
  assert.match(
    page,
    /<h2><bdi>[^<]* · CPU run queue<\/bdi><\/h2>\s*<p class="meta">load_average\{<bdi>window=1m<\/bdi>\}<\/p>/,
  );
});

Deno.test("GET /api/capacity and /api/recommendations serve the same cached analysis", async () => {
  let now = END;
  await using s = await simulated(() => now);
  const capacity = await (await s.t.app.request("/api/capacity")).json();
  assert.equal(capacity.status, "ready");
  assert.equal(capacity.resources[0].resource, "filesystem");
  assert.ok(capacity.resources[0].eta > capacity.now);
  assert.equal(capacity.hosts[0].spanMs, END - START - 600_000, "the real data span");
  assert.ok(capacity.resources[0].decomposition.trend.length > 0);
  assert.equal(
    capacity.resources[0].forecast.mean.length,
    capacity.resources[0].forecast.ts.length,
  );
  const recs = await (await s.t.app.request("/api/recommendations")).json();
  assert.equal(recs.status, "ready");
  const rules = recs.recommendations.map((r: { rule: string }) => r.rule);
  assert.ok(rules.includes("cpu-saturated"), rules.join());
  assert.ok(rules.includes("filesystem-full"), rules.join());
  const first = recs.recommendations[0];
  for (const key of ["id", "severity", "host", "title", "detail", "facts", "effect", "evidence"]) {
    assert.ok(key in first, key);
  }
  // within the cache time the same result object is served; after it, that result at once while
  // a new analysis runs in the background, then the new one
  const again = await (await s.t.app.request("/api/capacity")).json();
  assert.equal(again.generatedAt, capacity.generatedAt);
  now += 61_000;
  let later = await (await s.t.app.request("/api/capacity")).json();
  assert.equal(later.generatedAt, capacity.generatedAt);
  for (let i = 0; i < 1200 && later.generatedAt !== now; i++) {
    await new Promise((r) => setTimeout(r, 50));
    later = await (await s.t.app.request("/api/capacity")).json();
  }
  assert.equal(later.generatedAt, now);
});

Deno.test("GET /capacity says honestly that an empty lake has nothing to show", async () => {
  await using t = await testApp();
  const page = await (await t.app.request("/capacity")).text();
  assert.match(page, /No capacity analysis to show/);
  assert.match(page, /No samples in the lake yet/);
  const api = await (await t.app.request("/api/recommendations")).json();
  assert.deepEqual(api.recommendations, []);
  assert.equal(api.status, "empty");
});

Deno.test("GET /capacity says when the lake holds too little history", async () => {
  const root = await Deno.makeTempDir();
  simulateHost({ root, start: START, durationMs: 60_000, stepMs: 30_000, cpus: 1, topN: 1 });
  {
    await using t = await testApp({ root, capacity: { bootstrap: 5 } });
    const api = await (await t.app.request("/api/capacity")).json();
    assert.equal(api.status, "insufficient");
    assert.match(api.reason, /^30 s of history; ETAs need 1 day$/);
    const page = await (await t.app.request("/capacity")).text();
    assert.match(page, /Not enough data yet: too little history for ETAs/);
    assert.doesNotMatch(page, /data-severity="(warning|critical)"/);
  }
  await Deno.remove(root, { recursive: true });
});

Deno.test("GET /api/capacity refuses a parameter it does not know, naming the one likely meant", async () => {
  await using t = await testApp();
  // it answered for every host, as if the typo were not there
  const res = await t.app.request("/api/capacity?gruop=env");
  assert.equal(res.status, 400);
  assert.equal(
    (await res.json()).error,
    "Invalid query: gruop: unknown parameter (did you mean group?)",
  );
  // the one it knows is still checked
  const bad = await t.app.request("/api/capacity?group=env");
  assert.equal(bad.status, 400);
  assert.match((await bad.json()).error, /^Invalid group: env \(no host carries group labels\)/);
});

Deno.test("GET /api/capacity starts the observed series at the first sample, not the minute before", async () => {
  const root = await Deno.makeTempDir();
  // the first sample 40 s into a minute: the chart's first bucket starts 40 s before it
  const first = START + 40_000;
  simulateHost({ root, start: first, durationMs: 600_000, stepMs: 10_000, cpus: 1, topN: 1 });
  {
    await using t = await testApp({ root, now: () => first + 600_000 });
    const api = await (await t.app.request("/api/capacity")).json();
    const charted = api.resources.filter((r: { series: { ts: number[] } }) =>
      r.series.ts.length > 0
    );
    assert.ok(charted.length > 0, JSON.stringify(api).slice(0, 300));
    for (const r of charted) {
      assert.equal(r.evidence.first, first, r.id);
      assert.equal(r.series.ts[0], first, r.id);
    }
  }
  await Deno.remove(root, { recursive: true });
});
