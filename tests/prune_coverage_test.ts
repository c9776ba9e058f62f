import assert from "node:assert/strict";
import { pruneCoverage, wholeProfile } from "./_prune_coverage.ts";

Deno.test("pruneCoverage() removes the empty and cut-off profiles a killed process leaves, and keeps whole ones", async () => {
  const dir = await Deno.makeTempDir({ prefix: "perfscope-coverage-" });
  const whole = JSON.stringify({ scriptId: "1", url: "file:///a.ts", functions: [] });
  await Deno.writeTextFile(`${dir}/whole.json`, whole);
  await Deno.writeTextFile(`${dir}/whole_newline.json`, whole + "\n");
  await Deno.writeTextFile(`${dir}/empty.json`, "");
  await Deno.writeTextFile(`${dir}/cut.json`, whole.slice(0, 30));
  await Deno.writeTextFile(`${dir}/blank.json`, " \n");
  await Deno.writeTextFile(`${dir}/notes.txt`, ""); // not a profile: left alone
  assert.equal(await wholeProfile(`${dir}/whole.json`), true);
  assert.equal(await wholeProfile(`${dir}/cut.json`), false);
  assert.deepEqual(await pruneCoverage(dir), ["blank.json", "cut.json", "empty.json"]);
  const left = [];
  for await (const e of Deno.readDir(dir)) left.push(e.name);
  assert.deepEqual(left.sort(), ["notes.txt", "whole.json", "whole_newline.json"]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("the prune script says what it left out on stderr, and nothing when all are whole", async () => {
  const dir = await Deno.makeTempDir({ prefix: "perfscope-coverage-" });
  await Deno.writeTextFile(`${dir}/a.json`, "{}");
  const run = () =>
    new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", new URL("./_prune_coverage.ts", import.meta.url).pathname, dir],
      stdout: "piped",
      stderr: "piped",
    }).output();
  let out = await run();
  assert.equal(out.code, 0);
  assert.equal(new TextDecoder().decode(out.stderr), "");
  await Deno.writeTextFile(`${dir}/b.json`, "");
  out = await run();
  assert.equal(out.code, 0);
  assert.equal(
    new TextDecoder().decode(out.stderr),
    "coverage: left out 1 unreadable profile(s) of processes killed while writing: b.json\n",
  );
  await Deno.remove(dir, { recursive: true });
});
