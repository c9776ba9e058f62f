import assert from "node:assert/strict";
import { Notifier, type WebhookPayload } from "../../alerts/mod.ts";
import { type DelayConfig, parseConfig } from "../../config/mod.ts";
import { T0, transition, webhookServer } from "./_webhook.ts";
import { configError } from "../_config_error.ts";

const MIN = 60_000;
const HOT = { alertname: "DiskBusy", severity: "warning", host: "db1" };

/** A notifier with one webhook receiver delayed as given, on a fake clock (ticks by hand), and
 * a route that flushes at every tick (no group wait or interval: only the delay holds). */
function delayed(url: string, delay: DelayConfig, clock: { now: number }): Notifier {
  return new Notifier({
    receivers: [{ name: "ops", webhook: url, delay }],
    route: { receiver: "ops", group_wait: 0, group_interval: 0 },
    now: () => clock.now,
    tickMs: 0,
    delivery: { initialBackoffMs: 2, random: () => 0.5 },
    log: () => {},
  });
}

function statuses(hook: { received: { body: unknown }[] }): string[] {
  return hook.received.map((r) => {
    const body = r.body as WebhookPayload;
    return `${body.status} ${body.alerts[0]?.startsAt} ${body.alerts[0]?.endsAt}`;
  });
}

const iso = (ms: number) => new Date(ms).toISOString();
const FIRING_END = "0001-01-01T00:00:00Z";

Deno.test("a flapping alert's resolutions are held, the hold grows by the multiplier with each flap, and only the last one is sent", async () => {
  await using hook = webhookServer();
  const clock = { now: T0 };
  const notifier = delayed(
    hook.url,
    { up: 0, down: 15 * MIN, multiplier: 1.5, max: 60 * MIN },
    clock,
  );
  const at = async (ms: number, to?: "firing" | "resolved", firedAt?: number) => {
    clock.now = T0 + ms;
    if (to) {
      notifier.handle([
        transition(HOT, to, clock.now, firedAt === undefined ? {} : { firedAt: T0 + firedAt }),
      ]);
    }
    notifier.tick();
    await notifier.idle();
  };
  await at(0, "firing"); // up: 0s, sent at once
  assert.deepEqual(statuses(hook), [`firing ${iso(T0)} ${FIRING_END}`]);

  await at(1 * MIN, "resolved", 0); // held 15 minutes
  assert.deepEqual(notifier.held().map((h) => [h.firing, h.dueAt - T0]), [[false, 16 * MIN]]);
  await at(5 * MIN, "firing"); // a flap: the held resolution is dropped, nothing is sent
  assert.deepEqual(notifier.held(), []);
  await at(6 * MIN, "resolved", 5 * MIN); // held 15 × 1.5 = 22.5 minutes
  assert.equal(notifier.held()[0]!.dueAt, T0 + 6 * MIN + 22.5 * MIN);
  await at(10 * MIN, "firing");
  await at(11 * MIN, "resolved", 10 * MIN); // held 15 × 1.5² = 33.75 minutes
  const due = T0 + 11 * MIN + 33.75 * MIN;
  assert.equal(notifier.held()[0]!.dueAt, due);
  await at(due - T0 - 1);
  assert.equal(hook.received.length, 1, "nothing more while held");
  await at(due - T0);
  // the receiver heard: firing once, resolved once, with the real resolution time
  assert.deepEqual(statuses(hook), [
    `firing ${iso(T0)} ${FIRING_END}`,
    `resolved ${iso(T0 + 10 * MIN)} ${iso(T0 + 11 * MIN)}`,
  ]);

  // quiet for max (1 h): the hold is back to 15 minutes
  const later = due - T0 + 60 * MIN;
  await at(later, "firing");
  await at(later + MIN, "resolved", later);
  assert.equal(notifier.held()[0]!.dueAt, T0 + later + MIN + 15 * MIN);
  assert.equal(hook.received.length, 3);
  await notifier.close();
});

Deno.test("with an up delay, an alert that resolves within it is never notified, and the grown hold stops at max", async () => {
  await using hook = webhookServer();
  const clock = { now: T0 };
  const notifier = delayed(hook.url, { up: 30_000, down: 0, multiplier: 2, max: MIN }, clock);
  const at = async (ms: number, to?: "firing" | "resolved") => {
    clock.now = T0 + ms;
    if (to) notifier.handle([transition(HOT, to, clock.now)]);
    notifier.tick();
    await notifier.idle();
  };
  await at(0, "firing"); // held 30 s
  await at(10_000, "resolved"); // a flap: dropped, the hold doubles
  await at(29_000);
  assert.equal(hook.received.length, 0);
  assert.deepEqual(notifier.held(), []);
  await at(20_000, "firing"); // held 30 s × 2 = 60 s, due at 80 s
  assert.equal(notifier.held()[0]!.dueAt, T0 + 80_000);
  await at(30_000, "resolved"); // another flap: × 4 = 120 s, but at most max (60 s)
  await at(40_000, "firing");
  assert.equal(notifier.held()[0]!.dueAt, T0 + 100_000);
  await at(99_999);
  assert.equal(hook.received.length, 0);
  await at(100_000);
  assert.deepEqual(statuses(hook), [`firing ${iso(T0 + 40_000)} ${FIRING_END}`]);
  await notifier.close();
});

Deno.test("a receiver without delay gets the same flapping alert at once, beside a delayed one", async () => {
  await using fast = webhookServer();
  await using slow = webhookServer();
  const clock = { now: T0 };
  const notifier = new Notifier({
    receivers: [
      { name: "fast", webhook: fast.url },
      { name: "slow", webhook: slow.url, delay: { up: MIN, down: 0, multiplier: 1, max: MIN } },
    ],
    route: {
      receiver: "fast",
      group_wait: 0,
      group_interval: 0,
      routes: [{ matchers: ['host="db1"'], receiver: "slow", continue: true }, {
        matchers: ['host="db1"'],
        receiver: "fast",
      }],
    },
    now: () => clock.now,
    tickMs: 0,
    log: () => {},
  });
  notifier.handle([transition(HOT, "firing", T0)]);
  notifier.tick();
  await notifier.idle();
  assert.equal(fast.received.length, 1);
  assert.equal(slow.received.length, 0);
  clock.now = T0 + MIN;
  notifier.tick();
  await notifier.idle();
  assert.equal(slow.received.length, 1);
  await notifier.close();
});

const RECEIVER = (delay: string) =>
  `receivers:\n  - name: ops\n    webhook: http://127.0.0.1:9095/hook\n    delay: ${delay}\n` +
  `route:\n  receiver: ops\n`;

Deno.test("a receiver's delay reads as Netdata writes it, in ms, with max defaulting to the longest hold times the multiplier", () => {
  const config = parseConfig(RECEIVER("{up: 0s, down: 15m, multiplier: 1.5, max: 1h}"));
  assert.deepEqual(config.receivers?.[0]?.delay, {
    up: 0,
    down: 15 * MIN,
    multiplier: 1.5,
    max: 60 * MIN,
  });
  assert.deepEqual(parseConfig(RECEIVER("{down: 10m, multiplier: 2}")).receivers?.[0]?.delay, {
    up: 0,
    down: 10 * MIN,
    multiplier: 2,
    max: 20 * MIN,
  });
});

Deno.test("a bad delay is a config error at its line and column with the key path", () => {
  assert.equal(
    configError(RECEIVER("{down: 15m, multiplier: 0.5}")),
    "perfscope.yaml:4:36: receivers[0].delay.multiplier: must be at least 1, got 0.5",
  );
  assert.equal(
    configError(RECEIVER("{down: 15m, max: 5m}")),
    "perfscope.yaml:4:29: receivers[0].delay.max: must be at least up and down (15 min), got 5 min",
  );
  assert.equal(
    configError(RECEIVER("{down: 15}")),
    "perfscope.yaml:4:19: receivers[0].delay.down: invalid duration 15: a number needs a unit here, 15s or 15ms? (use e.g. 0s, 500ms, 30s, 5m, 4h)",
  );
  assert.equal(
    configError(RECEIVER("{dwn: 15m}")),
    'perfscope.yaml:4:13: unknown key "dwn" in receivers[0].delay',
  );
});

Deno.test("an alert firing before a restart is not announced again, and its resolution is held by the delay", async () => {
  await using hook = webhookServer();
  const clock = { now: T0 };
  const notifier = delayed(hook.url, { up: 0, down: 5 * MIN, multiplier: 1, max: 5 * MIN }, clock);
  notifier.resume([transition(HOT, "firing", T0 - 10 * MIN).instance]);
  notifier.tick();
  await notifier.idle();
  assert.equal(hook.received.length, 0);
  clock.now = T0 + MIN;
  notifier.handle([transition(HOT, "resolved", clock.now, { firedAt: T0 - 10 * MIN })]);
  await notifier.idle();
  assert.equal(hook.received.length, 0);
  clock.now = T0 + 6 * MIN;
  notifier.tick();
  await notifier.idle();
  assert.deepEqual(statuses(hook), [`resolved ${iso(T0 - 10 * MIN)} ${iso(T0 + MIN)}`]);
  await notifier.close();
});

Deno.test("an alert whose up delay had not ended at a restart is announced when it ends, not taken as announced", async () => {
  await using hook = webhookServer();
  const clock = { now: T0 };
  const delay = { up: 5 * MIN, down: 0, multiplier: 1, max: 5 * MIN };
  // fired a minute before the restart: its announcement was held until T0 + 4 min, and the
  // process that held it is gone
  const notifier = delayed(hook.url, delay, clock);
  notifier.resume([transition(HOT, "firing", T0 - MIN).instance]);
  notifier.tick();
  await notifier.idle();
  assert.equal(hook.received.length, 0);
  assert.deepEqual(notifier.held().map((h) => [h.firing, h.dueAt - T0]), [[true, 4 * MIN]]);
  clock.now = T0 + 4 * MIN;
  notifier.tick();
  await notifier.idle();
  assert.deepEqual(statuses(hook), [`firing ${iso(T0 - MIN)} ${FIRING_END}`]);
  clock.now = T0 + 5 * MIN;
  notifier.handle([transition(HOT, "resolved", clock.now, { firedAt: T0 - MIN })]);
  await notifier.idle();
  assert.deepEqual(statuses(hook), [
    `firing ${iso(T0 - MIN)} ${FIRING_END}`,
    `resolved ${iso(T0 - MIN)} ${iso(T0 + 5 * MIN)}`,
  ]);
  await notifier.close();
});
