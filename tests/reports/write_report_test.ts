import assert from "node:assert/strict";
import { join } from "node:path";
import { openLake } from "../../lake/mod.ts";
import { reportFileName, writeReport } from "../../reports/mod.ts";
import { NOW, testLake } from "./_lake.ts";

Deno.test("writeReport() writes the report whole under DATA/reports/ dated by now, and replaces that day's file", async () => {
  const root = await Deno.makeTempDir();
  const lake = await openLake({ root: await testLake() });
  try {
    const first = await writeReport(lake, { root, now: NOW, sinceMs: 2 * 86_400_000 });
    assert.equal(first.name, reportFileName(NOW));
    assert.equal(first.path, join(root, "reports", "capacity-2025-01-08.html"));
    const html = await Deno.readTextFile(first.path);
    assert.match(html, /<h1>Capacity report<\/h1>/);
    assert.match(html, /sim-1/);
    assert.equal(new TextEncoder().encode(html).length, first.bytes);
    const again = await writeReport(lake, {
      root,
      now: NOW,
      sinceMs: 2 * 86_400_000,
      title: "Again",
    });
    assert.equal(again.path, first.path);
    assert.match(await Deno.readTextFile(again.path), /<h1>Again<\/h1>/);
    assert.deepEqual([...Deno.readDirSync(join(root, "reports"))].map((e) => e.name), [
      "capacity-2025-01-08.html",
    ]);
  } finally {
    lake.close();
  }
});

Deno.test("writeReport() stops at the next analysis step when its signal aborts and leaves no file", async () => {
  const root = await Deno.makeTempDir();
  const lake = await openLake({ root: await testLake() });
  const controller = new AbortController();
  const steps: string[] = [];
  try {
    await assert.rejects(
      () =>
        writeReport(lake, {
          root,
          now: NOW,
          signal: controller.signal,
          onProgress(_done, _total, label) {
            steps.push(label);
            controller.abort(new Error("Stopped by the test"));
          },
        }),
      /Stopped by the test/,
    );
    assert.deepEqual(steps, ["capacity ranking"]);
    await assert.rejects(() => Deno.stat(join(root, "reports")), Deno.errors.NotFound);
    const aborted = AbortSignal.abort(new Error("Already stopped"));
    await assert.rejects(() => writeReport(lake, { root, signal: aborted }), /Already stopped/);
  } finally {
    lake.close();
  }
});
