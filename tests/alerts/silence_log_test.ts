import assert from "node:assert/strict";
import { SilenceStore } from "../../alerts/mod.ts";

const T0 = Date.UTC(2026, 11, 7);
const HOUR = 3_600_000;

async function storeWith(root: string, n: number, minCompact = 256) {
  const store = await SilenceStore.open(root, { now: () => T0, log: { minCompact } });
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const s = await store.create({
      matchers: [{ name: "host", op: "=", value: `h${i}` }],
      endsAt: T0 + HOUR,
      comment: `change ${i}`,
    });
    ids.push(s.id);
  }
  return { store, ids };
}

async function reopenedIds(root: string): Promise<string[]> {
  const again = await SilenceStore.open(root, { now: () => T0 });
  return again.list().map((s) => s.id).sort();
}

Deno.test("A write cut at any byte of its record loses only that record, and the next write appends cleanly", async () => {
  const root = await Deno.makeTempDir({ prefix: "perfscope-silence-log-" });
  const log = `${root}/alerts/silences.log`;
  const { ids } = await storeWith(root, 5);
  const whole = await Deno.readFile(log);
  const lastStart = whole.subarray(0, whole.length - 1).lastIndexOf(10) + 1;
  // every length from "the last record barely begun" to "all but its newline"
  for (let cut = lastStart; cut < whole.length; cut++) {
    await Deno.writeFile(log, whole.subarray(0, cut));
    assert.deepEqual(await reopenedIds(root), ids.slice(0, 4).sort(), `cut at ${cut}`);
    // the torn tail was cut off at the open: the file ends on a whole record
    assert.equal((await Deno.readFile(log)).length, lastStart, `cut at ${cut}`);
  }
  // a store opened on the cut file writes on, and both survive
  await Deno.writeFile(log, whole.subarray(0, whole.length - 7));
  const store = await SilenceStore.open(root, { now: () => T0 });
  const next = await store.create({
    matchers: [{ name: "host", op: "=", value: "next" }],
    endsAt: T0 + HOUR,
  });
  assert.deepEqual(await reopenedIds(root), [...ids.slice(0, 4), next.id].sort());
  // a line in the middle that is not a record is not torn: refused, never overwritten
  const text = await Deno.readTextFile(log);
  await Deno.writeTextFile(log, "garbage\n" + text);
  await assert.rejects(() => SilenceStore.open(root), /silences\.log:1: not a silence record/);
  assert.equal(await Deno.readTextFile(log), "garbage\n" + text);
});

Deno.test("The log is folded into the snapshot once it holds as many records as silences, and a crash between the two loses nothing", async () => {
  const root = await Deno.makeTempDir({ prefix: "perfscope-silence-compact-" });
  const dir = `${root}/alerts`;
  // threshold 4: records 1..3 are appended, the 4th write folds all 4 silences into the snapshot
  const { store, ids } = await storeWith(root, 3, 4);
  assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["silences.log"]);
  const logBefore = await Deno.readFile(`${dir}/silences.log`);
  const fourth = await store.create({
    matchers: [{ name: "host", op: "=", value: "h3" }],
    endsAt: T0 + HOUR,
  });
  ids.push(fourth.id);
  assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["silences.json"]);
  const snapshot = JSON.parse(await Deno.readTextFile(`${dir}/silences.json`));
  assert.deepEqual(snapshot.silences.map((s: { id: string }) => s.id).sort(), ids.sort());
  // a crash after the snapshot's rename but before the log went: replaying it changes nothing
  await Deno.writeFile(`${dir}/silences.log`, logBefore);
  assert.deepEqual(await reopenedIds(root), ids.sort());
  // an expiry after the compaction is a record that wins over the snapshot's
  const reopened = await SilenceStore.open(root, { now: () => T0 + 1000, log: { minCompact: 4 } });
  await reopened.expire(fourth.id);
  const states = (await SilenceStore.open(root, { now: () => T0 + 2000 })).list();
  assert.equal(states.find((s) => s.id === fourth.id)?.state, "expired");
  assert.equal(states.filter((s) => s.state === "active").length, 3);
});

Deno.test("A snapshot written by an earlier perfscope (no log) is read, and the log grows beside it", async () => {
  const root = await Deno.makeTempDir({ prefix: "perfscope-silence-old-" });
  const { ids } = await storeWith(root, 2, 2); // the 2nd write compacts: a snapshot, no log
  assert.deepEqual([...Deno.readDirSync(`${root}/alerts`)].map((e) => e.name), ["silences.json"]);
  const store = await SilenceStore.open(root, { now: () => T0 });
  const third = await store.create({
    matchers: [{ name: "host", op: "=", value: "c" }],
    endsAt: T0 + HOUR,
  });
  assert.deepEqual(await reopenedIds(root), [...ids, third.id].sort());
});

Deno.test("A silence that could not be stored is not in force, and an expiry that could not be stored is undone", async () => {
  const root = await Deno.makeTempDir({ prefix: "perfscope-silence-fail-" });
  const { store, ids } = await storeWith(root, 1);
  // the log cannot be opened for writing (a directory stands in its place)
  await Deno.rename(`${root}/alerts/silences.log`, `${root}/alerts/kept.log`);
  await Deno.mkdir(`${root}/alerts/silences.log`);
  await assert.rejects(() =>
    store.create({ matchers: [{ name: "host", op: "=", value: "x" }], endsAt: T0 + HOUR })
  );
  assert.deepEqual(store.silencedBy({ host: "x" }), []);
  await assert.rejects(() => store.expire(ids[0]!));
  assert.equal(store.list()[0]!.state, "active");
  // once the disk is back, both go through and survive a restart
  await Deno.remove(`${root}/alerts/silences.log`);
  await Deno.rename(`${root}/alerts/kept.log`, `${root}/alerts/silences.log`);
  const made = await store.create({
    matchers: [{ name: "host", op: "=", value: "x" }],
    endsAt: T0 + HOUR,
  });
  await store.expire(ids[0]!);
  const again = await SilenceStore.open(root, { now: () => T0 });
  assert.deepEqual(again.silencedBy({ host: "x" }), [made.id]);
  assert.equal(again.list().find((s) => s.id === ids[0])?.state, "expired");
});
