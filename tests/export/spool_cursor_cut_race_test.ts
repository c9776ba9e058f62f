import assert from "node:assert/strict";
import { SpoolCursor } from "../../export/mod.ts";
import { spoolReadersDir } from "../../lake/mod.ts";

const CHILD = new URL("../lake/_outbox_cut_child.ts", import.meta.url).pathname;

Deno.test("a reader overtaken by the outbox cap counts every segment it did not read, while cuts race its moves from segment to segment", async () => {
  const root = Deno.makeTempDirSync({ prefix: "perfscope-cut-race-" });
  // registered at 0 and never moved: every segment the cap cuts is noted in the ledger
  Deno.mkdirSync(spoolReadersDir(root), { recursive: true });
  Deno.writeTextFileSync(`${spoolReadersDir(root)}/rw.json`, `{"segment":0,"offset":0}\n`);
  const child = new Deno.Command(Deno.execPath(), {
    // a cap whose ledger share (16 KiB) holds the cuts between two reads: none are forgotten
    args: ["run", "-A", CHILD, root, String(1 << 18)],
    stdin: "null",
    stdout: "null",
    stderr: "inherit",
  }).spawn();
  const cursor = new SpoolCursor(root, { segment: 0, offset: 0 });
  const read = new Set<number>();
  try {
    // slower than the writer: the cap overtakes the reader, which moves on from segment to
    // segment at the oldest end of the outbox, where the cuts are
    for (let i = 0; i < 800; i++) {
      for (const s of cursor.read(2048).snapshots) read.add(s.ts);
      await new Promise((res) => setTimeout(res, i % 4 === 0 ? 1 : 0));
    }
  } finally {
    child.kill("SIGKILL");
    await child.status;
  }
  // the rest, once the writer is gone (its last segment stays in the spool: read to its end)
  for (let r = cursor.read(1 << 20); r.snapshots.length > 0; r = cursor.read(1 << 20)) {
    for (const s of r.snapshots) read.add(s.ts);
  }
  cursor.countDrops();
  // a segment's snapshots have its id as time (see the child)
  const last = Math.max(...read);
  const ids = Array.from({ length: last }, (_, i) => i + 1);
  const unread = ids.filter((id) => !read.has(id));
  assert.ok(unread.length > 10, `the cap overtook the reader: ${unread.length} segments cut`);
  assert.equal(cursor.droppedSegments, unread.length, `${read.size} segments read`);
  cursor.close();
  Deno.removeSync(root, { recursive: true });
});
