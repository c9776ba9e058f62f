/**
 * The Alerts page's backtest (`POST /api/alerts/backtest`, wired as serve wires it) replays a rule
 * only over the time the lake holds data. An absence rule asked over the last hour of a lake
 * begun 10 minutes ago said it would have fired for the 50 minutes before perfscope collected
 * anything: a result on no data at all.
 */
import assert from "node:assert/strict";
import { backtestRules } from "../../alerts/mod.ts";
import { parseRuleInput } from "../../cli/_serve_alerts.ts";
import { lakeBacktest } from "../../cli/_serve_notify.ts";
import { seededApp, T0 } from "../web/_app.ts";

Deno.test("lakeBacktest() starts the replay at the lake's first sample, not before it", async () => {
  // samples of `m` on host h from T0 to T0 + 9 s
  await using t = await seededApp();
  const backtest = lakeBacktest(t.lake, {
    parseRule: parseRuleInput,
    replay: (r, series, o) => backtestRules(r, series, { ...o, stepMs: 1000 }),
  });
  const absent = { alert: "Gone", kind: "absence", metric: "nothing", absent_for: "1m" };
  const out = await backtest(absent, T0 - 3_600_000, T0 + 600_000);
  assert.equal(out.length, 1);
  // absent for more than a minute from the lake's first sample (the first 1 s step past it), not
  // from an hour before the lake began
  assert.equal(out[0]!.start, T0 + 61_000);
  const high = { alert: "High", metric: "m", above: 5 };
  const fired = await backtest(high, T0 - 3_600_000, T0 + 600_000);
  assert.deepEqual(fired.map((f) => f.start), [T0 + 6000]);
});

Deno.test("lakeBacktest() over a range before the lake's first sample finds nothing", async () => {
  await using t = await seededApp();
  const backtest = lakeBacktest(t.lake, {
    parseRule: parseRuleInput,
    replay: (r, series, o) => backtestRules(r, series, { ...o, stepMs: 1000 }),
  });
  const absent = { alert: "Gone", kind: "absence", metric: "m", absent_for: "1m" };
  assert.deepEqual(await backtest(absent, T0 - 7_200_000, T0 - 3_600_000), []);
});
