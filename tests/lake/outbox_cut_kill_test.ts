import assert from "node:assert/strict";
import {
  listOutbox,
  listSegments,
  outboxDir,
  retireSegment,
  spoolReadersDir,
  SpoolWriter,
} from "../../lake/mod.ts";

const CHILD = new URL("./_outbox_cut_child.ts", import.meta.url).pathname;

/** The drop ledger's segment ids (none before the first cut). */
function ledgerIds(root: string): number[] {
  let text = "";
  try {
    text = Deno.readTextFileSync(`${outboxDir(root)}/dropped.tsv`);
  } catch {
    // no cut yet
  }
  return text.split("\n").filter((l) => l.includes("\t")).map((l) => Number(l.split("\t")[0]));
}

/** Segment ids still on disk: in the spool (written, not retired) and in the outbox. */
function onDisk(root: string): Set<number> {
  return new Set([...listSegments(root), ...listOutbox(root)].map((s) => s.id));
}

/** Ids from the ledger's oldest line (older lines may have been cut from it) to the newest
 * segment made that are neither on disk nor in the ledger: drops nobody can count. */
function uncounted(root: string): number[] {
  const ledger = ledgerIds(root);
  const disk = onDisk(root);
  const all = [...ledger, ...disk];
  const lost: number[] = [];
  for (let id = Math.min(...ledger); id <= Math.max(...all); id++) {
    if (!disk.has(id) && !ledger.includes(id)) lost.push(id);
  }
  return lost;
}

Deno.test("kill -9 of a process cutting the outbox never loses the count of a dropped segment, and the next cut finishes the one killed", async () => {
  // seeded: the kill points are the same from run to run
  let seed = 7;
  const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
  const rounds = 15;
  let interrupted = 0;
  for (let round = 0; round < rounds; round++) {
    const root = Deno.makeTempDirSync({ prefix: "perfscope-outbox-kill-" });
    Deno.mkdirSync(spoolReadersDir(root), { recursive: true });
    // many readers, none past a segment: reading their positions is most of a cut
    for (let r = 0; r < 40; r++) {
      Deno.writeTextFileSync(`${spoolReadersDir(root)}/rw${r}.json`, `{"segment":0,"offset":0}\n`);
    }
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", CHILD, root, "65536"],
      stdin: "null",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const reader = child.stdout.getReader();
    const { value } = await reader.read();
    assert.equal(new TextDecoder().decode(value), "ready\n", `round ${round}`);
    await new Promise((res) => setTimeout(res, 1 + random() * 30));
    child.kill("SIGKILL");
    await child.status;
    reader.releaseLock();
    await child.stdout.cancel();
    const label = `round ${round}`;
    assert.deepEqual(uncounted(root), [], `${label}: dropped segments missing from the ledger`);
    // a cut killed after its ledger lines and before its deletions leaves segments both on
    // disk and in the ledger (counted as dropped, still readable): the next cut deletes them
    const disk = onDisk(root);
    if (ledgerIds(root).some((id) => disk.has(id))) interrupted++;
    // the restart: the segment killed before its retirement, then a new one
    const w = new SpoolWriter(root, Math.max(...ledgerIds(root), ...disk) + 1);
    w.close();
    for (const s of listSegments(root)) {
      retireSegment(root, s.path, { outboxMaxBytes: 65536, onDrop: () => {} });
    }
    const after = onDisk(root);
    assert.deepEqual(ledgerIds(root).filter((id) => after.has(id)), [], `${label}: finished`);
    assert.deepEqual(uncounted(root), [], `${label}: after the next cut`);
    Deno.removeSync(root, { recursive: true });
  }
  console.log(`${interrupted} of ${rounds} kills interrupted a cut between ledger and deletion`);
});

Deno.test("a cut killed after noting its drops and before deleting them is finished by the next one, and not noted twice", () => {
  const root = Deno.makeTempDirSync({ prefix: "perfscope-outbox-kill-" });
  Deno.mkdirSync(spoolReadersDir(root), { recursive: true });
  Deno.writeTextFileSync(`${spoolReadersDir(root)}/rw.json`, `{"segment":0,"offset":0}\n`);
  const retire = (id: number) => {
    const w = new SpoolWriter(root, id);
    w.append([{ ts: id, host: "h", metric: "m", labels: "", value: id }]);
    w.close();
    retireSegment(root, w.segment.path, { outboxMaxBytes: 1 << 20, onDrop: () => {} });
  };
  retire(1000);
  retire(2000);
  // what the kill leaves: segment 1000 in the ledger, still on disk
  const size = Deno.statSync(listOutbox(root)[0]!.path).size;
  Deno.writeTextFileSync(`${outboxDir(root)}/dropped.tsv`, `1000\t${size}\n`);
  retire(3000);
  assert.deepEqual(listOutbox(root).map((s) => s.id), [2000, 3000]);
  assert.deepEqual(ledgerIds(root), [1000]);
  Deno.removeSync(root, { recursive: true });
});
