/**
 * Test helper: the metric names the architecture documents.
 *
 * @module
 */

/** Metric names from the table in ARCHITECTURE.md. */
export function architectureMetrics(): string[] {
  const text = Deno.readTextFileSync(new URL("../../ARCHITECTURE.md", import.meta.url));
  const names = new Set<string>();
  for (const line of text.split("\n")) {
    const first = line.startsWith("| `") ? line.split("|")[1]! : "";
    for (const m of first.matchAll(/`([a-z_]+)`/g)) names.add(m[1]!);
  }
  return [...names].sort();
}
