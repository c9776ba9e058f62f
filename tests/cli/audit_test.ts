import assert from "node:assert/strict";
import { main } from "../../cli/audit.ts";
import { AuditLog } from "../../workflows/mod.ts";

/** A new audit log of host h1 in a new folder. */
async function newLog(): Promise<{ root: string; log: AuditLog }> {
  const root = await Deno.makeTempDir();
  return { root, log: new AuditLog(root, { host: "h1" }) };
}

/** Records the start of a real action of workflow `w`, as its runner would. */
function startReal(
  log: AuditLog,
  entry: { what: string; why: string; old?: string; new?: string },
): string {
  return log.start({ workflow: "w", who: "workflow:w", mode: "real", ...entry });
}

/** A log with a finished sysctl change and a command that started and never finished. */
async function logWithEntries(): Promise<string> {
  const { root, log } = await newLog();
  const why = "alert Swap firing on h1";
  const id = startReal(log, { what: "sysctl vm.swappiness 60 → 10", why, old: "60", new: "10" });
  log.complete(id, { result: "ok", durationMs: 4 });
  startReal(log, { what: "command nap", why });
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

/** Runs the real `audit` command in a child process. */
async function auditCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const cli = new URL("../../cli/audit.ts", import.meta.url).pathname;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", cli, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

Deno.test("audit --sql runs only a checked SELECT: COPY TO, file readers, ATTACH and a second statement are refused in one line with exit 2 and write nothing", async () => {
  const root = await logWithEntries();
  const forged = `${root}/audit/forged.jsonl`;
  const outside = `${root}/outside.csv`;
  const attempts = [
    `COPY (SELECT 'x' AS id) TO '${forged}' (FORMAT json)`,
    `COPY audit TO '${outside}'`,
    `SELECT 1; COPY (SELECT 1) TO '${outside}'`,
    `SELECT * FROM read_text('/etc/passwd')`,
    `ATTACH '${root}/db.duckdb'`,
    `SELECT current_setting('home_directory')`,
  ];
  for (const sql of attempts) {
    const r = await auditCli(["--data", root, "--sql", sql]);
    assert.equal(r.code, 2, `${sql}: ${r.stderr}`);
    assert.equal(r.stdout, "");
    const lines = r.stderr.trim().split("\n");
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, /Refused --sql: .*\(one SELECT of audit, audit_entries/);
  }
  assert.deepEqual(
    [...Deno.readDirSync(`${root}/audit`)].map((e) => e.name).filter((n) =>
      !n.endsWith(".jsonl") || n === "forged.jsonl"
    ),
    [],
  );
  assert.throws(() => Deno.statSync(forged), Deno.errors.NotFound);
  assert.throws(() => Deno.statSync(outside), Deno.errors.NotFound);
  assert.throws(() => Deno.statSync(`${root}/db.duckdb`), Deno.errors.NotFound);
  // a SELECT of the audit views still works, CTEs included
  const ok = await auditCli([
    "--data",
    root,
    "--sql",
    "WITH a AS (SELECT outcome FROM audit_entries) SELECT count(*) AS n FROM a",
  ]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.deepEqual(JSON.parse(ok.stdout), { n: 2 });
});

Deno.test("audit --sql names an out-of-range numeric literal in one line", async () => {
  const root = await logWithEntries();
  const r = await auditCli(["--data", root, "--sql", "SELECT 1e400"]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /^perfscope audit: Refused --sql: numeric literal out of range: 1e400 \(/);
  await Deno.remove(root, { recursive: true });
});

Deno.test("audit --sql with a syntax error says so, not that only read-only queries are allowed", async () => {
  const root = await logWithEntries();
  const r = await auditCli(["--data", root, "--sql", "SELEC outcome FROM audit"]);
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stderr, 'perfscope audit: Invalid --sql: syntax error at or near "SELEC"\n');
  await Deno.remove(root, { recursive: true });
});

// Regression: a command step's output (colour codes, a title sequence) and an alert's labels
// went to the terminal as they were, and a newline in them split an entry over two lines.
Deno.test("audit main() prints an entry's control characters as \\u001b escapes, on one line", async () => {
  const { root, log } = await newLog();
  const id = startReal(log, { what: "command clean", why: "alert Full firing on \u009b31mx" });
  log.complete(id, { result: "ok", durationMs: 1, detail: "\x1b]0;pwn\x07done\nnext" });
  const lines: string[] = [];
  assert.equal(await main(["--data", root], (l) => lines.push(l)), 0);
  assert.equal(lines.length, 1);
  assert.ok(
    lines[0]!.endsWith("(alert Full firing on \\u009b31mx) — \\u001b]0;pwn\\u0007done\\u000anext"),
    lines[0],
  );
});
