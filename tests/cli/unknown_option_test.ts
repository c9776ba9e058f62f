import assert from "node:assert/strict";
import { parseFlags } from "../../cli/_args.ts";
import { closestName } from "../../format/mod.ts";

Deno.test("A misspelt flag is answered with the flag that was likely meant, else a pointer to --help", () => {
  const options = {
    format: { type: "string" },
    port: { type: "string" },
    horizon: { type: "string" },
    host: { type: "string" },
  } as const;
  for (
    const [typed, said] of [
      ["--formt", "(did you mean --format?)"],
      ["--prot", "(did you mean --port?)"], // two letters swapped
      ["--hor", "(did you mean --horizon?)"], // the start of one flag only
      ["--Format", "(did you mean --format?)"],
      ["--verbose", "(see --help)"],
      ["-x", "(see --help)"],
    ]
  ) {
    assert.throws(() => parseFlags([typed!, "1"], options, true), {
      name: "UsageError",
      message: `Invalid arguments: Unknown option '${typed}' ${said}`,
    }, typed);
  }
  assert.throws(() => parseFlags(["--formt=csv"], options), {
    message: "Invalid arguments: Unknown option '--formt' (did you mean --format?)",
  });
});

Deno.test("query's misspelt flag gets one short line, not parseArgs' advice on positionals", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "cli/query.ts", "SELECT 1", "--formt", "csv"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 2);
  assert.equal(
    new TextDecoder().decode(out.stderr),
    "perfscope query: Invalid arguments: Unknown option '--formt' (did you mean --format?)\n",
  );
});

Deno.test("closestName() keeps to names within one or two edits, or the one name begun", () => {
  assert.equal(closestName("cpu_rato", ["cpu_ratio", "memory_bytes"]), "cpu_ratio");
  assert.equal(closestName("ho", ["horizon", "host"]), undefined); // two flags begin so
  assert.equal(closestName("data", ["data"]), undefined); // it exists
  assert.equal(closestName("abc", ["xyz"]), undefined);
  assert.equal(closestName("", ["a"]), undefined);
});
