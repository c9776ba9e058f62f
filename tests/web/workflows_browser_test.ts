import assert from "node:assert/strict";
import { launchChromium, openPage } from "../_browser.ts";
import { missing } from "../_skip.ts";
import { Workflows } from "../../workflows/mod.ts";
import { testApp } from "./_app.ts";

Deno.test({
  name: "in Chromium, Approve on the Alerts page runs the waiting action and Roll back undoes it",
  ignore: missing("chromium", "the workflows browser test"),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const root = await Deno.makeTempDir();
    const sys = await Deno.makeTempDir();
    await Deno.mkdir(`${sys}/vm`);
    await Deno.writeTextFile(`${sys}/vm/swappiness`, "60\n");
    const workflows = new Workflows({
      root,
      procSys: sys,
      host: "h1",
      workflows: [{
        name: "swap",
        trigger: { alert: "Swap" },
        enabled: true,
        approval: true,
        steps: [{ kind: "sysctl", key: "vm.swappiness", value: "10" }],
      }],
    });
    await workflows.fire("swap", {
      type: "manual",
      why: "alert Swap firing on h1",
      host: "h1",
      at: Date.now(),
      evidence: null,
    });
    await using t = await testApp({ root, workflows: { workflows } });
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, t.app.fetch);
    const browser = await launchChromium();
    try {
      const { page, errors } = await openPage(browser);
      await page.goto(`http://127.0.0.1:${server.addr.port}/alerts`);
      assert.match(await page.textContent("#workflows") ?? "", /Waiting for approval/);
      let reloaded = page.waitForEvent("load");
      await page.click("button[data-approve]");
      await reloaded;
      await workflows.idle();
      assert.equal(await Deno.readTextFile(`${sys}/vm/swappiness`), "10\n");
      await page.reload();
      assert.match(await page.textContent("table.audit-log") ?? "", /sysctl vm.swappiness 60 → 10/);
      reloaded = page.waitForEvent("load");
      await page.click("button[data-rollback]");
      await reloaded;
      assert.equal(await Deno.readTextFile(`${sys}/vm/swappiness`), "60\n");
      assert.match(await page.textContent("table.audit-log") ?? "", /rolled-back/);
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
      await server.shutdown();
    }
  },
});
