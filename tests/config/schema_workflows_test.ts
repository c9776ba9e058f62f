import assert from "node:assert/strict";
import { ConfigError, parseConfig } from "../../config/mod.ts";

const EXAMPLE = `
actions:
  - name: restart-api
    argv: [systemctl, restart, api.service]
    timeout: 30s
workflows:
  - name: calm-api
    trigger: {alert: HighLatency, on: firing}
    max_actions_per_hour: 2
    stabilization: 10m
    concurrency: queue
    approval: true
    steps:
      - kind: webhook
        url: http://127.0.0.1:9095/hook
      - kind: command
        action: restart-api
      - kind: sysctl
        key: vm.swappiness
        value: 10
      - kind: cgroup
        unit: api.service
        resource: memory.high
        target: 2GiB
  - name: nightly
    trigger: {schedule: "0 3 * * *"}
    steps: [{kind: compact}, {kind: train}]
schedule:
  compact: "0 * * * *"
  report: "0 6 * * 1"
blackouts:
  - {start: "2026-12-24T00:00Z", end: "2026-12-27T00:00Z"}
  - {cron: "0 9 * * 1-5", duration: 8h}
`;

Deno.test("parseConfig() reads workflows, actions, schedule and blackouts with durations in ms", () => {
  const config = parseConfig(EXAMPLE, "x.yaml");
  assert.equal(config.workflows?.length, 2);
  const w = config.workflows![0]!;
  assert.equal(w.stabilization, 600_000);
  assert.equal(w.enabled, undefined, "no default written: dry run is decided by the runner");
  assert.deepEqual(w.steps[2], { kind: "sysctl", key: "vm.swappiness", value: "10" });
  assert.deepEqual(config.actions![0]!.argv, ["systemctl", "restart", "api.service"]);
  assert.equal(config.actions![0]!.timeout, 30_000);
  assert.equal(config.schedule?.compact, "0 * * * *");
  assert.deepEqual(config.blackouts![1], { cron: "0 9 * * 1-5", duration: 8 * 3_600_000 });
});

const bad: [string, string][] = [
  [
    "workflows:\n  - name: a\n    trigger: {alert: X}\n    steps:\n      - kind: command\n        action: rm-rf\n",
    'x.yaml:6:17: workflows[0].steps[0].action: unknown action "rm-rf" (not in actions:)',
  ],
  [
    "workflows:\n  - name: a\n    trigger: {alert: X}\n    steps:\n      - kind: sysctl\n        key: vm.swappiness\n",
    'x.yaml:5:9: workflows[0].steps[0].value: missing key "value"',
  ],
  [
    'workflows:\n  - name: a\n    trigger: {schedule: "61 * * * *"}\n    steps: [{kind: compact}]\n',
    'x.yaml:3:25: workflows[0].trigger.schedule: invalid cron expression "61 * * * *"',
  ],
  [
    "workflows:\n  - name: a\n    trigger: {alert: X}\n    stabilization: 5 minutes\n    steps: [{kind: train}]\n",
    'x.yaml:4:20: workflows[0].stabilization: invalid duration "5 minutes"',
  ],
  [
    "workflows:\n  - name: a\n    trigger: {alert: X}\n    steps: [{kind: train}]\n    enabeld: true\n",
    'x.yaml:5:5: unknown key "enabeld" in workflows[0]',
  ],
  [
    "workflows:\n  - name: a\n    trigger: {alert: X}\n    steps: [{kind: renice, process: x, nice: 40}]\n",
    "x.yaml:4:46: workflows[0].steps[0].nice: must be at most 19, got 40",
  ],
  ['schedule:\n  train: "nope"\n', 'x.yaml:2:10: schedule.train: invalid cron expression "nope"'],
  [
    "blackouts:\n  - {start: 2026-12-24T00:00Z, end: tomorrow}\n",
    'x.yaml:2:37: blackouts[0].end: invalid time "tomorrow"',
  ],
  ["actions:\n  - name: x\n    argv: []\n", "x.yaml:3:11: actions[0].argv: must name a program"],
  // Quartz and Spring write seconds first (and croner would read them so): pasted from there, a
  // 6-field expression is refused rather than run every second or on a shifted field
  [
    'schedule:\n  compact: "0 0 3 * * *"\n',
    'x.yaml:2:12: schedule.compact: invalid cron expression "0 0 3 * * *": 6 fields: perfscope cron has 5 (minute hour day month weekday), no seconds',
  ],
  [
    'workflows:\n  - name: a\n    trigger: {schedule: "0 0 3 * * * 2027"}\n    steps: [{kind: compact}]\n',
    'x.yaml:3:25: workflows[0].trigger.schedule: invalid cron expression "0 0 3 * * * 2027": 7 fields: perfscope cron has 5 (minute hour day month weekday), no seconds or year',
  ],
  [
    'schedule:\n  report: "0 6 * *"\n',
    'x.yaml:2:11: schedule.report: invalid cron expression "0 6 * *": 4 fields: perfscope cron has 5 (minute hour day month weekday)',
  ],
  [
    'schedule:\n  train: ""\n',
    'x.yaml:2:10: schedule.train: invalid cron expression "": empty: perfscope cron has 5 (minute hour day month weekday)',
  ],
  [
    'schedule:\n  train: "@never"\n',
    'x.yaml:2:10: schedule.train: invalid cron expression "@never": unknown nickname (use @hourly',
  ],
  [
    'schedule:\n  train: "0 0 30 2 *"\n',
    'x.yaml:2:10: schedule.train: invalid cron expression "0 0 30 2 *": never fires: no 30 February',
  ],
  [
    'blackouts:\n  - {cron: "0 0 31 4,6,9,11 *", duration: 1h}\n',
    'x.yaml:2:12: blackouts[0].cron: invalid cron expression "0 0 31 4,6,9,11 *": never fires: no 31 April, June, September or November',
  ],
  [
    'schedule:\n  backtest: "0 0 30-31 FEB *"\n',
    'x.yaml:2:13: schedule.backtest: invalid cron expression "0 0 30-31 FEB *": never fires: no 30 or 31 February',
  ],
  [
    'schedule:\n  backtest: "0 0 30W 2 *"\n',
    'x.yaml:2:13: schedule.backtest: invalid cron expression "0 0 30W 2 *": never fires',
  ],
  // a name given twice is refused at the later entry; a bad step of an earlier workflow first
  [
    "workflows:\n  - name: a\n    trigger: {alert: X}\n    steps: [{kind: train}]\n  - name: a\n    trigger: {alert: Y}\n    steps: [{kind: train}]\n",
    'x.yaml:5:11: workflows[1].name: duplicate workflow "a"',
  ],
  [
    "workflows:\n  - name: a\n    trigger: {alert: X}\n    steps: [{kind: command, action: nope}]\n  - name: a\n    trigger: {alert: Y}\n    steps: [{kind: train}]\n",
    'x.yaml:4:37: workflows[0].steps[0].action: unknown action "nope" (not in actions:)',
  ],
  // a new user's walkthrough: passed `config check`, then every cron of the scheduler threw
  [
    'schedule:\n  timezone: "Mars/Olympus"\n',
    'x.yaml:2:13: schedule.timezone: unknown time zone "Mars/Olympus" (use an IANA name',
  ],
];

for (const [text, expected] of bad) {
  Deno.test(`parseConfig() names file:line:col and key path for ${JSON.stringify(expected.slice(7, 40))}`, () => {
    assert.throws(() => parseConfig(text, "x.yaml"), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.message.slice(0, expected.length), expected);
      return true;
    });
  });
}

Deno.test("parseConfig() accepts cron schedules that fire rarely but do fire", () => {
  const config = parseConfig(
    [
      "schedule:",
      '  train: "0 0 29 2 *"', // every leap year
      '  report: "0 0 * 2 1#5"', // a fifth Monday in February: once in 28 years or so
      '  backtest: "0 0 31 1-12 *"', // seven months have a 31st
      '  compact: "@daily"',
      "blackouts:",
      '  - {cron: "0 0 L 2 *", duration: 1h}', // the last day of February
      '  - {cron: "0 0 30 2 1", duration: 1h}', // day 30 OR a Monday (the cron rule): Mondays
    ].join("\n"),
    "x.yaml",
  );
  assert.equal(config.schedule?.report, "0 0 * 2 1#5");
  assert.equal(config.blackouts?.length, 2);
});

Deno.test("the README's workflows example and the example file's commented block are valid config", async () => {
  const readme = await Deno.readTextFile(new URL("../../README.md", import.meta.url));
  const section = readme.slice(readme.indexOf("### Workflows, scheduler and maintenance"));
  const yaml = /```yaml\n([\s\S]*?)```/.exec(section)![1]!;
  const config = parseConfig(yaml, "README.md");
  assert.equal(config.workflows?.[0]?.steps.length, 5);
  const example = await Deno.readTextFile(
    new URL("../../examples/perfscope.yaml", import.meta.url),
  );
  const from = example.indexOf("# actions:");
  const block = example.slice(from, example.indexOf("\n\n", from)).split("\n")
    .map((l) => l.replace(/^# ?/, "")).join("\n");
  assert.equal(parseConfig(block, "example").workflows?.[0]?.name, "calm-cpu-hog");
});
