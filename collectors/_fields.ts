/**
 * Splitting a line of a /proc table into its fields. Private to the collectors.
 *
 * @module
 */

const spaces = / +/;

/**
 * The fields of a line separated by runs of spaces, without leading or trailing empty ones.
 * One native split: no callback per field, which matters in an interpreter.
 *
 * @param line One line (no newline).
 * @returns The fields; `[]` for a blank line.
 */
export function splitFields(line: string): string[] {
  const f = line.split(spaces);
  if (f.length && f[0] === "") f.shift();
  if (f.length && f[f.length - 1] === "") f.pop();
  return f;
}
