/**
 * Rule semantics checked against Prometheus itself: the same series and the same threshold rule
 * go to `alerts backtest` and to `promtool test rules`, and promtool must agree, at every second,
 * on whether the alert fires (pending and `for`, `keep_firing_for`, re-firing after a clear).
 */
import assert from "node:assert/strict";
import { missing } from "../_skip.ts";

const repo = new URL("../../", import.meta.url).pathname;

// Crosses and holds (for), a short dip (keep_firing_for), a blip shorter than for, a long clear.
const VALUES = (
  "0 0 300 300 300 300 300 300 0 300 300 0 0 0 0 300 300 0 0 0 300 300 300 300 300 300 0 0 " +
  "300 0 0 0 0 0 0 300 300 300 300 300"
).split(" ").map(Number);

async function backtest(config: string, csv: string): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "cli/alerts.ts", "backtest", "--config", config, "--input", csv],
    cwd: repo,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const err = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, err);
  return new TextDecoder().decode(out.stdout);
}

/** Seconds (from the series start) at which the backtest says the alert fires. */
function firingSeconds(csv: string, n: number): Set<number> {
  const firing = new Set<number>();
  for (const line of csv.trim().split("\n").slice(1)) {
    const cells = line.split(",");
    const start = Date.parse(cells.at(-3)!) / 1000;
    const endText = cells.at(-2)!;
    const end = endText === "" ? n : Date.parse(endText) / 1000;
    for (let t = start; t < end; t++) firing.add(t);
  }
  return firing;
}

async function promtool(
  dir: string,
  forS: number,
  keepS: number,
  firing: Set<number>,
): Promise<{ ok: boolean; said: string }> {
  Deno.writeTextFileSync(
    `${dir}/rules.yaml`,
    [
      "groups:",
      "  - name: parity",
      "    interval: 1s",
      "    rules:",
      "      - alert: High",
      "        expr: m > 250",
      `        for: ${forS}s`,
      `        keep_firing_for: ${keepS}s`,
      "        labels: {severity: warning}",
      "",
    ].join("\n"),
  );
  const checks = VALUES.map((_, t) =>
    `      - eval_time: ${t}s\n        alertname: High\n        exp_alerts:` +
    (firing.has(t) ? `\n          - exp_labels: {severity: warning}\n` : " []\n")
  ).join("");
  Deno.writeTextFileSync(
    `${dir}/test.yaml`,
    `rule_files: [rules.yaml]\nevaluation_interval: 1s\ntests:\n  - interval: 1s\n` +
      `    input_series:\n      - series: m\n        values: '${VALUES.join(" ")}'\n` +
      `    alert_rule_test:\n${checks}`,
  );
  const prom = await new Deno.Command("promtool", {
    args: ["test", "rules", "test.yaml"],
    cwd: dir,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const said = new TextDecoder().decode(prom.stdout) + new TextDecoder().decode(prom.stderr);
  return { ok: prom.code === 0, said };
}

for (const [forS, keepS] of [[3, 0], [3, 2], [0, 3], [5, 1]] as const) {
  Deno.test({
    name:
      `alerts backtest fires exactly when promtool does (for ${forS}s, keep_firing_for ${keepS}s)`,
    ignore: missing("promtool", "the Prometheus parity test"),
    async fn() {
      const dir = Deno.makeTempDirSync();
      const csv = `${dir}/m.csv`;
      Deno.writeTextFileSync(
        csv,
        "timestamp,value\n" +
          VALUES.map((v, i) => `${new Date(i * 1000).toISOString()},${v}`).join("\n") + "\n",
      );
      Deno.writeTextFileSync(
        `${dir}/perfscope.yaml`,
        `rules:\n  - alert: High\n    metric: m\n    above: 250\n    for: ${forS}s\n` +
          `    keep_firing_for: ${keepS}s\n`,
      );
      const out = await backtest(`${dir}/perfscope.yaml`, csv);
      const firing = firingSeconds(out, VALUES.length);
      assert.ok(firing.size > 0 && firing.size < VALUES.length, out);

      const agreed = await promtool(dir, forS, keepS, firing);
      assert.equal(agreed.ok, true, `promtool disagrees with:\n${out}\n${agreed.said}`);
      // the check is real: one second less of firing is refused
      const shorter = new Set(firing);
      shorter.delete(Math.min(...firing));
      assert.equal((await promtool(dir, forS, keepS, shorter)).ok, false);
      Deno.removeSync(dir, { recursive: true });
    },
  });
}
