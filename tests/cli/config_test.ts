import assert from "node:assert/strict";
import { main } from "../../cli/config.ts";
import { failure } from "./_failure.ts";
import { parseConfig } from "../../config/mod.ts";

Deno.test("config check prints the settings of a valid file", async () => {
  const out: string[] = [];
  assert.equal(await main(["check", "--config", "examples/perfscope.yaml"], (t) => out.push(t)), 0);
  assert.match(out.join(""), /examples\/perfscope.yaml: valid/);
  assert.match(out.join(""), /"interval": "1s"/);
  assert.match(out.join(""), /"flush": "1m"/);
});

Deno.test("config check prints durations as the file takes them: its JSON read back as the file is the same config", async () => {
  const text = `collect: {interval: 500ms, flush: 90s}
lake: {retention: 14d, tiers: {raw: 6h, minute: 8d}}
rules:
  - alert: Slow
    metric: app_latency_ms
    labels: {window: 5m}
    window: 10s
    above: 250
    for: 0s
    keep_firing_for: 1h30m
receivers:
  - name: ops
    webhook: http://127.0.0.1:9095/hook
    rate_limit: {count: 20, per: 1h}
    delay: {down: 15m, multiplier: 1.5}
route: {receiver: ops, group_wait: 30s}
scrape: [{url: "http://127.0.0.1:9100/metrics", interval: 15s, timeout: 1500ms}]
`;
  const file = await Deno.makeTempFile({ suffix: ".yaml" });
  try {
    await Deno.writeTextFile(file, text);
    const out: string[] = [];
    assert.equal(await main(["check", "--config", file], (t) => out.push(t)), 0);
    const json = out[0]!.slice(out[0]!.indexOf("\n") + 1);
    const shown = JSON.parse(json);
    assert.deepEqual(shown.collect, { interval: "500ms", flush: "1m30s" });
    assert.deepEqual(shown.lake, { retention: "14d", tiers: { raw: "6h", minute: "8d" } });
    // a label value that reads as a duration stays what it is; numbers that are not stay numbers
    assert.deepEqual(shown.rules[0].labels, { window: "5m" });
    assert.equal(shown.rules[0].above, 250);
    assert.equal(shown.rules[0].for, "0s");
    assert.equal(shown.rules[0].keep_firing_for, "1h30m");
    // a duration the schema works out (the longest hold: down × multiplier) is one too; its
    // constant default (up: 0) is left out, as defaults are
    assert.deepEqual(shown.receivers[0].delay, {
      down: "15m",
      multiplier: 1.5,
      max: "22m30s",
    });
    assert.deepEqual(shown.receivers[0].rate_limit, { count: 20, per: "1h" });
    assert.equal(shown.scrape[0].timeout, "1s500ms");
    // JSON is YAML: what was printed, as a file, is the same config (bare numbers were refused)
    assert.deepEqual(parseConfig(json), parseConfig(text));
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("config check fails with the file, line and column of the first problem", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/p.yaml`;
    await Deno.writeTextFile(file, "collect:\n  interval: soon\n");
    await assert.rejects(main(["check", "--config", file], () => {}), {
      name: "ConfigError",
      message:
        `${file}:2:13: collect.interval: invalid duration "soon" (use e.g. 500ms, 1s, 15m, 7d)`,
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("config without the check subcommand is a usage mistake", async () => {
  await assert.rejects(main([], () => {}), { name: "UsageError" });
  await assert.rejects(main(["lint"], () => {}), /subcommand "check"/);
  // the file as a second word: said 'Expected the subcommand "check", got check p.yaml'
  await assert.rejects(main(["check", "p.yaml"], () => {}), {
    name: "UsageError",
    message: 'Unexpected argument "p.yaml": the file is given with --config FILE',
  });
  const out: string[] = [];
  assert.equal(await main(["--help"], (t) => out.push(t)), 0);
  assert.match(out[0]!, /Usage: deno task config check/);
});

Deno.test("config check refuses 100,000 levels of nesting with one line naming where", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/p.yaml`;
    await Deno.writeTextFile(file, `collect:\n  labels: ${"[".repeat(100_000)}\n`);
    await assert.rejects(main(["check", "--config", file], () => {}), {
      name: "ConfigError",
      message: `${file}:2:109: nesting deeper than 100 levels`,
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("config check refuses a cron with a seconds field and one that never fires, one line each", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/p.yaml`;
    await Deno.writeTextFile(file, 'schedule:\n  train: "0 0 4 * * *"\n');
    await assert.rejects(main(["check", "--config", file], () => {}), {
      name: "ConfigError",
      message: `${file}:2:10: schedule.train: invalid cron expression "0 0 4 * * *": ` +
        "6 fields: perfscope cron has 5 (minute hour day month weekday), no seconds",
    });
    await Deno.writeTextFile(file, 'blackouts:\n  - {cron: "0 0 30 2 *", duration: 1h}\n');
    await assert.rejects(main(["check", "--config", file], () => {}), {
      name: "ConfigError",
      message: `${file}:2:12: blackouts[0].cron: invalid cron expression "0 0 30 2 *": ` +
        "never fires: no 30 February",
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("config check reads rare schedules in schedule.timezone and names the local time too", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/p.yaml`;
    // 03:00 on 29 February in Auckland (NZDT, UTC+13) is 14:00 UTC on the 28th
    await Deno.writeTextFile(
      file,
      'schedule:\n  train: "0 3 29 2 *"\n  timezone: Pacific/Auckland\n',
    );
    const out: string[] = [];
    const now = () => Date.UTC(2026, 11, 7);
    assert.equal(await main(["check", "--config", file], (t) => out.push(t), now), 0);
    assert.deepEqual(out.slice(1), [
      'schedule.train: "0 3 29 2 *" fires rarely: next 2028-02-28T14:00:00.000Z (2028-02-29 03:00 Pacific/Auckland)',
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("config check accepts a schedule that fires rarely and names its next time", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/p.yaml`;
    await Deno.writeTextFile(
      file,
      'schedule:\n  train: "0 0 29 2 *"\n  report: "0 6 * * 1"\n' +
        'blackouts:\n  - {cron: "0 0 * 2 1#5", duration: 1h}\n',
    );
    const out: string[] = [];
    const now = () => Date.UTC(2026, 11, 7);
    assert.equal(await main(["check", "--config", file], (t) => out.push(t), now), 0);
    assert.deepEqual(out.slice(1), [
      'schedule.train: "0 0 29 2 *" fires rarely: next 2028-02-29T00:00:00.000Z',
      'blackouts[0].cron: "0 0 * 2 1#5" fires rarely: next 2044-02-29T00:00:00.000Z',
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("config check says plainly what is wrong with common slips, one line and exit 1 each", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/p.yaml`;
    const slips: [string, string][] = [
      // a bare number where a duration goes: the unit is what is missing
      [
        "collect:\n  flush: 60\n",
        `${file}:2:10: collect.flush: invalid duration 60: a number needs a unit here, 60s or ` +
        "60ms? (use e.g. 500ms, 1s, 15m, 7d)",
      ],
      // a list where a mapping or number goes: named by its shape, not "this value"
      ["collect: [1, 2]\n", `${file}:1:10: collect: expected object, got a list`],
      ["collect:\n  top: {n: 5}\n", `${file}:2:8: collect.top: expected number, got a mapping`],
      // zod's "int" is a TypeScript word
      ["collect:\n  top: 2.5\n", `${file}:2:8: collect.top: expected a whole number, got 2.5`],
    ];
    for (const [text, line] of slips) {
      await Deno.writeTextFile(file, text);
      assert.deepEqual(await failure(() => main(["check", "--config", file], () => {})), [1, line]);
    }
    // a missing file: no syscall name or OS error number
    assert.deepEqual(
      await failure(() => main(["check", "--config", `${dir}/none.yaml`], () => {})),
      [1, `${dir}/none.yaml: cannot read: no such file`],
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("config check refuses a file the config names that cannot be read, at its key", async () => {
  // serve stopped at start on a missing probe CA ("Cannot start the receivers: No such file or
  // directory (os error 2): readfile …", no key named) after config check had said "valid"
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/p.yaml`;
    await Deno.writeTextFile(
      file,
      `probes:\n  - { name: internal, http: "https://intranet.example/", ca_file: ${dir}/ca.pem }\n`,
    );
    assert.deepEqual(await failure(() => main(["check", "--config", file], () => {})), [
      1,
      `${file}:2:67: probes[0].ca_file: cannot read ${dir}/ca.pem: no such file`,
    ]);
    await Deno.writeTextFile(
      file,
      "remote_write:\n  - url: http://127.0.0.1:8428/api/v1/write\n" +
        `    tls: { ca_file: ${dir} }\n`,
    );
    assert.deepEqual(await failure(() => main(["check", "--config", file], () => {})), [
      1,
      `${file}:3:21: remote_write[0].tls.ca_file: cannot read ${dir}: not a regular file`,
    ]);
    // once the file is there, the config is valid
    await Deno.writeTextFile(`${dir}/ca.pem`, "");
    await Deno.writeTextFile(
      file,
      `probes:\n  - { name: internal, http: "https://intranet.example/", ca_file: ${dir}/ca.pem }\n`,
    );
    const out: string[] = [];
    assert.equal(await main(["check", "--config", file], (t) => out.push(t)), 0);
    assert.match(out[0]!, /: valid\n/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
