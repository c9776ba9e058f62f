import assert from "node:assert/strict";
import { type PerfscopeConfig, watchConfig, type WatchConfigOptions } from "../../config/mod.ts";

function waitFor<T>(list: T[], n: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const start = Date.now();
    const tick = () => {
      if (list.length >= n) resolve();
      else if (Date.now() - start > 10_000) reject(new Error(`waited for ${n} events`));
      else setTimeout(tick, 20);
    };
    tick();
  });
}

/** A watched config file, what its watch reported so far, and when the watch was in place. */
interface Watched extends AsyncDisposable {
  file: string;
  changes: PerfscopeConfig[];
  errors: string[];
  holds: string[];
  ready: Promise<void>;
}

/**
 * Writes `text` to a perfscope.yaml in a new directory and watches it with `options`; disposal
 * stops the watch, waits for it to end and removes the directory.
 */
async function watched(
  text: string,
  options: Omit<WatchConfigOptions, "signal" | "onChange" | "onError" | "onReady">,
): Promise<Watched> {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/perfscope.yaml`;
  await Deno.writeTextFile(file, text);
  const stop = new AbortController();
  const ready = Promise.withResolvers<void>();
  const changes: PerfscopeConfig[] = [];
  const errors: string[] = [];
  const holds: string[] = [];
  const watching = watchConfig(file, {
    signal: stop.signal,
    onChange: (c) => changes.push(c),
    onError: (e) => errors.push((e as Error).message),
    onReady: () => ready.resolve(),
    onHold: (reason) => holds.push(reason),
    ...options,
  });
  return {
    file,
    changes,
    errors,
    holds,
    ready: ready.promise,
    async [Symbol.asyncDispose]() {
      stop.abort();
      await watching;
      await Deno.remove(dir, { recursive: true });
    },
  };
}

Deno.test("watchConfig() applies a valid edit, keeps the last good config through a bad one", async () => {
  await using w = await watched("collect:\n  top: 5\n", { pollMs: 50, sighup: false });
  await w.ready;
  await Deno.writeTextFile(w.file, "collect:\n  top: 7\n");
  await waitFor(w.changes, 1);
  assert.deepEqual(w.changes[0], { collect: { top: 7 } });
  // an editor-style save: a new file renamed over the old one, with a mistake in it
  await Deno.writeTextFile(`${w.file}.new`, "collect:\n  top: many\n");
  await Deno.rename(`${w.file}.new`, w.file);
  await waitFor(w.errors, 1);
  assert.match(w.errors[0]!, /perfscope.yaml:2:8: collect.top: expected number, got "many"/);
  assert.equal(w.changes.length, 1);
  await Deno.writeTextFile(w.file, "collect:\n  top: 9\n");
  await waitFor(w.changes, 2);
  assert.deepEqual(w.changes[1], { collect: { top: 9 } });
});

Deno.test("watchConfig() keeps the config in force through an edit nested 100,000 deep", async () => {
  await using w = await watched("collect:\n  top: 5\n", { pollMs: 50, sighup: false });
  await w.ready;
  await Deno.writeTextFile(w.file, `collect:\n  top: ${"[".repeat(100_000)}\n`);
  await waitFor(w.errors, 1);
  assert.match(w.errors[0]!, /perfscope.yaml:2:106: nesting deeper than 100 levels$/);
  await Deno.writeTextFile(w.file, "collect:\n  top: 6\n");
  await waitFor(w.changes, 1);
  assert.deepEqual(w.changes, [{ collect: { top: 6 } }]);
});

Deno.test("watchConfig() keeps the schedule in force through a reload with a seconds field or a 30 February", async () => {
  await using w = await watched('schedule:\n  train: "0 4 * * *"\n', { pollMs: 50, sighup: false });
  await w.ready;
  await Deno.writeTextFile(w.file, 'schedule:\n  train: "0 0 4 * * *"\n');
  await waitFor(w.errors, 1);
  assert.match(
    w.errors[0]!,
    /perfscope.yaml:2:10: schedule.train: invalid cron expression "0 0 4 \* \* \*": 6 fields: perfscope cron has 5 \(minute hour day month weekday\), no seconds$/,
  );
  await Deno.writeTextFile(w.file, 'schedule:\n  train: "0 4 30 2 *"\n');
  await waitFor(w.errors, 2);
  assert.match(w.errors[1]!, /perfscope.yaml:2:10: .*: never fires: no 30 February$/);
  assert.equal(w.changes.length, 0);
  await Deno.writeTextFile(w.file, 'schedule:\n  train: "0 4 29 2 *"\n');
  await waitFor(w.changes, 1);
  assert.deepEqual(w.changes, [{ schedule: { train: "0 4 29 2 *" } }]);
});

Deno.test("watchConfig() reloads on SIGHUP without watching the file", async () => {
  await using w = await watched("data: a\n", { pollMs: 50, watch: false });
  await w.ready;
  await Deno.writeTextFile(w.file, "data: b\n");
  Deno.kill(Deno.pid, "SIGHUP");
  await waitFor(w.changes, 1);
  assert.deepEqual(w.changes.at(-1), { data: "b" });
});

Deno.test("watchConfig() compares with the config in force, so an edit made before the watch is applied", async () => {
  await using w = await watched("collect:\n  top: 8\n", {
    current: { collect: { top: 5 } },
    pollMs: 20,
    sighup: false,
  });
  await waitFor(w.changes, 1);
  assert.deepEqual(w.changes, [{ collect: { top: 8 } }]);
});

Deno.test("watchConfig() keeps following the file with a FIFO beside it, and stops when asked", async () => {
  await using w = await watched("collect:\n  top: 5\n", { pollMs: 50, sighup: false });
  await w.ready;
  // Deno.watchFs on the folder stopped delivering events (and never ended) once a FIFO was made
  const mkfifo = new Deno.Command("mkfifo", { args: [`${w.file}.fifo`] });
  assert.equal((await mkfifo.output()).code, 0);
  await Deno.writeTextFile(w.file, "collect:\n  top: 6\n");
  await waitFor(w.changes, 1);
  assert.deepEqual(w.changes[0], { collect: { top: 6 } });
});

Deno.test("watchConfig() takes an empty or missing file for one being rewritten, not for defaults", async () => {
  await using w = await watched("collect:\n  top: 5\n", { pollMs: 50, sighup: false });
  await w.ready;
  // a slow writer: truncate, then the content a while later
  await Deno.writeTextFile(w.file, "");
  await waitFor(w.holds, 1);
  assert.deepEqual(w.holds, ["empty"]);
  await Deno.writeTextFile(w.file, "collect:\n  top: 7\n");
  await waitFor(w.changes, 1);
  assert.deepEqual(w.changes, [{ collect: { top: 7 } }]);
  await Deno.remove(w.file);
  await waitFor(w.holds, 2);
  assert.deepEqual(w.holds, ["empty", "missing"]);
  // an explicit empty mapping asks for the defaults
  await Deno.writeTextFile(w.file, "{}\n");
  await waitFor(w.changes, 2);
  assert.deepEqual(w.changes, [{ collect: { top: 7 } }, {}]);
  // and from the defaults, an empty file changes nothing and is not reported
  await Deno.writeTextFile(w.file, "");
  await Deno.writeTextFile(w.file, "# defaults\n");
  await Deno.writeTextFile(w.file, "collect:\n  top: 8\n");
  await waitFor(w.changes, 3);
  assert.deepEqual(w.changes.at(-1), { collect: { top: 8 } });
  assert.equal(w.errors.length, 0);
});

Deno.test("watchConfig() reads a file only once its stat held still for a poll", async () => {
  await using w = await watched("collect:\n  top: 5\n", { pollMs: 1000, sighup: false });
  await w.ready;
  // half a file, then the rest well within one poll interval: only the whole one is read
  await Deno.writeTextFile(w.file, "collect:\n  top: ");
  await Deno.writeTextFile(w.file, "9\n", { append: true });
  await waitFor(w.changes, 1);
  assert.deepEqual(w.changes, [{ collect: { top: 9 } }]);
  assert.equal(w.errors.length, 0);
});
