import assert from "node:assert/strict";
import { type PerfscopeConfig, watchConfig } from "../../config/mod.ts";

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

Deno.test("watchConfig() applies a valid edit, keeps the last good config through a bad one", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/perfscope.yaml`;
  await Deno.writeTextFile(file, "collect:\n  top: 5\n");
  const stop = new AbortController();
  const ready = Promise.withResolvers<void>();
  const changes: PerfscopeConfig[] = [];
  const errors: string[] = [];
  const watching = watchConfig(file, {
    signal: stop.signal,
    onChange: (c) => changes.push(c),
    onError: (e) => errors.push((e as Error).message),
    debounceMs: 50,
    onReady: () => ready.resolve(),
    sighup: false,
  });
  try {
    await ready.promise;
    await Deno.writeTextFile(file, "collect:\n  top: 7\n");
    await waitFor(changes, 1);
    assert.deepEqual(changes[0], { collect: { top: 7 } });
    // an editor-style save: a new file renamed over the old one, with a mistake in it
    await Deno.writeTextFile(`${file}.new`, "collect:\n  top: many\n");
    await Deno.rename(`${file}.new`, file);
    await waitFor(errors, 1);
    assert.match(errors[0]!, /perfscope.yaml:2:8: collect.top: expected number, got "many"/);
    assert.equal(changes.length, 1);
    await Deno.writeTextFile(file, "collect:\n  top: 9\n");
    await waitFor(changes, 2);
    assert.deepEqual(changes[1], { collect: { top: 9 } });
  } finally {
    stop.abort();
    await watching;
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("watchConfig() reloads on SIGHUP without watching the file", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/perfscope.yaml`;
  await Deno.writeTextFile(file, "data: a\n");
  const stop = new AbortController();
  const ready = Promise.withResolvers<void>();
  const changes: PerfscopeConfig[] = [];
  const watching = watchConfig(file, {
    signal: stop.signal,
    onChange: (c) => changes.push(c),
    onError: () => {},
    debounceMs: 50,
    onReady: () => ready.resolve(),
    watch: false,
  });
  try {
    await ready.promise;
    await Deno.writeTextFile(file, "data: b\n");
    Deno.kill(Deno.pid, "SIGHUP");
    await waitFor(changes, 1);
    assert.deepEqual(changes.at(-1), { data: "b" });
  } finally {
    stop.abort();
    await watching;
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("watchConfig() compares with the config in force, so an edit made before the watch is applied", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/perfscope.yaml`;
  await Deno.writeTextFile(file, "collect:\n  top: 8\n");
  const stop = new AbortController();
  const changes: PerfscopeConfig[] = [];
  const watching = watchConfig(file, {
    signal: stop.signal,
    current: { collect: { top: 5 } },
    onChange: (c) => changes.push(c),
    onError: () => {},
    debounceMs: 20,
    sighup: false,
  });
  try {
    await waitFor(changes, 1);
    assert.deepEqual(changes, [{ collect: { top: 8 } }]);
  } finally {
    stop.abort();
    await watching;
    await Deno.remove(dir, { recursive: true });
  }
});
