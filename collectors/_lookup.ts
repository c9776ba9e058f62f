/**
 * Finding a few keys in a large `key: value` / `key value` file (/proc/meminfo, /proc/vmstat)
 * without parsing every line. Private to the collectors.
 *
 * @module
 */

/** A key and the separator after it, with its search strings built once. */
export class Key {
  readonly head: string;
  readonly line: string;
  /**
   * @param key The key, e.g. `MemTotal`.
   * @param sep What follows the key: `:` (meminfo) or ` ` (vmstat).
   */
  constructor(readonly key: string, sep: string) {
    this.head = key + sep;
    this.line = "\n" + key + sep;
  }

  /**
   * The value of the key's line as the file's full parser reads it (`parseMeminfo`: a
   * trailing ` kB` multiplies by 1024; `parseVmstat`: the number after the space), or
   * `undefined` if the key is absent or its value is empty or not a number. The first line
   * with the key wins.
   */
  find(text: string): number | undefined {
    const first = text.startsWith(this.head);
    const at = first ? 0 : text.indexOf(this.line) + 1;
    if (!first && at === 0) return undefined;
    const from = at + this.head.length;
    let end = text.indexOf("\n", from);
    if (end < 0) end = text.length;
    let rest = text.slice(from, end).trim();
    let scale = 1;
    if (rest.endsWith(" kB")) {
      rest = rest.slice(0, -3);
      scale = 1024;
    }
    if (rest === "") return undefined;
    const value = Number(rest);
    return Number.isFinite(value) ? value * scale : undefined;
  }
}
