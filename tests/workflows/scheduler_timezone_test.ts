import assert from "node:assert/strict";
import { Scheduler } from "../../workflows/mod.ts";

const MIN = 60_000;

/** Drives a scheduler minute by minute over [from, to) (UTC ms) and returns when each job ran,
 * as UTC ISO times. */
async function runs(cron: string, timezone: string, from: number, to: number): Promise<string[]> {
  const root = await Deno.makeTempDir({ prefix: "perfscope-sched-tz-" });
  let t = from;
  const ran: string[] = [];
  const s = new Scheduler({
    root,
    now: () => t,
    timezone,
    jobs: [{
      name: "job",
      cron,
      run: () => (ran.push(new Date(t).toISOString()), Promise.resolve("ok")),
    }],
    log: () => {},
  });
  for (; t < to; t += MIN) await s.tick();
  await s.stop();
  await Deno.remove(root, { recursive: true });
  return ran;
}

Deno.test("A daily job runs at its local time in schedule.timezone, summer and winter", async () => {
  // 03:00 in Berlin is 01:00 UTC in summer (CEST) and 02:00 UTC in winter (CET)
  const day = 86_400_000;
  const july = Date.UTC(2026, 6, 1);
  assert.deepEqual(await runs("0 3 * * *", "Europe/Berlin", july, july + 2 * day), [
    "2026-07-01T01:00:00.000Z",
    "2026-07-02T01:00:00.000Z",
  ]);
  const jan = Date.UTC(2026, 0, 1);
  assert.deepEqual(await runs("0 3 * * *", "Europe/Berlin", jan, jan + day), [
    "2026-01-01T02:00:00.000Z",
  ]);
});

/** A run of a job: its cron, the UTC span the scheduler is driven over and when it ran then. */
interface Runs {
  cron: string;
  from: number;
  to: number;
  ran: string[];
}

// New York's two clock changes of 2026: a daily job at a local time the change skips or repeats,
// and an hourly job over the four real hours around the change
const CLOCK_CHANGES: { name: string; daily: Runs; hourly: Runs }[] = [
  {
    name: "A job whose local time falls in the spring-forward gap runs once, when the gap ends",
    // 8 March 2026: 02:00 EST jumps to 03:00 EDT (07:00 UTC); 02:30 does not exist
    daily: {
      cron: "30 2 * * *",
      from: Date.UTC(2026, 2, 7, 12),
      to: Date.UTC(2026, 2, 9, 12),
      ran: [
        "2026-03-08T07:00:00.000Z", // 03:00 EDT, the first minute after the gap
        "2026-03-09T06:30:00.000Z", // 02:30 EDT the next day
      ],
    },
    // an hourly job keeps to real hours: 00:00 EST, 01:00 EST, then 03:00 EDT an hour later
    hourly: {
      cron: "0 * * * *",
      from: Date.UTC(2026, 2, 8, 4, 30),
      to: Date.UTC(2026, 2, 8, 8, 30),
      ran: [
        "2026-03-08T05:00:00.000Z",
        "2026-03-08T06:00:00.000Z",
        "2026-03-08T07:00:00.000Z",
        "2026-03-08T08:00:00.000Z",
      ],
    },
  },
  {
    name:
      "A job at a local time the fall-back overlap repeats runs once; an hourly job runs every real hour",
    // 1 November 2026: 02:00 EDT falls back to 01:00 EST (06:00 UTC); 01:30 comes twice
    daily: {
      cron: "30 1 * * *",
      from: Date.UTC(2026, 9, 31, 12),
      to: Date.UTC(2026, 10, 2, 12),
      ran: [
        "2026-11-01T05:30:00.000Z", // 01:30 EDT, the first of the two
        "2026-11-02T06:30:00.000Z", // 01:30 EST the next day
      ],
    },
    // 01:00 EDT, 01:00 EST, 02:00 EST, 03:00 EST: four real hours, four runs
    hourly: {
      cron: "0 * * * *",
      from: Date.UTC(2026, 10, 1, 4, 30),
      to: Date.UTC(2026, 10, 1, 8, 30),
      ran: [
        "2026-11-01T05:00:00.000Z",
        "2026-11-01T06:00:00.000Z",
        "2026-11-01T07:00:00.000Z",
        "2026-11-01T08:00:00.000Z",
      ],
    },
  },
];

for (const { name, daily, hourly } of CLOCK_CHANGES) {
  Deno.test(name, async () => {
    for (const { cron, from, to, ran } of [daily, hourly]) {
      assert.deepEqual(await runs(cron, "America/New_York", from, to), ran);
    }
  });
}

Deno.test("The catch-up at start reads the time zone too: a run at 01:30 EDT is not missed again at 01:30 EST", async () => {
  const root = await Deno.makeTempDir({ prefix: "perfscope-sched-tz-" });
  const ranAt = Date.UTC(2026, 10, 1, 5, 30); // 01:30 EDT
  await Deno.mkdir(`${root}/schedule`);
  await Deno.writeTextFile(
    `${root}/schedule/state.json`,
    JSON.stringify({ job: { at: ranAt, outcome: "ok" } }),
  );
  const now = Date.UTC(2026, 10, 1, 6, 45); // 01:45 EST: the wall clock passed 01:30 again
  const ran: number[] = [];
  const s = new Scheduler({
    root,
    now: () => now,
    timezone: "America/New_York",
    jobs: [{ name: "job", cron: "30 1 * * *", run: () => (ran.push(now), Promise.resolve("")) }],
    log: () => {},
  });
  assert.deepEqual(await s.start(), []);
  await s.stop();
  assert.deepEqual(ran, []);
  assert.equal(s.status()[0]!.nextRun, "2026-11-02T06:30:00.000Z");
});
