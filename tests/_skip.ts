/**
 * Helpers for tests that need a tool from Debian: where the tool is absent the test is ignored
 * (counted as skipped) and one line says why.
 *
 * @module
 */

const notified = new Set<string>();

/**
 * Finds an executable on PATH (or an absolute path) and returns its path, or undefined.
 *
 * @param name Program name such as `chromium`, or an absolute path.
 * @returns The resolved path, or undefined where it is absent.
 */
export function which(name: string): string | undefined {
  const candidates = name.includes("/")
    ? [name]
    : (Deno.env.get("PATH") ?? "").split(":").filter(Boolean).map((d) => `${d}/${name}`);
  for (const path of candidates) {
    try {
      const info = Deno.statSync(path);
      if (info.isFile && (info.mode ?? 0o111) & 0o111) return path;
    } catch {
      // not here: try the next directory
    }
  }
  return undefined;
}

/**
 * Tells whether a test needing `tool` must be skipped; prints a one-line notice once per tool.
 *
 * @param tool Program name, e.g. `chromium`.
 * @param why What the test needs it for, shown in the notice.
 * @returns True where the tool is absent (pass as `ignore`).
 */
export function missing(tool: string, why = "tests that need it"): boolean {
  if (which(tool)) return false;
  if (!notified.has(tool)) {
    notified.add(tool);
    console.warn(`skip: ${tool} not found; ignoring ${why} (install the Debian package)`);
  }
  return true;
}
