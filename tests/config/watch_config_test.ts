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
  const watching = watchConfig(file, {
    signal: stop.signal,
    onChange: (c) => changes.push(c),
    onError: (e) => errors.push((e as Error).message),
    onReady: () => ready.resolve(),
    ...options,
  });
  return {
    file,
    changes,
    errors,
    ready: ready.promise,
    async [Symbol.asyncDispose]() {
      stop.abort();
      await watching;
      await Deno.remove(dir, { recursive: true });
    },
  };
}

Deno.test("watchConfig() applies a valid edit, keeps the last good config through a bad one", async () => {
  await using w = await watched("collect:\n  top: 5\n", { debounceMs: 50, sighup: false });
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

Deno.test("watchConfig() reloads on SIGHUP without watching the file", async () => {
  await using w = await watched("data: a\n", { debounceMs: 50, watch: false });
  await w.ready;
  await Deno.writeTextFile(w.file, "data: b\n");
  Deno.kill(Deno.pid, "SIGHUP");
  await waitFor(w.changes, 1);
  assert.deepEqual(w.changes.at(-1), { data: "b" });
});

Deno.test("watchConfig() compares with the config in force, so an edit made before the watch is applied", async () => {
  await using w = await watched("collect:\n  top: 8\n", {
    current: { collect: { top: 5 } },
    debounceMs: 20,
    sighup: false,
  });
  await waitFor(w.changes, 1);
  assert.deepEqual(w.changes, [{ collect: { top: 8 } }]);
});
