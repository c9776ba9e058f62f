/**
 * Label names and values the config gives are held to ingest's rules when the file is loaded: a
 * value ingest refuses had its samples dropped unseen, a name it never stores selected nothing.
 */
import assert from "node:assert/strict";
import { loadConfig } from "../../config/mod.ts";
import { main } from "../../cli/config.ts";
import { runCliProcess } from "../../cli/_run_cli_process.ts";

const BIDI = "\u202e";
const REFUSED = "which no label value may (ingest would drop its samples)";

/** Each place of the schema that takes a label value or a label name: the file's text, the
 * refusal expected (after `FILE:`). */
const PLACES: [string, string, string][] = [
  [
    "a scrape target's label value",
    `scrape:\n  - url: http://127.0.0.1:9100/metrics\n    labels: {team: "db${BIDI}x"}\n`,
    `3:20: scrape[0].labels.team: holds a bidi control character (U+202E), ${REFUSED}`,
  ],
  [
    "a scrape target's name (its target label)",
    `scrape:\n  - url: http://127.0.0.1:9100/metrics\n    name: "api\\u001b[31m"\n`,
    `3:11: scrape[0].name: holds a control character (U+001B), ${REFUSED}`,
  ],
  [
    "a probe's name (its target label)",
    `probes:\n  - name: "shop\\u2028home"\n    tcp: 127.0.0.1:443\n`,
    `2:11: probes[0].name: holds a line separator (U+2028), ${REFUSED}`,
  ],
  [
    "a rule's extra_labels value",
    'rules:\n  - {alert: Hot, metric: cpu_util, above: 90, extra_labels: {team: "a\\u2066b"}}\n',
    `2:68: rules[0].extra_labels.team: holds a bidi control character (U+2066), ${REFUSED}`,
  ],
  [
    "a rule's labels value",
    'rules:\n  - {alert: Hot, metric: cpu_util, above: 90, labels: {core: "0\\t"}}\n',
    `2:62: rules[0].labels.core: holds a control character (U+0009), ${REFUSED}`,
  ],
  [
    "a rule's labels name",
    'rules:\n  - {alert: Hot, metric: cpu_util, above: 90, labels: {core-id: "0"}}\n',
    '2:55: rules[0].labels: label "core-id" is not a label name ([a-zA-Z_][a-zA-Z0-9_]*)',
  ],
  [
    "a remote write target's external label value",
    "remote_write:\n  - url: http://127.0.0.1:8428/api/v1/write\n" +
    '    external_labels: {dc: "eu\\u2029"}\n',
    `3:27: remote_write[0].external_labels.dc: holds a paragraph separator (U+2029), ${REFUSED}`,
  ],
  [
    "a service's label value",
    'services:\n  - name: api\n    labels: {service: "api\\u009b"}\n',
    `3:23: services[0].labels.service: holds a control character (U+009B), ${REFUSED}`,
  ],
  [
    "a service's label name",
    "services:\n  - name: api\n    labels: {service.name: api}\n",
    '3:13: services[0].labels: label "service.name" is not a label name ' +
    "([a-zA-Z_][a-zA-Z0-9_]*)",
  ],
  [
    "a dashboard panel's label value",
    "dashboards:\n  - name: d\n    panels:\n" +
    `      - {title: CPU, metric: cpu_util, labels: {core: "${BIDI}0"}}\n`,
    `4:55: dashboards[0].panels[0].labels.core: holds a bidi control character (U+202E), ${REFUSED}`,
  ],
  [
    "a dashboard panel's label name",
    'dashboards:\n  - name: d\n    panels:\n      - {title: CPU, metric: cpu_util, labels: {"\\u202ecore": 0}}\n',
    '4:48: dashboards[0].panels[0].labels: label "\\u202ecore" is not a label name ' +
    "([a-zA-Z_][a-zA-Z0-9_]*)",
  ],
  [
    "a route's group_by name",
    "receivers: [{name: ops, webhook: http://127.0.0.1:9095/hook}]\n" +
    "route: {receiver: ops, group_by: [alertname, team-name]}\n",
    '2:46: route.group_by[1]: label "team-name" is not a label name ([a-zA-Z_][a-zA-Z0-9_]*)',
  ],
  [
    "an inhibit rule's equal name",
    "receivers: [{name: ops, webhook: http://127.0.0.1:9095/hook}]\nroute: {receiver: ops}\n" +
    "inhibit_rules:\n  - source_matchers: ['severity=\"critical\"']\n" +
    '    target_matchers: [\'severity="warning"\']\n    equal: ["host "]\n',
    '6:13: inhibit_rules[0].equal[0]: label "host " is not a label name ([a-zA-Z_][a-zA-Z0-9_]*)',
  ],
];

for (const [what, text, refusal] of PLACES) {
  Deno.test(`loadConfig() and config check refuse ${what}, naming its path`, async () => {
    const dir = await Deno.makeTempDir();
    try {
      const file = `${dir}/perfscope.yaml`;
      await Deno.writeTextFile(file, text);
      await assert.rejects(loadConfig(file), {
        name: "ConfigError",
        message: `${file}:${refusal}`,
      });
      const out: string[] = [];
      await assert.rejects(main(["check", "--config", file], (t) => out.push(t)), {
        name: "ConfigError",
        message: `${file}:${refusal}`,
      });
      assert.deepEqual(out, []);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("Label values ingest takes are taken from the config as they are", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/perfscope.yaml`;
    // a zero-width joiner, the marks LRM/RLM and U+FEFF are in real names: ingest keeps them
    await Deno.writeTextFile(
      file,
      `scrape:\n  - url: http://127.0.0.1:9100/metrics\n    labels: {team: "👩\\u200d💻 \\u200f"}\n` +
        "services:\n  - {name: api, labels: {port: 8080}}\n",
    );
    const { config } = await loadConfig(file);
    assert.equal(config.scrape![0]!.labels!.team, "👩\u200d💻 \u200f");
    assert.deepEqual(config.services![0]!.labels, { port: "8080" });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno task config check and a command loading the config exit non-zero on a bad label value, one line, nothing stored", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/perfscope.yaml`;
    await Deno.writeTextFile(
      file,
      `scrape:\n  - url: http://127.0.0.1:9100/metrics\n    labels: {team: "db${BIDI}x"}\n`,
    );
    const line = `${file}:3:20: scrape[0].labels.team: holds a bidi control character ` +
      `(U+202E), ${REFUSED}\n`;
    const signal = new AbortController().signal;
    const check = await runCliProcess("config.ts", ["check", "--config", file], signal);
    assert.notEqual(check.code, 0);
    assert.equal(new TextDecoder().decode(check.stderr), `perfscope config: ${line}`);
    assert.equal(new TextDecoder().decode(check.stdout), "");
    // compact loads the config before it opens the lake: the lake is not created
    const compact = await runCliProcess(
      "compact.ts",
      ["--config", file, "--data", `${dir}/lake`],
      signal,
    );
    assert.notEqual(compact.code, 0);
    assert.equal(new TextDecoder().decode(compact.stderr), `perfscope compact: ${line}`);
    assert.deepEqual(await Array.fromAsync(Deno.readDir(dir), (e) => e.name), ["perfscope.yaml"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
