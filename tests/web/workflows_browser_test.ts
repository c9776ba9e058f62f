import assert from "node:assert/strict";
import { launchChromium, openPage } from "../_browser.ts";
import { missing } from "../_skip.ts";
import { swapTrigger, swapWorkflows } from "../_swap_workflows.ts";
import { testApp } from "./_app.ts";

Deno.test({
  name:
    "in Chromium, Approve on the Alerts page runs the waiting action, Roll back undoes it, and new audit entries show without a reload",
  ignore: missing("chromium", "the workflows browser test"),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const root = await Deno.makeTempDir();
    const sys = await Deno.makeTempDir();
    const workflows = await swapWorkflows(root, sys, [{
      name: "advise",
      trigger: { alert: "Swap" },
      steps: [{ kind: "sysctl", key: "vm.swappiness", value: "20" }],
    }]);
    await workflows.fire("swap", swapTrigger());
    await using t = await testApp({ root, workflows: { workflows } });
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, t.app.fetch);
    const browser = await launchChromium();
    try {
      const { page, errors } = await openPage(browser);
      await page.goto(`http://127.0.0.1:${server.addr.port}/alerts`);
      assert.match(await page.textContent("#workflows") ?? "", /Waiting for approval/);
      // the section redraws itself from /api/audit and /api/workflows: no reload, so this
      // marker survives every step below
      await page.evaluate("window.sameDocument = true");
      await page.click("button[data-approve]");
      // the click's POST is sent by the page's script, after click() returns: the audit row says
      // the action ran (waiting for idle() first could come before the request reached serve)
      await page.waitForSelector('table.audit-log tr:has-text("sysctl vm.swappiness 60 → 10")');
      await workflows.idle();
      assert.equal(await Deno.readTextFile(`${sys}/vm/swappiness`), "10\n");
      assert.equal(await page.locator("button[data-approve]").count(), 0);
      await page.click("button[data-rollback]");
      await page.waitForSelector("table.audit-log tr.outcome-rolled-back");
      assert.equal(await Deno.readTextFile(`${sys}/vm/swappiness`), "60\n");
      // a dry run that happens while the page is open shows at the next poll (5 s)
      await workflows.fire("advise", swapTrigger("alert Swap firing on h1 <b>bold</b>"));
      await workflows.idle();
      const advice = page.locator('table.audit-log tr:has-text("advise")').first();
      await advice.waitFor({ timeout: 15_000 });
      assert.match(await advice.textContent() ?? "", /dry-run/);
      // the why quotes alert labels: shown as text, never as markup
      assert.match(await advice.textContent() ?? "", /<b>bold<\/b>/);
      assert.equal(await page.locator("table.audit-log b").count(), 0);
      assert.equal(await page.evaluate("window.sameDocument"), true);
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
      await server.shutdown();
    }
  },
});
