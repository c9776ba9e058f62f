/**
 * `serve --no-collect` stopped and started again on a lake a real collector keeps writing: at the
 * start its spool tail hands the alert engine the newest segment from its beginning (every
 * snapshot since the collector's last flush), and the alerts must come out of that as they went
 * in, with no pending → nodata → pending flap in the history.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { AlertEngine, AlertTransition } from "../../alerts/mod.ts";
import { startServe } from "../_serve.ts";

const REPO = new URL("../../", import.meta.url);

// every window of the load average holds (above −1): Waiting stays pending for an hour, Held fires
const CONFIG = `rules:
  - {alert: Waiting, metric: load_average, above: -1, for: 1h}
  - {alert: Held, metric: load_average, labels: {window: 1m}, above: -1}
`;

/** Waits (up to 60 s) until `check` holds, looking every 100 ms. */
async function until(check: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 60_000;
  while (!check()) {
    if (Date.now() > end) throw new Error(`waited 60 s for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A `serve --no-collect` in this process, with what its alert engine does from the start. */
async function serveLake(dir: string) {
  const seen: AlertTransition[] = [];
  let evaluations = 0;
  let engine: AlertEngine | undefined;
  const served = await startServe(
    ["--no-collect", "--data", `${dir}/lake`, "--config", `${dir}/perfscope.yaml`],
    {
      compact: false,
      onAlerts(e) {
        engine = e;
        // before the spool tail starts: its first evaluation is counted and heard too
        e.onTransition((t) => seen.push(...t));
        const evaluate = e.evaluate.bind(e);
        e.evaluate = (now) => (evaluations++, evaluate(now));
      },
    },
  );
  return {
    seen,
    evaluations: () => evaluations,
    engine: () => engine!,
    async stop() {
      served.stop();
      assert.equal(await served.done, 0);
    },
  };
}

const states = (engine: AlertEngine) =>
  engine.instances().map((i) =>
    `${i.rule} ${i.labels.window} ${i.state} ${i.activeAt} ${i.firedAt}`
  ).sort();

Deno.test("a restart of serve that replays the collector's spool keeps pending and firing alerts as they were, and a dead collector's series go nodata", async () => {
  const dir = await Deno.makeTempDir({ prefix: "perfscope-alerts-restart-" });
  await Deno.writeTextFile(`${dir}/perfscope.yaml`, CONFIG);
  // a collector beside serve, as `deno task collect`: its spool segment spans both serve runs
  const collector = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "cli/collect.ts", "--data", `${dir}/lake`, "--flush", "10m"],
    cwd: REPO,
    stdout: "null",
    stderr: "null",
  }).spawn();
  let collecting = true;
  try {
    const first = await serveLake(dir);
    await until(
      () => first.seen.filter((t) => t.to === "pending" || t.to === "firing").length === 4,
      "three pending and one firing alert",
    );
    // the restart must find snapshots older than the staleness (5 intervals) at the spool's start
    const began = first.seen[0]!.at;
    await until(() => Date.now() > began + 7_000, "seven seconds of spool");
    const before = states(first.engine());
    await first.stop();

    const second = await serveLake(dir);
    // the spool's backlog, then the timer and a snapshot the collector writes afterwards
    await until(() => second.evaluations() >= 3, "three evaluations after the restart");
    assert.deepEqual(
      second.seen.map((t) => `${t.instance.rule} ${t.instance.labels.window} ${t.from}>${t.to}`),
      [],
    );
    assert.deepEqual(states(second.engine()), before);

    // now the collector dies without its flush: what the spool holds is all there is
    collector.kill("SIGKILL");
    collecting = false;
    await collector.status;
    await second.stop();
    const killed = Date.now();
    await until(() => Date.now() > killed + 7_000, "seven seconds of silence");
    const third = await serveLake(dir);
    await until(() => third.evaluations() >= 2, "two evaluations after the second restart");
    const after = [...second.seen, ...third.seen];
    assert.deepEqual(
      after.map((t) => `${t.instance.rule} ${t.instance.labels.window} ${t.to}`).sort(),
      [
        "Held 1m nodata",
        "Waiting 15m nodata",
        "Waiting 1m nodata",
        "Waiting 5m nodata",
      ],
    );
    assert.ok(third.engine().instances().every((i) => i.state === "nodata"));
    await third.stop();
  } finally {
    if (collecting) {
      collector.kill("SIGKILL");
      await collector.status;
    }
    await Deno.remove(dir, { recursive: true });
  }
});
