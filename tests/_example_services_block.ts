/**
 * Test helper: the commented services and dashboards block of `examples/perfscope.yaml`,
 * uncommented, for the tests that prove the example parses and runs.
 *
 * @module
 */
import assert from "node:assert/strict";

/**
 * Reads the example's `# --- Services and dashboards` block and uncomments its config lines.
 *
 * @returns The block as YAML.
 */
export async function exampleServicesBlock(): Promise<string> {
  // by its absolute path: a test module beside this one may have moved the process' cwd
  const text = await Deno.readTextFile(new URL("../examples/perfscope.yaml", import.meta.url));
  const start = text.indexOf("# --- Services and dashboards");
  assert.ok(start >= 0, "the example has the services and dashboards block");
  return text.slice(start).split("\n")
    .filter((l) => /^# (services|dashboards):/.test(l) || l.startsWith("#   "))
    .map((l) => l.slice(2))
    .join("\n");
}
