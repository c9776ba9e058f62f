/**
 * The host names `perfscope.yaml` gives are held to the lake's host rule when it is loaded:
 * `config check` refuses the file in one line naming the key, and `collect` refuses it before it
 * runs (it stopped at start with `Invalid host: …`, no key named, after `config check` had said
 * "valid"). The config's `external_labels` refuse the lake's reserved names (`host` never
 * applied: every series has its own).
 */
import assert from "node:assert/strict";
import { main as check } from "../../cli/config.ts";
import { main as collect } from "../../cli/collect.ts";
import { failure } from "./_failure.ts";

const SYNTAX = "is not a host name (letters, digits, _ . : - only; first a letter, digit or :)";
const RESERVED = "is reserved (host, instance, job, le, quantile, __*)";
const LONG = "h".repeat(251);

/** A file's text, and the line `config check` refuses it with (after `FILE:`). */
const BAD: [string, string][] = [
  ["collect:\n  host: web/1\n", `2:9: collect.host: "web/1" ${SYNTAX}`],
  [
    "collect:\n  host: 'NULL'\n",
    `2:9: collect.host: "NULL" is not a host name (DuckDB reads it as NULL)`,
  ],
  [
    "scrape:\n  - url: http://127.0.0.1:18302/metrics\n    host: -web1\n",
    `3:11: scrape[0].host: "-web1" ${SYNTAX}`,
  ],
  [
    `scrape:\n  - url: http://127.0.0.1:18302/metrics\n    host: ${LONG}\n`,
    `3:11: scrape[0].host: "${"h".repeat(80)}…" is not a host name (251 bytes, at most 250)`,
  ],
  [
    'rules:\n  - alert: Hot\n    metric: cpu_ratio\n    above: 0.9\n    host: "web\\u202e1"\n',
    `5:11: rules[0].host: "web\\u202e1" ${SYNTAX}`,
  ],
  [
    "dashboards:\n  - name: ops\n    panels:\n      - {title: Load, metric: load1, host: wéb1}\n",
    `4:44: dashboards[0].panels[0].host: "wéb1" ${SYNTAX}`,
  ],
  [
    "remote_write:\n  - url: http://127.0.0.1:18303/api/v1/write\n" +
    "    external_labels: {env: prod, host: web1}\n",
    `3:22: remote_write[0].external_labels: label "host" ${RESERVED}`,
  ],
  [
    "remote_write:\n  - url: http://127.0.0.1:18303/api/v1/write\n" +
    "    external_labels: {__name__: up}\n",
    `3:22: remote_write[0].external_labels: label "__name__" ${RESERVED}`,
  ],
];

Deno.test("config check refuses a host the lake would refuse, naming its key (exit 1, one line)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/perfscope.yaml`;
    // every case's outcome, so that one taken as valid shows beside the others
    const got: [number, string][] = [];
    for (const [text] of BAD) {
      await Deno.writeTextFile(file, text);
      const run = () => check(["check", "--config", file], () => {});
      got.push(await failure(run).catch(() => [0, "valid"]));
    }
    assert.deepEqual(got, BAD.map(([, line]) => [1, `${file}:${line}`]));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("config check still takes good hosts (any case, ':' and '_') and external labels", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/perfscope.yaml`;
    await Deno.writeTextFile(
      file,
      `collect: {host: Web-1.example.com}
scrape:
  - {url: "http://127.0.0.1:18302/metrics", host: "db_2:5432"}
rules:
  - {alert: Hot, metric: cpu_ratio, above: 0.9, host: " web-1.example.com "}
dashboards:
  - name: ops
    panels:
      - {title: Load, metric: load1, host: "::1"}
remote_write:
  - url: http://127.0.0.1:18303/api/v1/write
    external_labels: {env: prod, dc: ams1, team: "ünicode"}
`,
    );
    const out: string[] = [];
    assert.equal(await check(["check", "--config", file], (t) => out.push(t)), 0);
    const shown = JSON.parse(out[0]!.slice(out[0]!.indexOf("\n") + 1));
    assert.equal(shown.collect.host, "Web-1.example.com");
    assert.equal(shown.scrape[0].host, "db_2:5432");
    assert.equal(shown.rules[0].host, "web-1.example.com");
    assert.equal(shown.dashboards[0].panels[0].host, "::1");
    assert.deepEqual(shown.remote_write[0].external_labels, {
      env: "prod",
      dc: "ams1",
      team: "ünicode",
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("config check as a process reads ./perfscope.yaml and prints the refusal in one line", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/perfscope.yaml`, "collect:\n  host: web..1/x\n");
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", new URL("../../cli/config.ts", import.meta.url).pathname, "check"],
      cwd: dir,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 1, stderr);
    assert.equal(
      stderr,
      `perfscope config: perfscope.yaml:2:9: collect.host: "web..1/x" ${SYNTAX}\n`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("collect refuses a config whose collect.host the lake would refuse, naming the key", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/perfscope.yaml`;
    await Deno.writeTextFile(file, "collect:\n  host: 'null'\n");
    const args = ["--config", file, "--data", `${dir}/data`, "--duration", "1s"];
    assert.deepEqual(await failure(() => collect(args)), [
      1,
      `${file}:2:9: collect.host: "null" is not a host name (DuckDB reads it as NULL)`,
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
