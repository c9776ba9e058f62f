/// <reference lib="dom" />
/**
 * Test helper: the text a page shows, for the tests that a name's control characters reach the
 * reader escaped (`\u202e`) and never as they are.
 *
 * @module
 */

/** What a page shows: its text and the texts that hold one of the characters asked about. */
export interface ShownText {
  /** Every text node outside scripts and styles (options and SVG labels included) and every
   * `title` and `aria-label` attribute, joined by newlines. */
  text: string;
  /** The pieces of `text` holding a character of `chars` as it is. */
  raw: string[];
}

/**
 * Runs in the page (pass it to `page.evaluate`): collects what the page shows a reader, its
 * tooltips too. Scripts (a page's inlined JSON data), styles and data attributes are left out:
 * they are data, not display.
 *
 * @param chars The characters that must not be shown as they are.
 * @returns The text and the pieces holding such a character.
 */
export function shownText(chars: string): ShownText {
  const pieces: string[] = [];
  const walker = document.createTreeWalker(
    document.documentElement,
    NodeFilter.SHOW_TEXT | NodeFilter.SHOW_ELEMENT,
  );
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (n instanceof Element) {
      for (const a of ["title", "aria-label"]) {
        const v = n.getAttribute(a);
        if (v) pieces.push(v);
      }
    } else if (!n.parentElement?.closest("script, style")) pieces.push(n.nodeValue ?? "");
  }
  const raw = pieces.filter((p) => [...chars].some((c) => p.includes(c)));
  return { text: pieces.join("\n"), raw: raw.map((p) => JSON.stringify(p.slice(0, 120))) };
}
