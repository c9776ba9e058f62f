import assert from "node:assert/strict";
import { signalNumber, withTempDir } from "./_with_temp_dir.ts";

// The child reports the folder it was given and leaves a file in a folder of its own under it,
// as a test that does not clean up would.
const leaveFile = `
const dir = await Deno.makeTempDir({ prefix: "left-" });
await Deno.writeTextFile(dir + "/lake.parquet", "x");
await Deno.writeTextFile(Deno.args[0], Deno.env.get("TMPDIR") + "\\n" + dir);
Deno.exit(Number(Deno.args[1]));
`;

async function run(code: number, keep: boolean) {
  const out = await Deno.makeTempFile();
  try {
    const rc = await withTempDir(
      [Deno.execPath(), "eval", leaveFile, out, String(code)],
      keep,
    );
    const [tmp, left] = (await Deno.readTextFile(out)).split("\n");
    return { rc, tmp: tmp!, left: left! };
  } finally {
    await Deno.remove(out);
  }
}

Deno.test("withTempDir() gives the command a fresh TMPDIR, removes it with what was left there, and passes the exit code on", async () => {
  const { rc, tmp, left } = await run(3, false);
  assert.equal(rc, 3);
  assert.match(tmp, /perfscope-tests-/);
  assert.ok(left.startsWith(tmp + "/"), `${left} is under ${tmp}`);
  await assert.rejects(Deno.stat(tmp), Deno.errors.NotFound);
  assert.equal((await run(0, false)).rc, 0);
});

Deno.test("withTempDir() keeps the folder when asked", async () => {
  const { rc, tmp, left } = await run(0, true);
  try {
    assert.equal(rc, 0);
    assert.equal(await Deno.readTextFile(left + "/lake.parquet"), "x");
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("withTempDir() refuses an empty command", async () => {
  await assert.rejects(withTempDir([]), /usage/);
});

Deno.test("withTempDir() passes a signal's death on as 128 + its number and names it", async () => {
  // a child that crashes as the runtime did in a CI run (SIGSEGV) was reported as 129, a hang-up
  const rc = await withTempDir([
    "sh",
    "-c",
    "kill -SEGV $$",
  ]);
  assert.equal(rc, 128 + 11);
  assert.equal(signalNumber("SIGTERM"), 15);
  assert.equal(signalNumber("SIGABRT"), 6);
});
