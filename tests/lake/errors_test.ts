import assert from "node:assert/strict";
import { LakeError, NotFound } from "../../lake/mod.ts";

Deno.test("LakeError and NotFound carry a name and a cause, and NotFound is a LakeError", () => {
  const cause = new Error("ENOENT");
  const missing = new NotFound("No such series: cpu_ratio{cpu=9}", { cause });
  assert.equal(missing.name, "NotFound");
  assert.equal(missing.cause, cause);
  assert.ok(missing instanceof LakeError);
  assert.equal(new LakeError("Query failed: x").name, "LakeError");
});
