/**
 * `--external-label name=value` on the command line is held to the rules the config's
 * `external_labels` are (config/label_rules.ts): each command refuses a bad one with its usage
 * exit code and one line naming the flag, before it runs; good ones still run.
 */
import assert from "node:assert/strict";
import { main as collect } from "../../cli/collect.ts";
import { main as remoteWrite } from "../../cli/remote_write.ts";
import { failure } from "./_failure.ts";

const FLAG = "Invalid --external-label:";
const REFUSED = "which no label value may (ingest would drop its samples)";
const RESERVED = "is reserved (host, instance, job, le, quantile, __*)";

/** Flags, and the line each is refused with (its control characters escaped, as printed). */
const BAD: [string[], string][] = [
  [["env"], `${FLAG} env (use name=value)`],
  [["1x=y"], `${FLAG} label "1x" is not a label name ([a-zA-Z_][a-zA-Z0-9_]*)`],
  [["a-b=y"], `${FLAG} label "a-b" is not a label name ([a-zA-Z_][a-zA-Z0-9_]*)`],
  [[`${"n".repeat(129)}=y`], `${FLAG} label "${"n".repeat(129)}" is 129 bytes, at most 128`],
  [["host=web9"], `${FLAG} label "host" ${RESERVED}`],
  [["job=x"], `${FLAG} label "job" ${RESERVED}`],
  [["__name__=x"], `${FLAG} label "__name__" ${RESERVED}`],
  [["env=\u202eprod"], `${FLAG} env: holds a bidi control character (U+202E), ${REFUSED}`],
  [["env=a\u2066b"], `${FLAG} env: holds a bidi control character (U+2066), ${REFUSED}`],
  [["env=a\u2028b"], `${FLAG} env: holds a line separator (U+2028), ${REFUSED}`],
  [["env=a\u2029b"], `${FLAG} env: holds a paragraph separator (U+2029), ${REFUSED}`],
  [["env=a\nb"], `${FLAG} env: holds a control character (U+000A), ${REFUSED}`],
  [["env=a\ud800"], `${FLAG} env: not valid Unicode (a lone surrogate)`],
  [[`env=${"é".repeat(513)}`], `${FLAG} env: label value of 1026 bytes, at most 1024`],
  [["env=a", "dc=x", "env=b"], `${FLAG} label "env" is given twice`],
  [["env=a", "env=a"], `${FLAG} label "env" is given twice`],
];

function labelFlags(labels: string[]): string[] {
  return labels.flatMap((l) => ["--external-label", l]);
}

Deno.test("collect refuses a bad --external-label (usage exit code 2, one line naming the flag)", async () => {
  const data = Deno.makeTempDirSync();
  try {
    // every case's outcome, so that one taken (the collector then runs its second) shows beside
    // the others
    const got: [number, string][] = [];
    for (const [labels] of BAD) {
      const args = ["--no-config", "--data", data, "--duration", "1s", ...labelFlags(labels)];
      got.push(await failure(() => collect(args)).catch(() => [0, "ran"]));
    }
    assert.deepEqual(got, BAD.map(([, line]) => [2, line]));
  } finally {
    Deno.removeSync(data, { recursive: true });
  }
});

Deno.test("remote-write refuses a bad --external-label (usage exit code 2, one line naming the flag)", async () => {
  const data = Deno.makeTempDirSync();
  try {
    for (const [labels, line] of BAD) {
      const args = ["--no-config", "--data", data, "--remote-write", "http://127.0.0.1:18390/w"];
      const stop = AbortSignal.abort();
      const got = await failure(() => remoteWrite([...args, ...labelFlags(labels)], stop));
      assert.deepEqual(got, [2, line], labels.join(" "));
    }
  } finally {
    Deno.removeSync(data, { recursive: true });
  }
});

Deno.test("good --external-label flags still run: a value may hold '=', unicode and the joiner", async () => {
  const data = Deno.makeTempDirSync();
  try {
    const labels = labelFlags(["env=prod", "dc=ams=1", "team=ünicode 👩\u200d💻", "n_2="]);
    // (stopped once it runs: a signal aborted before it listens is not heard)
    const stop = new AbortController();
    const timer = setTimeout(() => stop.abort(), 50);
    const rw = ["--no-config", "--data", data, "--remote-write", "http://127.0.0.1:18390/w"];
    try {
      assert.equal(await remoteWrite([...rw, ...labels], stop.signal), 0);
    } finally {
      clearTimeout(timer);
    }
    // collect with labels alone (no receiver) runs its second and stops cleanly
    assert.equal(await collect(["--no-config", "--data", data, "--duration", "1s", ...labels]), 0);
  } finally {
    Deno.removeSync(data, { recursive: true });
  }
});

Deno.test("serve and collect as processes print the refusal in one line, controls escaped, exit 2", async () => {
  const data = Deno.makeTempDirSync();
  try {
    const cases: [string, string[], string][] = [
      [
        "serve",
        ["--port", "18301", "--external-label", "env=\u202eprod"],
        `perfscope serve: ${FLAG} env: holds a bidi control character (U+202E), ${REFUSED}`,
      ],
      [
        "serve",
        ["--port", "18301", "--external-label", "role=a", "--external-label", "role=b"],
        `perfscope serve: ${FLAG} label "role" is given twice`,
      ],
      [
        "collect",
        ["--duration", "1s", "--external-label", "quantile=0.9"],
        `perfscope collect: ${FLAG} label "quantile" ${RESERVED}`,
      ],
    ];
    for (const [command, flags, line] of cases) {
      const out = await new Deno.Command(Deno.execPath(), {
        // run where there is no perfscope.yaml (serve takes no --no-config)
        args: ["run", "-A", new URL(`../../cli/${command}.ts`, import.meta.url).pathname, ...flags],
        cwd: data,
        // a command that took the flag runs on (serve until a signal): killed, it fails the
        // exit code check instead of holding the test
        signal: AbortSignal.timeout(60_000),
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).output();
      const stderr = new TextDecoder().decode(out.stderr);
      assert.equal(out.code, 2, stderr);
      assert.equal(stderr, `${line}\n`);
      // the bidi override never reaches the terminal as it is
      assert.doesNotMatch(stderr, /\u202e/);
    }
  } finally {
    Deno.removeSync(data, { recursive: true });
  }
});
