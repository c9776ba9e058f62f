import assert from "node:assert/strict";

/** Runs one command as a user does and returns its exit code and stderr. */
async function cli(file: string, args: string[]): Promise<[number, string]> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `cli/${file}`, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  return [out.code, new TextDecoder().decode(out.stderr)];
}

Deno.test("A look-back or look-ahead given as a bare number is refused for want of a unit, not read as seconds", async () => {
  const data = await Deno.makeTempDir();
  // `capacity --horizon 90` meant as days asked for 90 seconds and answered with confidence
  for (
    const [file, args, line] of [
      [
        "capacity.ts",
        ["--horizon", "90"],
        "capacity: Invalid --horizon: 90 needs a unit (e.g. 90d or 90h)",
      ],
      [
        "capacity.ts",
        ["--since", "14"],
        "capacity: Invalid --since: 14 needs a unit (e.g. 14d or 14h)",
      ],
      [
        "report.ts",
        ["--horizon", "30", "--out", "-"],
        "report: Invalid --horizon: 30 needs a unit (e.g. 30d or 30h)",
      ],
      ["train.ts", ["--since", "7"], "train: Invalid --since: 7 needs a unit (e.g. 7d or 7h)"],
      [
        "maintenance.ts",
        ["--duration", "2"],
        "maintenance: Invalid --duration: 2 needs a unit (e.g. 2d or 2h)",
      ],
      [
        "maintenance.ts",
        ["--balance", "--within", "3"],
        "maintenance: Invalid --within: 3 needs a unit (e.g. 3d or 3h)",
      ],
      [
        "audit.ts",
        ["--since", "1.5"],
        "audit: Invalid --since: 1.5 needs a unit (e.g. 1.5d or 1.5h)",
      ],
      [
        "forecast.ts",
        ["--metric", "m", "--horizon", "3", "--since", "5"],
        "forecast: Invalid --since: 5 needs a unit (e.g. 5d or 5h)",
      ],
    ] as const
  ) {
    const [code, err] = await cli(file, ["--data", data, ...args]);
    assert.equal(code, 2, err);
    assert.equal(err, `perfscope ${line}\n`);
  }
  // with a unit they run (an empty lake says so); forecast's bare --horizon is steps, as before
  assert.equal((await cli("audit.ts", ["--data", data, "--since", "1h"]))[0], 0);
  const [code, err] = await cli("forecast.ts", ["--data", data, "--metric", "m", "--horizon", "3"]);
  assert.equal(code, 1);
  assert.match(err, /^perfscope forecast: No data for m in /);
});
