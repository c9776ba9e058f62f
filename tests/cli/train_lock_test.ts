/**
 * The train lock with real processes: a `train` beside a running one (a manual run next to
 * serve's scheduled one, or the other way round) stores nothing, so `models/` holds one run's
 * fits and not some of each; by hand it exits 1 naming the holder, on serve's schedule the round
 * is skipped with that line as its detail, and a holder killed with SIGKILL leaves no lock.
 * No timing is asserted; the wait has a generous bound only so a broken lock fails, not hangs.
 *
 * @module
 */
import assert from "node:assert/strict";
import { loadModels } from "../../analytics/models/persist_models.ts";
import { maintenanceJobs } from "../../cli/_workflows_wiring.ts";
import { simulateHost } from "../../lake/mod.ts";

const HERE = new URL(".", import.meta.url).pathname;
const DAY = 86_400_000;
const START = Date.UTC(2024, 0, 1);

/** A three-day lake of one host. */
function makeLake(): string {
  const root = Deno.makeTempDirSync({ prefix: "perfscope-train-lock-" });
  simulateHost({
    root,
    host: "db1",
    start: START,
    durationMs: 3 * DAY,
    stepMs: 600_000,
    cpus: 2,
    topN: 1,
    diskFill: { from: 0.6, to: 0.8 },
  });
  return root;
}

function cleanup(root: string): void {
  Deno.removeSync(root, { recursive: true });
  for (const marker of [`${root}.paused`, `${root}.go`]) {
    try {
      Deno.removeSync(marker);
    } catch {
      // this test made no such marker
    }
  }
}

/** Starts the train of `_paused_train.ts` and waits until it has stored one model and paused. */
async function pausedTrain(root: string, ...flags: string[]): Promise<Deno.ChildProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${HERE}_paused_train.ts`, "--data", root, ...flags],
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const bound = Date.now() + 120_000; // fail, not hang, if it never pauses
  for (;;) {
    try {
      Deno.statSync(`${root}.paused`);
      return child;
    } catch {
      if (Date.now() > bound) {
        child.kill("SIGKILL");
        await child.output();
        throw new Error("the paused train never paused");
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** Runs `deno task train` (cli/train.ts) on `root` to its end. */
async function train(root: string, ...flags: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${HERE}../../cli/train.ts`, "--data", root, ...flags],
    stdin: "null",
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b).trim();
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

/** How many stored models were fitted from each start time (`--since` sets it). */
async function fittedFrom(root: string): Promise<Map<number, number>> {
  const { models, errors } = await loadModels(root);
  assert.deepEqual(errors, []);
  const by = new Map<number, number>();
  for (const m of models) by.set(m.series.from, (by.get(m.series.from) ?? 0) + 1);
  return by;
}

Deno.test("a manual train beside a running one stores nothing and exits 1 with one line naming it; models/ holds the first run's fits only", async () => {
  const root = makeLake();
  const holder = await pausedTrain(root, "--since", "3d");
  let second;
  try {
    second = await train(root, "--since", "2d");
  } finally {
    Deno.writeTextFileSync(`${root}.go`, "");
  }
  const first = await holder.output();
  assert.equal(first.code, 0);
  const stored = /(\d+) models stored in /.exec(new TextDecoder().decode(first.stdout))?.[1];
  assert.equal(second.code, 1, second.stdout);
  assert.equal(second.stdout, "");
  assert.match(
    second.stderr,
    new RegExp(
      `^perfscope train: Data dir ${root}/ is already being trained by pid ${holder.pid} ` +
        `\\(deno task train, started [\\d:-\\s]+\\); nothing stored$`,
    ),
  );
  // every model is the 3-day run's: none of the refused 2-day run's fits got in between
  const last = START + 3 * DAY - 600_000;
  assert.deepEqual([...await fittedFrom(root)], [[last - 3 * DAY, Number(stored)]]);
  // released at the end: the next run goes
  const again = await train(root, "--since", "2d");
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual([...await fittedFrom(root)], [[last - 2 * DAY, Number(stored)]]);
  cleanup(root);
});

Deno.test("serve's scheduled train skips its round naming a manual run that holds the lock; a holder killed with SIGKILL leaves no lock", async () => {
  const root = makeLake();
  const job = maintenanceJobs(root, {}).train!;
  const holder = await pausedTrain(root, "--since", "3d");
  let detail;
  try {
    detail = await job(new AbortController().signal);
  } finally {
    holder.kill("SIGKILL");
  }
  assert.equal((await holder.output()).signal, "SIGKILL");
  assert.match(
    detail,
    new RegExp(
      `^Skipped: Data dir ${root}/ is already being trained by pid ${holder.pid} ` +
        `\\(deno task train, started [\\d:-\\s]+\\)$`,
    ),
  );
  // the killed holder stored one model before it paused; the skipped round added none
  const last = START + 3 * DAY - 600_000;
  assert.deepEqual([...await fittedFrom(root)], [[last - 3 * DAY, 1]]);
  const next = await job(new AbortController().signal);
  // the next round runs (serve's default --since 7d) and refits every model
  const stored = /^(\d+) models stored in /.exec(next)?.[1];
  assert.ok(stored, next);
  assert.deepEqual([...await fittedFrom(root)], [[last - 7 * DAY, Number(stored)]]);
  cleanup(root);
});
