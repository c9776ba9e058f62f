import assert from "node:assert/strict";
import { Hono } from "hono";
import { zValidator } from "@hono/zod-validator";
import { z } from "zod";
import { describeZodError, rejectInvalid } from "../../web/validate.ts";
import { testApp } from "./_app.ts";

Deno.test("describeZodError() says a required field absent from the input is missing", () => {
  const issue = {
    code: "invalid_type" as const,
    expected: "string" as const,
    path: ["rule", "alert"],
    message: "Invalid input: expected string, received undefined",
    input: undefined,
  };
  assert.equal(describeZodError({ issues: [issue] }, { rule: {} }), "rule.alert: missing");
  assert.equal(describeZodError({ issues: [issue] }, {}), "rule.alert: missing");
  // present with the wrong type, or no input given: zod's own words
  assert.equal(
    describeZodError({ issues: [{ ...issue, message: "Invalid input: expected string" }] }, {
      rule: { alert: 3 },
    }),
    "rule.alert: Invalid input: expected string",
  );
  assert.equal(describeZodError({ issues: [issue] }), `rule.alert: ${issue.message}`);
});

Deno.test("a route answers a missing required query parameter or body field with 400 naming it as missing", async () => {
  await using t = await testApp();
  // zod's "Invalid input: expected string, received undefined" reached the user
  const history = await t.app.request("/api/services/history");
  assert.equal(history.status, 400);
  assert.equal((await history.json()).error, "Invalid query: service: missing");
  const query = await t.app.request("/api/query", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: "{}",
  });
  assert.equal(query.status, 400);
  assert.equal((await query.json()).error, "Invalid json: sql: missing");
  // a union (a time as ms or text) read "from: Invalid input"
  const backtest = await t.app.request("/api/alerts/backtest", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ rule: { alert: "X" } }),
  });
  assert.equal(backtest.status, 400);
  assert.equal((await backtest.json()).error, "Invalid json: from: missing");
  // a parameter given with a wrong value keeps its own message
  const range = await t.app.request("/api/services/history?service=api&range=soon");
  assert.equal(range.status, 400);
  assert.doesNotMatch((await range.json()).error, /missing/);
});

Deno.test("describeZodError() names an unknown key and where it is, not the parent as 'value'", () => {
  const issue = {
    code: "unrecognized_keys" as const,
    keys: ["sinse"],
    path: [],
    message: 'Unrecognized key: "sinse"',
    input: {},
  };
  assert.equal(describeZodError({ issues: [issue] }, {}), 'unknown key: "sinse"');
  assert.equal(
    describeZodError({ issues: [{ ...issue, keys: ["a", "b"], path: ["rule"] }] }, {}),
    'unknown keys in rule: "a", "b"',
  );
});

// Regression: the lookup of an absent field found Object.prototype's `constructor` and
// `toString`, so a required query parameter of that name read "received function", not missing
Deno.test("a required query parameter named like an Object.prototype member is missing when absent, read when given", async () => {
  const schema = z.object({ constructor: z.string(), toString: z.string() }).strict();
  const app = new Hono().get(
    "/q",
    zValidator("query", schema, rejectInvalid),
    (c) => c.json(c.req.valid("query")),
  );
  app.onError((error, c) => c.json({ error: error.message }, 400));
  const error = async (path: string) => (await (await app.request(path)).json()).error;
  assert.equal(await error("/q"), "Invalid query: constructor: missing");
  assert.equal(await error("/q?toString=a"), "Invalid query: constructor: missing");
  assert.equal(await error("/q?__proto__=a&toString=a"), "Invalid query: constructor: missing");
  assert.equal(await error("/q?constructor=a"), "Invalid query: toString: missing");
  assert.equal(
    await error("/q?constructor=a&toString=b&hasOwnProperty=c"),
    'Invalid query: unknown key: "hasOwnProperty"',
  );
  const given = await app.request("/q?constructor=a&toString=b");
  assert.equal(given.status, 200);
  assert.deepEqual(await given.json(), { constructor: "a", toString: "b" });
});

Deno.test("describeZodError() tells an own __proto__ or constructor key from an inherited one", () => {
  const issue = {
    code: "invalid_type" as const,
    expected: "string" as const,
    path: ["constructor"],
    message: "Invalid input: expected string, received function",
    input: undefined,
  };
  assert.equal(describeZodError({ issues: [issue] }, {}), "constructor: missing");
  assert.equal(
    describeZodError({ issues: [issue] }, JSON.parse('{"constructor":1}')),
    "constructor: Invalid input: expected string, received function",
  );
  const proto = { ...issue, path: ["__proto__", "x"] };
  // JSON.parse makes `__proto__` an own key (a body can hold one); `{}` only inherits it
  assert.equal(describeZodError({ issues: [proto] }, {}), "__proto__.x: missing");
  assert.equal(
    describeZodError({ issues: [proto] }, JSON.parse('{"__proto__":{"x":1}}')),
    `__proto__.x: ${issue.message}`,
  );
});
