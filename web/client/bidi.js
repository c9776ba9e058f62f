// Names from the data (label values, hosts, service names, command lines) may hold a right-to-left
// override or other bidi controls: shown inline beside other text, one reversed what followed it
// (`cpu=0,mode=<RLO>idle} @ vm · tier raw` read `war reit · mv @ }eldi`), so a name could pass for
// another. Each name is isolated: its controls act inside it and stop at its end.

/**
 * A `<bdi>` element holding `text` (style.css gives it `unicode-bidi: isolate`), for a name shown
 * among other text in HTML.
 *
 * @param {unknown} text The name.
 * @returns {HTMLElement}
 */
export function isolated(text) {
  const b = document.createElement("bdi");
  b.textContent = String(text ?? "");
  return b;
}

/**
 * `text` between FIRST STRONG ISOLATE and POP DIRECTIONAL ISOLATE, the same isolation where no
 * element can be: an `<option>`'s text and a chart's SVG labels.
 *
 * @param {unknown} text The name.
 * @returns {string}
 */
export function isolatedText(text) {
  return "\u2068" + String(text ?? "") + "\u2069";
}
