import assert from "node:assert/strict";
import { main } from "../../cli/maintenance.ts";
import { simulateHost } from "../../lake/mod.ts";

const D = 86_400_000;
const NOW = "2026-01-26T00:00:00Z";

function lake(days: number, hosts = ["web1"]): string {
  const root = Deno.makeTempDirSync();
  hosts.forEach((host, i) =>
    simulateHost({
      root,
      host,
      seed: i + 1,
      start: Date.parse(NOW) - days * D,
      durationMs: days * D,
      stepMs: 900_000,
      cpus: 2,
      topN: 1,
      chunkMs: D,
    })
  );
  return root;
}

Deno.test("maintenance main() prints the quietest window with its method and confidence, and honours config blackouts", async () => {
  const root = lake(15);
  const config = `${root}/perfscope.yaml`;
  await Deno.writeTextFile(
    config,
    'blackouts:\n  - {name: nightly, cron: "0 0 * * *", duration: 6h}\n',
  );
  const out: string[] = [];
  assert.equal(
    await main([
      "--data",
      root,
      "--duration",
      "2h",
      "--within",
      "2d",
      "--now",
      NOW,
      "--config",
      config,
    ], (t) => out.push(t)),
    0,
  );
  assert.match(out[0]!, /^Quietest 2 h on web1: 2026-01-2\dT(0[6-9]|1\d|2[0-3]):00:00.000Z/);
  assert.match(out.join("\n"), /confidence: (high|medium|low)/);
  assert.match(out.join("\n"), /avoided 2 blackout periods/);
});

Deno.test("maintenance main() says 'not enough data yet' and exits 0 on a lake with hours of data", async () => {
  const root = lake(0.2);
  const out: string[] = [];
  assert.equal(
    await main(["--data", root, "--duration", "1h", "--now", NOW, "--json"], (t) => out.push(t)),
    0,
  );
  const w = JSON.parse(out[0]!);
  assert.equal(w.status, "insufficient");
  assert.match(w.message, /^Not enough data yet/);
});

Deno.test("maintenance main() --balance lists every host with its headroom", async () => {
  const root = lake(3, ["a", "b"]);
  const out: string[] = [];
  assert.equal(await main(["--data", root, "--balance", "--now", NOW], (t) => out.push(t)), 0);
  assert.equal(out.length, 3);
  assert.match(
    out[1]!,
    /^ {2}(a|b) +cpu peak +\d+ % +memory peak +\d+ % +headroom +\d+ % +\(profile\)$/,
  );
});

Deno.test("maintenance exits 2 with one line on bad flags", async () => {
  for (
    const [args, message] of [
      [["--within", "7d"], /^perfscope maintenance: Missing --duration/],
      [["--duration", "soon"], /^perfscope maintenance: Invalid --duration: soon/],
      [["--duration", "8d", "--within", "7d"], /is longer than --within 7d/],
      [["--duration", "1h", "--metric", "bad name!"], /Invalid --metric/],
      [["--duration", "1h", "--nope"], /Unknown option '--nope'/],
      // --balance compares every host: a --host with it was ignored without a word
      [
        ["--balance", "--host", "web1"],
        /: --host does not go with --balance, which compares every host/,
      ],
      [["--balance", "--duration", "2h"], /: --duration does not go with --balance/],
    ] as const
  ) {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "cli/maintenance.ts", ...args],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const err = new TextDecoder().decode(out.stderr).trim();
    assert.equal(out.code, 2, err);
    assert.equal(err.split("\n").length, 1, err);
    assert.match(err, message);
  }
});
