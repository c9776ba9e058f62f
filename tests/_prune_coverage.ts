/**
 * Removes the V8 coverage profiles in a folder that cannot be read, before `deno coverage` reads
 * them all: a child process killed while writing its profile (the kill -9 and stop tests kill
 * serve and collect children, which inherit the test run's coverage folder) leaves an empty or
 * cut-off JSON file, and one such file made `deno coverage` fail with "Failed reading" after a
 * passing run. Only the profile of that killed process is lost, which is said on stderr.
 *
 * Usage: `deno run -A tests/_prune_coverage.ts DIR`
 *
 * @module
 */

/**
 * Whether a profile file looks whole: not empty, and its last non-blank byte closes the JSON
 * object (`}`). A cut-off file ends elsewhere; a whole one is parsed later by `deno coverage`.
 *
 * @param path The file.
 * @returns `false` for an empty or cut-off file.
 */
export async function wholeProfile(path: string): Promise<boolean> {
  using file = await Deno.open(path);
  const size = (await file.stat()).size;
  if (size === 0) return false;
  const tail = new Uint8Array(Math.min(size, 64));
  await file.seek(size - tail.length, Deno.SeekMode.Start);
  let got = 0;
  while (got < tail.length) {
    const n = await file.read(tail.subarray(got));
    if (n === null) break;
    got += n;
  }
  for (let i = got - 1; i >= 0; i--) {
    const b = tail[i]!;
    if (b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09) continue;
    return b === 0x7d; // "}"
  }
  return false;
}

/**
 * Removes the profiles of `dir` that {@linkcode wholeProfile} rejects.
 *
 * @param dir The coverage folder.
 * @returns The names removed.
 */
export async function pruneCoverage(dir: string): Promise<string[]> {
  const removed: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (!entry.isFile || !entry.name.endsWith(".json")) continue;
    const path = `${dir}/${entry.name}`;
    if (!(await wholeProfile(path))) {
      await Deno.remove(path);
      removed.push(entry.name);
    }
  }
  return removed.sort();
}

if (import.meta.main) {
  const dir = Deno.args[0] ?? "coverage";
  const removed = await pruneCoverage(dir);
  if (removed.length) {
    console.error(
      `coverage: left out ${removed.length} unreadable profile(s) of processes killed while ` +
        `writing: ${removed.join(", ")}`,
    );
  }
}
