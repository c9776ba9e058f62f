import assert from "node:assert/strict";
import {
  acquireCollectorLock,
  CollectorBusyError,
  collectorLockPath,
  readCollectorLock,
  type SampleSource,
  SpoolWriter,
  startCollection,
} from "../../lake/mod.ts";

const sampler: SampleSource = {
  sample: () => [{ ts: Date.now(), host: "h", metric: "m", labels: {}, value: 1 }],
};

Deno.test("acquireCollectorLock() writes its holder, refuses a second holder by name, and frees on release", () => {
  const root = Deno.makeTempDirSync();
  const lock = acquireCollectorLock(root, {
    pid: 1234,
    command: "deno task serve",
    now: () => new Date(2026, 0, 2, 12, 0, 1).getTime(),
  });
  assert.deepEqual(readCollectorLock(root), lock.owner);
  assert.equal(lock.owner.collectorPid, Deno.pid);
  assert.throws(
    () => acquireCollectorLock(`${root}/`),
    (e: unknown) =>
      e instanceof CollectorBusyError && e.owner?.pid === 1234 &&
      e.message ===
        `Data dir ${root}/ is already being collected by pid 1234 (deno task serve, started ` +
          "2026-01-02 12:00:01)",
  );
  lock.release();
  lock.release();
  assert.equal(readCollectorLock(root), undefined, "a released lock names nobody");
  const again = acquireCollectorLock(root);
  assert.equal(again.owner.pid, Deno.pid);
  assert.equal(again.owner.command, "deno task collect");
  assert.equal(again.owner.collectorPid, undefined);
  again.release();
});

Deno.test("acquireCollectorLock() takes over a lock file a crashed holder left behind", () => {
  const root = Deno.makeTempDirSync();
  // What a kill -9'd holder leaves: its name in the file, but no OS lock on it any more.
  Deno.writeTextFileSync(
    collectorLockPath(root),
    JSON.stringify({ pid: 999999, command: "deno task collect", hostname: "x", started: 1 }),
  );
  const lock = acquireCollectorLock(root);
  assert.equal(readCollectorLock(root)?.pid, Deno.pid);
  lock.release();
});

Deno.test("a held lock whose file names nobody yet is reported as another process", () => {
  const root = Deno.makeTempDirSync();
  const file = Deno.openSync(collectorLockPath(root), { write: true, create: true });
  file.lockSync(true);
  try {
    assert.throws(() => acquireCollectorLock(root), {
      name: "CollectorBusyError",
      message: /collected by another process \(it has not written its name yet\)$/,
    });
  } finally {
    file.close();
  }
});

Deno.test("a holder on another host is named with its host", () => {
  const root = Deno.makeTempDirSync();
  const file = Deno.openSync(collectorLockPath(root), { write: true, create: true });
  file.lockSync(true);
  file.writeSync(new TextEncoder().encode(JSON.stringify({
    pid: 7,
    command: "deno task collect",
    hostname: "elsewhere.example",
    started: Date.now(),
  })));
  try {
    // a date before the time only when the write and the check straddle midnight
    assert.throws(() => acquireCollectorLock(root), {
      message:
        /by pid 7 on elsewhere\.example \(deno task collect, started (\d{4}-\d\d-\d\d )?\d\d:\d\d:\d\d\)$/,
    });
  } finally {
    file.close();
  }
});

Deno.test("startCollection() on a data dir another collection writes fails before touching its spool", async () => {
  const root = Deno.makeTempDirSync();
  const first = await startCollection({ root, sampler, intervalMs: 50 });
  const before = Deno.readDirSync(`${root}/spool`).map((e) => e.name).toArray();
  await assert.rejects(() => startCollection({ root, sampler }), CollectorBusyError);
  assert.deepEqual(Deno.readDirSync(`${root}/spool`).map((e) => e.name).toArray(), before);
  await first.stop();
  const second = await startCollection({ root, sampler, intervalMs: 50 });
  await second.stop();
});

Deno.test("startCollection() releases the lock when the replay of a leftover spool fails", async () => {
  const root = Deno.makeTempDirSync();
  new SpoolWriter(root, 1000).close();
  // A directory where the replay must write its Parquet file: the replay throws.
  Deno.mkdirSync(`${root}/metrics`, { recursive: true });
  Deno.writeTextFileSync(`${root}/metrics/host=h`, "not a directory");
  const w = new SpoolWriter(root, 2000);
  w.append([{ ts: Date.UTC(2024, 0, 1), host: "h", metric: "m", labels: "", value: 1 }]);
  w.close();
  await assert.rejects(() => startCollection({ root, sampler }));
  acquireCollectorLock(root).release();
});
