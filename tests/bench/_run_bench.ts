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
  return { code: out.code, stdout: text.decode(out.stdout), stderr: text.decode(out.stderr) };
}
