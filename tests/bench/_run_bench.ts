/**
 * Test helper: runs one bench file alone as a child, with no shared data, so a bench whose flags
 * pass by mistake stops at once instead of running for minutes.
 *
 * @module
 */

/**
 * Runs `bench/<file>` with `args`.
 *
 * @param file The bench file name.
 * @param args Its flags.
 * @returns The exit code and the decoded output.
 */
export async function runBench(
  file: string,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL(`../../bench/${file}`, import.meta.url).pathname, ...args],
    env: { NO_COLOR: "1", PERFSCOPE_SHARED_DATA: "/nonexistent/perfscope-data" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  // Deno's own "Download <url>" lines (a package not yet in the cache on a fresh machine) are the
  // runtime's, not the bench's: CI failed once on one before receivers_bench's import was cached.
  const stderr = text.decode(out.stderr).replace(/^Download https?:\/\/\S+\n/gm, "");
  return { code: out.code, stdout: text.decode(out.stdout), stderr };
}
