import assert from "node:assert/strict";
import {
  acquireCollectorLock,
  acquireServeLock,
  readServeLock,
  ServeBusyError,
  serveLockPath,
} from "../../lake/mod.ts";

Deno.test("acquireServeLock() names its holder to a second serve and frees on release", () => {
  const root = Deno.makeTempDirSync();
  const lock = acquireServeLock(root, { now: () => new Date(2026, 0, 2, 12, 0, 1).getTime() });
  assert.deepEqual(readServeLock(root), lock.holder);
  assert.throws(
    () => acquireServeLock(`${root}/`),
    (e: unknown) =>
      e instanceof ServeBusyError && e.holder?.pid === Deno.pid &&
      e.message ===
        `Data dir ${root}/ is already served by pid ${Deno.pid} (deno task serve, started ` +
          "2026-01-02 12:00:01)",
  );
  lock.release();
  lock.release();
  assert.equal(readServeLock(root), undefined, "a released lock names nobody");
  acquireServeLock(root).release();
});

Deno.test("acquireServeLock() takes over the file a crashed serve left, and is apart from the collector lock", () => {
  const root = Deno.makeTempDirSync();
  // what a kill -9'd serve leaves: its name in the file, no OS lock on it any more
  Deno.writeTextFileSync(
    serveLockPath(root),
    JSON.stringify({ pid: 999999, command: "deno task serve", hostname: "x", started: 1 }),
  );
  const lock = acquireServeLock(root);
  assert.equal(readServeLock(root)?.pid, Deno.pid);
  // serve's collector child takes collector.lock while serve holds serve.lock
  acquireCollectorLock(root, { command: "deno task serve" }).release();
  lock.release();
});
