import assert from "node:assert/strict";
import { IngestWriter, type Quarantined, quarantineDir } from "../../lake/mod.ts";
import { ingestSpoolDir, listIngestSegments } from "../../lake/ingest_spool.ts";
import { startAndStopServe } from "../_serve.ts";
import { countSamples as count } from "../_count_samples.ts";

const T0 = Date.UTC(2024, 0, 1);
const GOOD = `{"ts":${T0},"host":"a","metric":"m","value":1}\n`;

/** An ingest segment with a well-framed record whose line has no host (finding 5 of the first
 * property run), between two good records. */
function spoolWithInvalidLine(root: string): void {
  Deno.mkdirSync(ingestSpoolDir(root), { recursive: true });
  const records = [GOOD, '{"ts":1}\n', GOOD];
  const bytes = records.map((r) => `#${new TextEncoder().encode(r).length}\n${r}`).join("");
  assert.ok(bytes.includes('#9\n{"ts":1}\n'));
  Deno.writeTextFileSync(`${ingestSpoolDir(root)}/${"1".padStart(15, "0")}.seg`, bytes);
}

Deno.test("IngestWriter sets a spooled record with an invalid line aside and starts", async () => {
  const root = await Deno.makeTempDir();
  try {
    spoolWithInvalidLine(root);
    const reports: Quarantined[] = [];
    const w = new IngestWriter({ root, sync: false, onQuarantine: (q) => reports.push(q) });
    w.close();
    assert.equal(reports.length, 1);
    assert.match(reports[0]!.reason, /host: missing/);
    assert.equal(reports[0]!.path, `${quarantineDir(root)}/ingest-1-2.jsonl`);
    assert.equal(Deno.readTextFileSync(reports[0]!.path), '{"ts":1}\n');
    assert.deepEqual(listIngestSegments(root), []);
    assert.equal(await count(root), 2);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("serve starts over an ingest spool record with an invalid line, with one line on stderr", async () => {
  const root = await Deno.makeTempDir();
  const errors: string[] = [];
  const error = console.error;
  console.error = (...args: unknown[]) => errors.push(args.join(" "));
  try {
    spoolWithInvalidLine(root);
    const { health, code } = await startAndStopServe(["--data", root, "--no-collect"]);
    assert.equal(health, 200);
    assert.equal(code, 0);
    const lines = errors.filter((e) => e.includes("quarantine"));
    assert.equal(lines.length, 1, errors.join("\n"));
    assert.match(lines[0]!, /^perfscope: quarantined 1 samples to .*ingest-1-2\.jsonl: .*host/);
    assert.equal(await count(root), 2);
  } finally {
    console.error = error;
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("IngestWriter replays the records before a damaged ingest spool header and keeps the segment whole in the quarantine", async () => {
  const root = await Deno.makeTempDir();
  try {
    Deno.mkdirSync(ingestSpoolDir(root), { recursive: true });
    const record = (host: string, metric = "m") => {
      const body = `{"ts":${T0},"host":"${host}","metric":"${metric}","value":1}\n`;
      return `#${body.length}\n${body}`;
    };
    // the second header's size 104 damaged to 904: past the end of the file, a header after it
    const b = record("b", "m".repeat(50));
    assert.match(b, /^#104\n/);
    const text = record("a") + b.replace(/^#1/, "#9") + record("c");
    assert.notEqual(text, record("a") + record("b") + record("c"));
    const path = `${ingestSpoolDir(root)}/${"1".padStart(15, "0")}.seg`;
    Deno.writeTextFileSync(path, text);
    const reports: Quarantined[] = [];
    const start = () =>
      new IngestWriter({ root, sync: false, onQuarantine: (q) => reports.push(q) });
    start().close();
    const kept = `${quarantineDir(root)}/ingest-${"1".padStart(15, "0")}.seg`;
    assert.deepEqual(reports, [{
      path: kept,
      rows: 0,
      reason: `damaged ingest spool segment: its last ${text.length - record("a").length} bytes ` +
        "cannot be decoded (the 1 requests before them were replayed)",
    }]);
    assert.equal(Deno.readTextFileSync(kept), text); // nothing lost: b and c are in there
    assert.equal(await count(root), 1);
    assert.deepEqual(listIngestSegments(root), []);
    // a second start has nothing left to replay
    start().close();
    assert.equal(reports.length, 1);
    assert.deepEqual([...Deno.readDirSync(quarantineDir(root))].map((e) => e.name), [
      `ingest-${"1".padStart(15, "0")}.seg`,
    ]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
