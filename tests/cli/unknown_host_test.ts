import assert from "node:assert/strict";
import { checkHosts } from "../../cli/_check_hosts.ts";
import { runCliProcess } from "../../cli/_run_cli_process.ts";
import { disposableRecentHostLake } from "../_recent_host_lake.ts";

const text = (b: Uint8Array) => new TextDecoder().decode(b);

Deno.test("a --host the lake has never seen is one line naming the hosts it has, exit 2, in every command that takes one", async () => {
  await using lake = await disposableRecentHostLake(30, "unknown-host-");
  const series = ["--metric", "cpu_ratio", "--labels", "cpu=total,mode=idle"];
  const runs: [string, string[], string][] = [
    ["forecast.ts", [...series, "--horizon", "1h", "--host", "nothere"], "host"],
    ["anomaly.ts", [...series, "--host", "nothere"], "host"],
    ["capacity.ts", ["--hosts", "h1,nothere"], "hosts"],
    ["report.ts", ["--hosts", "nothere", "--out", `${lake.root}/r.html`], "hosts"],
    ["train.ts", ["--host", "nothere"], "host"],
    ["maintenance.ts", ["--duration", "1h", "--host", "nothere"], "host"],
  ];
  const signal = new AbortController().signal;
  // one at a time: six Deno processes at once on a shared two-core machine slow every test
  for (const [script, args, flag] of runs) {
    const out = await runCliProcess(script, [...args, "--data", lake.root], signal);
    const stderr = text(out.stderr);
    assert.equal(out.code, 2, `${script}: ${stderr}`);
    assert.equal(
      stderr,
      `perfscope ${script.replace(".ts", "")}: Unknown --${flag} nothere: no samples of it in ` +
        `${lake.root}; hosts with samples: h1\n`,
    );
    assert.equal(text(out.stdout), "", script);
  }
  // nothing was written for the host that is not there
  assert.equal(await Deno.stat(`${lake.root}/r.html`).catch(() => undefined), undefined);
  assert.equal(await Deno.stat(`${lake.root}/models`).catch(() => undefined), undefined);
  // the host in other letters is the same host (the lake stores names in lower case)
  const known = await runCliProcess(
    "maintenance.ts",
    ["--duration", "1h", "--host", "H1", "--data", lake.root],
    signal,
  );
  assert.equal(known.code, 0, text(known.stderr));
  assert.match(text(known.stdout), /on h1/);
});

Deno.test("checkHosts names several unknown hosts together and counts what it does not list", () => {
  const known = Array.from({ length: 12 }, (_, i) => `web${String(i).padStart(2, "0")}`);
  assert.throws(
    () => checkHosts(["a", "web03", "b"], known, { flag: "hosts", where: "data" }),
    {
      name: "UsageError",
      message: "Unknown --hosts a,b: no samples of them in data; hosts with samples: " +
        "web00, web01, web02, web03, web04, web05, web06, web07 and 4 more",
    },
  );
  // an empty lake is the command's own "not enough data yet", not an unknown host
  checkHosts(["a"], [], { flag: "host", where: "data" });
});
