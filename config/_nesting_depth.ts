/**
 * How deep the collections of a YAML text nest, read from its CST. `yaml`'s parser builds the
 * CST with a loop, but its composer and `toJS` recurse once per level: 100,000 levels of `[[[…`
 * ended in "Maximum call stack size exceeded". The CST is walked here with an explicit stack.
 *
 * @module
 */
import type { CST } from "yaml";

/**
 * The first collection (in document order) nested deeper than `max` levels.
 *
 * @param tokens The CST's top-level tokens (`new Parser().parse(text)`).
 * @param max The most levels of maps and sequences, block or flow, allowed.
 * @returns The offset of that collection in the text, or `undefined` when none is deeper.
 */
export function tooDeepAt(tokens: Iterable<CST.Token>, max: number): number | undefined {
  const stack: [CST.Token, number][] = [...tokens].reverse().map((t) => [t, 0]);
  while (stack.length > 0) {
    const [token, depth] = stack.pop()!;
    if (token.type === "document") {
      if (token.value) stack.push([token.value, depth]);
    } else if (
      token.type === "block-map" || token.type === "block-seq" || token.type === "flow-collection"
    ) {
      if (depth >= max) return token.offset;
      // children pushed last to first, so they come off the stack in document order
      for (let i = token.items.length - 1; i >= 0; i--) {
        const item: { key?: CST.Token | null; value?: CST.Token } = token.items[i]!;
        if (item.value) stack.push([item.value, depth + 1]);
        if (item.key) stack.push([item.key, depth + 1]);
      }
    }
  }
  return undefined;
}
