import assert from "node:assert/strict";

// deno-lint-ignore no-import-prefix -- as tests/_browser.ts: kept out of deno.json
import type { APIResponse, Route } from "npm:playwright-core@1.65.1";
import { browserTest, openPage, serveWithChromium } from "../_browser.ts";
import { swapTrigger, swapWorkflows } from "../_swap_workflows.ts";
import { AuditLog } from "../../workflows/mod.ts";
import type { WorkflowConfig } from "../../config/mod.ts";
import { testApp } from "./_app.ts";

// `swap` waiting for approval to set vm.swappiness 60 → 10 (fired once), then `more`; the app
// over it served to a Chromium
async function waitingSwap(more: WorkflowConfig[] = []) {
  const root = await Deno.makeTempDir();
  const sys = await Deno.makeTempDir();
  const workflows = await swapWorkflows(root, sys, { more });
  await workflows.fire("swap", swapTrigger());
  const t = await testApp({ root, workflows: { workflows } });
  let served;
  try {
    served = await serveWithChromium(t.app.fetch);
  } catch (e) {
    await t[Symbol.asyncDispose]();
    throw e;
  }
  return {
    sys,
    workflows,
    browser: served.browser,
    alerts: `${served.origin}/alerts`,
    async [Symbol.asyncDispose]() {
      await served[Symbol.asyncDispose]();
      await t[Symbol.asyncDispose]();
    },
  };
}

browserTest(
  "in Chromium, Approve on the Alerts page runs the waiting action, Roll back undoes it, and new audit entries show without a reload",
  "the workflows browser test",
  async () => {
    await using swap = await waitingSwap([{
      name: "advise",
      trigger: { alert: "Swap" },
      steps: [{ kind: "sysctl", key: "vm.swappiness", value: "20" }],
    }]);
    const { sys, workflows } = swap;
    const { page, errors } = await openPage(swap.browser);
    await page.goto(swap.alerts);
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
  },
);

const isStateRequest = (url: URL) => url.pathname === "/api/workflows";

browserTest(
  "in Chromium, Approve clicked while a poll is in flight refreshes after the action: the poll's older answer does not bring the approval back",
  "the workflows browser test",
  async () => {
    await using swap = await waitingSwap();
    const { sys, workflows, browser } = swap;
    const { page, errors, requests } = await openPage(browser);
    // the page's timers run only when the test says: the 5 s poll comes exactly once below
    await page.clock.install();
    // the first poll of /api/workflows is answered by the real server at once, and that answer
    // (one approval waiting) held back until after the click's POST has been answered
    let release!: () => void;
    const released = new Promise<void>((r) => release = r);
    let fetched!: (r: APIResponse) => void;
    const stale = new Promise<APIResponse>((r) => fetched = r);
    let held = false;
    await page.route(isStateRequest, async (route: Route) => {
      if (held) return route.fallback();
      held = true;
      const response = await route.fetch();
      fetched(response);
      await released;
      await route.fulfill({ response });
    });
    await page.goto(swap.alerts);
    await page.clock.pauseAt(Date.now() + 1000);
    await page.clock.runFor(5000);
    const old = await stale;
    assert.equal((await old.json()).pending.length, 1);

    const posted = page.waitForResponse((r) => r.url().endsWith("/api/workflows/approve"));
    await page.click("button[data-approve]");
    assert.equal((await posted).status(), 200);
    const postedAt = requests.length;
    release();
    // no further poll runs (the clock is paused): only the click's refresh can clear the list
    await page.locator("button[data-approve]").waitFor({ state: "detached", timeout: 10_000 });
    assert.ok(
      requests.slice(postedAt).some((u) => isStateRequest(new URL(u))),
      "the click's refresh asked /api/workflows again after the approval",
    );
    assert.equal(await page.textContent("#workflows-status"), "Approved: swap; it runs now");
    await workflows.idle();
    assert.equal(await Deno.readTextFile(`${sys}/vm/swappiness`), "10\n");
    assert.deepEqual(errors, []);
  },
);

browserTest(
  "in Chromium, Approve on an approval another tab already approved says so, runs nothing twice and clears the list",
  "the workflows browser test",
  async () => {
    await using swap = await waitingSwap();
    const { sys, workflows, browser } = swap;
    const url = swap.alerts;
    const first = await openPage(browser);
    const second = await openPage(browser);
    // the second tab does not poll: its list is the one drawn before the first tab's click
    await second.page.clock.install();
    await first.page.goto(url);
    await second.page.goto(url);
    await second.page.clock.pauseAt(Date.now() + 1000);

    await first.page.click("button[data-approve]");
    await first.page.locator("button[data-approve]").waitFor({ state: "detached" });
    await workflows.idle();
    assert.equal(await Deno.readTextFile(`${sys}/vm/swappiness`), "10\n");

    const posted = second.page.waitForResponse((r) => r.url().endsWith("/api/workflows/approve"));
    await second.page.click("button[data-approve]");
    assert.equal((await posted).status(), 200);
    await second.page.locator("button[data-approve]").waitFor({ state: "detached" });
    assert.match(
      await second.page.textContent("#workflows-status") ?? "",
      /^Already approved: swap \(by web at .+\); nothing ran twice$/,
    );
    await workflows.idle();
    const outcomes = (await workflows.audit.read()).map((e) => e.outcome);
    assert.deepEqual(outcomes, ["ok", "approved", "awaiting-approval"]);
    assert.deepEqual([...first.errors, ...second.errors], []);
  },
);

browserTest(
  "in Chromium, the audit log shows a maintenance step with no old → new and its time as the Schedule table does (1.47 s), drawn and redrawn",
  "the workflows browser test",
  async () => {
    // a scheduled compact step is stored with old and new null: the table showed "— → —", and
    // "ok (1471 ms)" beside the Schedule table's "1.47 s"
    const root = await Deno.makeTempDir();
    const audit = new AuditLog(root);
    const id = audit.start({
      workflow: "refit",
      who: "workflow:refit",
      step: "compact",
      what: "compact (maintenance)",
      why: "schedule 0 3 * * *",
      mode: "real",
      old: null,
      new: null,
    });
    audit.complete(id, { result: "ok", durationMs: 1471, detail: "Compacted 1 partition" });
    await using t = await testApp({ root });
    await using served = await serveWithChromium(t.app.fetch);
    const { page, errors } = await openPage(served.browser);
    await page.clock.install();
    await page.goto(`${served.origin}/alerts`);
    const cells = async () =>
      await page.locator("table.audit-log tbody tr").first().locator("td").allTextContents();
    const expected = ["compact (maintenance)", "", "real", "ok (1.47 s)"];
    assert.deepEqual((await cells()).slice(2, 7).filter((_, i) => i !== 1), expected);
    // the 5 s poll redraws the table from /api/audit with workflows.js: a new table, unmarked
    await page.locator("table.audit-log").evaluate((t) => t.setAttribute("data-server", ""));
    await page.clock.runFor(5000);
    await page.locator("table.audit-log:not([data-server])").waitFor({ timeout: 10_000 });
    assert.deepEqual((await cells()).slice(2, 7).filter((_, i) => i !== 1), expected);
    assert.deepEqual(errors, []);
  },
);
