import assert from "node:assert/strict";
import { main } from "../../cli/audit.ts";
import { AuditLog } from "../../workflows/mod.ts";

async function logWithEntries(): Promise<string> {
  const root = await Deno.makeTempDir();
  const log = new AuditLog(root, { host: "h1" });
  const id = log.start({
    workflow: "w",
    who: "workflow:w",
    what: "sysctl vm.swappiness 60 → 10",
    why: "alert Swap firing on h1",
    mode: "real",
    old: "60",
    new: "10",
  });
  log.complete(id, { result: "ok", durationMs: 4 });
  log.start({
    workflow: "w",
    who: "workflow:w",
    what: "command nap",
    why: "alert Swap firing on h1",
    mode: "real",
  });
  return root;
}

Deno.test("audit main() prints one line per action, newest first, a crashed one as 'started, outcome unknown'", async () => {
  const root = await logWithEntries();
  const lines: string[] = [];
  assert.equal(await main(["--data", root], (l) => lines.push(l)), 0);
  assert.equal(lines.length, 2);
  assert.match(lines[0]!, /real +started, outcome unknown {2}workflow:w {2}command nap/);
  assert.match(
    lines[1]!,
    /real +ok in 4 ms {2}workflow:w {2}sysctl vm.swappiness 60 → 10 {2}\(alert Swap firing on h1\)/,
  );
});

Deno.test("audit main() --json prints entries as JSON lines and --sql queries the audit views", async () => {
  const root = await logWithEntries();
  const lines: string[] = [];
  await main(["--data", root, "--json"], (l) => lines.push(l));
  assert.deepEqual(lines.map((l) => JSON.parse(l).outcome), ["unknown", "ok"]);
  const rows: string[] = [];
  await main([
    "--data",
    root,
    "--sql",
    "SELECT outcome, old, new FROM audit_entries ORDER BY started",
  ], (l) => rows.push(l));
  assert.deepEqual(rows.map((r) => JSON.parse(r)), [
    { outcome: "ok", old: "60", new: "10" },
    { outcome: "unknown", old: null, new: null },
  ]);
});

Deno.test("audit main() says so when the log is empty, and refuses bad flags", async () => {
  const lines: string[] = [];
  await main(["--data", await Deno.makeTempDir(), "--since", "1d"], (l) => lines.push(l));
  assert.match(lines[0]!, /^No audit records since/);
  await assert.rejects(() => main(["--since", "forever"]), {
    name: "UsageError",
    message: /Invalid --since/,
  });
});
