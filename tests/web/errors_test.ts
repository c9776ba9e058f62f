import assert from "node:assert/strict";
import { QueryTimeoutError } from "../../web/errors.ts";

Deno.test("A query timeout says its limit as a duration, not a count of milliseconds", () => {
  assert.equal(new QueryTimeoutError(30_000).message, "Query timeout: interrupted after 30 s");
  assert.equal(new QueryTimeoutError(300).message, "Query timeout: interrupted after 300 ms");
  assert.equal(new QueryTimeoutError(120_000).message, "Query timeout: interrupted after 2 min");
});
