import assert from "node:assert/strict";
import { armStopDeadline, drainServer } from "../../cli/_bounded_stop.ts";

Deno.test("drainServer() interrupts once the grace is over, until the requests end", async () => {
  const ended = Promise.withResolvers<void>();
  const lines: string[] = [];
  let interrupts = 0;
  await drainServer({ shutdown: () => ended.promise }, {
    graceMs: 20,
    interrupt() {
      // the second interrupt ends the last request (a request that started another statement)
      if (++interrupts === 2) ended.resolve();
    },
    log: (line) => lines.push(line),
  });
  assert.equal(interrupts, 2);
  assert.deepEqual(lines, [
    "requests still running 0.02 s after the stop: interrupting their queries",
  ]);
});

Deno.test("drainServer() interrupts nothing when the requests end within the grace", async () => {
  let interrupts = 0;
  await drainServer({ shutdown: () => Promise.resolve() }, {
    graceMs: 60_000,
    interrupt: () => interrupts++,
    log: () => {},
  });
  assert.equal(interrupts, 0);
});

Deno.test("armStopDeadline() exits with 1 unless disarmed", async () => {
  const codes: number[] = [];
  const lines: string[] = [];
  const exited = Promise.withResolvers<void>();
  // the deadline's timer does not keep the process alive: this one does, for the test
  const alive = setTimeout(() => {}, 60_000);
  armStopDeadline(10, {
    stage: () => "the ingest flush",
    exit(code) {
      codes.push(code);
      exited.resolve();
    },
    log: (line) => lines.push(line),
  });
  const disarm = armStopDeadline(10, {
    stage: () => "never",
    exit: (code) => codes.push(code + 100),
    log: (line) => lines.push(line),
  });
  disarm();
  await exited.promise;
  await new Promise((r) => setTimeout(r, 30));
  clearTimeout(alive);
  assert.deepEqual(codes, [1]);
  assert.equal(lines.length, 1);
  assert.match(
    lines[0]!,
    /still stopping 0\.01 s after the signal \(waiting for the ingest flush\)/,
  );
});
