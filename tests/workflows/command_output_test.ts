import assert from "node:assert/strict";
import { runCommand, Workflows } from "../../workflows/mod.ts";
import { manual } from "./_helpers.ts";

const encoder = new TextEncoder();

Deno.test("A command's output past 4,096 bytes is cut to the cap and the note says how much was cut", async () => {
  const r = await runCommand(["sh", "-c", "head -c 10000 /dev/zero | tr '\\0' x"]);
  assert.equal(r.code, 0);
  assert.equal(r.output, "x".repeat(4096) + "… (5904 bytes cut)");
});

Deno.test("stdout comes first and stderr fills the rest of the cap", async () => {
  const r = await runCommand([
    "sh",
    "-c",
    "head -c 3000 /dev/zero | tr '\\0' o; head -c 3000 /dev/zero | tr '\\0' e >&2",
  ]);
  assert.equal(r.output, "o".repeat(3000) + "e".repeat(1096) + "… (1904 bytes cut)");
});

Deno.test("Output within the cap is kept whole, with no note", async () => {
  const r = await runCommand(["sh", "-c", "head -c 4096 /dev/zero | tr '\\0' x"]);
  assert.equal(r.output, "x".repeat(4096));
});

Deno.test("The cap never splits a UTF-8 character: the kept output stays within it, with no replacement character", async () => {
  // € is 3 bytes: 4096 is not a multiple of 3, so a byte cut would fall inside one
  const r = await runCommand([
    "sh",
    "-c",
    "i=0; while [ $i -lt 2000 ]; do printf '€'; i=$((i+1)); done",
  ]);
  const [kept, note] = r.output.split("…");
  assert.equal(kept, "€".repeat(1365));
  assert.ok(encoder.encode(kept).length <= 4096);
  assert.ok(!r.output.includes("\uFFFD"));
  assert.equal(note, " (1905 bytes cut)");
});

Deno.test("A command step that prints more than the cap is audited with its cut output and the truncation marked", async () => {
  const root = await Deno.makeTempDir();
  const wf = new Workflows({
    root,
    host: "h1",
    // 1…5000, one a line: 23,893 bytes
    actions: [
      { name: "count", argv: ["seq", "1", "5000"] },
      { name: "count-and-fail", argv: ["sh", "-c", "seq 1 5000; exit 3"] },
    ],
    workflows: [
      {
        name: "w",
        trigger: { alert: "A" },
        enabled: true,
        steps: [{ kind: "command", action: "count" }],
      },
      {
        name: "f",
        trigger: { alert: "B" },
        enabled: true,
        steps: [{ kind: "command", action: "count-and-fail" }],
      },
    ],
  });
  await wf.fire("w", manual(Date.now()));
  await wf.fire("f", manual(Date.now()));
  const entries = await wf.audit.read();
  const ok = entries.find((e) => e.workflow === "w")!;
  const failed = entries.find((e) => e.workflow === "f")!;
  // the first 4,096 bytes are 1…1040 and "104" of 1041; the audit keeps their last three lines
  assert.equal(ok.outcome, "ok");
  assert.equal(ok.detail, "1039 | 1040 | 104… (19797 bytes cut)");
  assert.equal(failed.outcome, "failed");
  assert.equal(failed.detail, "Exit code 3: 1039 | 1040 | 104… (19797 bytes cut)");
  // the records on disk say the same (what `deno task audit` and the Alerts page read)
  const completed = (await wf.audit.records()).filter((r) => r.phase === "completed");
  assert.deepEqual(completed.map((r) => r.detail).sort(), [ok.detail, failed.detail].sort());
  await Deno.remove(root, { recursive: true });
});

/** A process' state letter from /proc (`Z` for a zombie), or undefined once it is gone. */
function procState(pid: number): string | undefined {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
  } catch {
    return undefined;
  }
}

Deno.test("A command past its time limit is killed with the processes it started, none left running", async () => {
  // the shell starts a long sleep and waits for it; at the time limit both must go, not only
  // the shell (the sleep would run on, orphaned, with perfscope's rights)
  const r = await runCommand(["sh", "-c", "sleep 60 >/dev/null 2>&1 & echo $!; wait"], {
    timeoutMs: 300,
  });
  assert.equal(r.timedOut, true);
  const pid = Number(r.output.trim());
  assert.ok(pid > 0, r.output);
  try {
    let state = procState(pid);
    // up to 10 s: a loaded machine may take more than 1 s to end it
    for (let i = 0; i < 500 && state !== undefined && state !== "Z"; i++) {
      await new Promise((res) => setTimeout(res, 20));
      state = procState(pid);
    }
    assert.ok(state === undefined || state === "Z", `the sleep is still running (state ${state})`);
  } finally {
    try {
      Deno.kill(pid, "SIGKILL");
    } catch {
      // gone, as it should be
    }
  }
});
