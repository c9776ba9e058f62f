import assert from "node:assert/strict";
import { createProgressBar } from "../../reports/progress_bar.ts";

function writer(tty: boolean) {
  const chunks: string[] = [];
  return {
    chunks,
    writeSync: (p: Uint8Array) => (chunks.push(new TextDecoder().decode(p)), p.length),
    isTerminal: () => tty,
  };
}

Deno.test("createProgressBar() redraws one line in place on a terminal", () => {
  const w = writer(true);
  const bar = createProgressBar({ writer: w, width: 10 });
  bar.update(5, 10, "half");
  bar.done("finished");
  assert.equal(w.chunks.length, 2);
  assert.equal(w.chunks[0], `\r\x1b[2K${"█".repeat(5)}${"░".repeat(5)}  50 % half`);
  assert.equal(w.chunks[1], "\r\x1b[2Kfinished\n");
});

Deno.test("createProgressBar() prints at most five lines plus the last elsewhere", () => {
  const w = writer(false);
  const bar = createProgressBar({ writer: w });
  for (let i = 0; i <= 100; i++) bar.update(i, 100, `step ${i}`);
  bar.done("ok");
  assert.equal(w.chunks.length, 6);
  assert.equal(w.chunks[0], "report: 0 % step 0\n");
  assert.equal(w.chunks.at(-1), "report: ok\n");
});

Deno.test("createProgressBar() treats a zero total as complete and clamps overshoot", () => {
  const w = writer(true);
  const bar = createProgressBar({ writer: w, width: 4 });
  bar.update(0, 0, "nothing");
  bar.update(9, 3, "over");
  assert.ok(w.chunks[0]!.includes("████ 100 %"));
  assert.ok(w.chunks[1]!.includes("████ 100 %"));
});
