import assert from "node:assert/strict";
import {
  listOutbox,
  outboxDir,
  ReaderClaim,
  retireSegment,
  spoolReadersDir,
  SpoolWriter,
} from "../../lake/mod.ts";
import { dirBytes } from "../_dir_bytes.ts";

/** Registers a reader that has sent nothing: every segment the cap cuts is a drop for it. */
function registerReader(root: string): void {
  Deno.mkdirSync(spoolReadersDir(root), { recursive: true });
  Deno.writeTextFileSync(`${spoolReadersDir(root)}/rw.json`, `{"segment":0,"offset":0}\n`);
}

/** Writes segment `id` with `rows` rows and retires it into the outbox. */
function retire(root: string, id: number, rows: number, cap: number, log: string[]): void {
  const w = new SpoolWriter(root, id);
  w.append(
    Array.from({ length: rows }, (_, i) => ({
      ts: id + i,
      host: "h",
      metric: "m",
      labels: `n=${i}`,
      value: id * 1000 + i,
    })),
  );
  w.close();
  retireSegment(root, w.segment.path, { outboxMaxBytes: cap, onDrop: (l) => log.push(l) });
}

Deno.test("the outbox directory, drop ledger included, stays within max_outbox_bytes however many cuts it has seen", () => {
  const root = Deno.makeTempDirSync({ prefix: "perfscope-outbox-cap-" });
  registerReader(root);
  const log: string[] = [];
  // a cap the segments fill but for 50 bytes: the ledger must take room from them
  retire(root, 1, 150, 1 << 30, log);
  const size = Deno.statSync(listOutbox(root)[0]!.path).size;
  const cap = size * Math.floor(65536 / size) + 50;
  let most = 0;
  let ledgerMost = 0;
  for (let id = 2; id <= 400; id++) {
    retire(root, id, 150, cap, log);
    const bytes = dirBytes(outboxDir(root));
    most = Math.max(most, bytes);
    let ledger = 0;
    try {
      ledger = Deno.statSync(`${outboxDir(root)}/dropped.tsv`).size;
    } catch {
      // no cut yet
    }
    ledgerMost = Math.max(ledgerMost, ledger);
    assert.ok(bytes <= cap, `outbox ${bytes} bytes after segment ${id} (ledger ${ledger})`);
  }
  // cuts happened, the ledger grew to its share of the cap and was kept to it
  assert.ok(log.length > 300, `${log.length} cuts`);
  assert.ok(ledgerMost > 2048 && ledgerMost <= 4096, `ledger ${ledgerMost} bytes`);
  // the segments use the rest: the outbox is near its cap, not kept far below it
  assert.ok(most > cap - 2 * size, `${most}`);
  Deno.removeSync(root, { recursive: true });
});

Deno.test("a cut is told as a drop only for segments a reader has not read: a running reader's claim counts, a killed reader's does not", () => {
  const root = Deno.makeTempDirSync({ prefix: "perfscope-outbox-claim-" });
  registerReader(root);
  const log: string[] = [];
  const told = () => log.reduce((a, l) => a + Number(l.match(/deleted its (\d+)/)![1]), 0);
  // what a reader killed while it had segment 2 open left behind: not locked, not believed
  Deno.writeTextFileSync(`${spoolReadersDir(root)}/rw.read`, "0000000000000002 1\n");
  retire(root, 1, 150, 1 << 20, log);
  const size = Deno.statSync(listOutbox(root)[0]!.path).size;
  // room for one segment and the ledger: each retirement cuts the one before
  const cap = size + 4096 + 100;
  retire(root, 2, 150, cap, log);
  assert.equal(told(), 1, "segment 1: the saved position is at 0");
  // a running reader that has read up to segment 4 (its batch waits for an answer) and has it
  // open: the cuts of 2, 3 and 4 lose it nothing
  const claim = new ReaderClaim(spoolReadersDir(root), "rw");
  try {
    claim.update(4, true);
    retire(root, 3, 150, cap, log);
    retire(root, 4, 150, cap, log);
    retire(root, 5, 150, cap, log);
    assert.equal(told(), 1, "not 2 and 3 (read) nor 4 (open)");
    retire(root, 6, 150, cap, log);
    assert.equal(told(), 2, "segment 5, after the one it has open");
  } finally {
    claim.close();
  }
  // stopped: judged by its saved position again
  retire(root, 7, 150, cap, log);
  assert.equal(told(), 3);
  Deno.removeSync(root, { recursive: true });
});
