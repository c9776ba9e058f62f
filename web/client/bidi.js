// Names from the data (label values, hosts, service names, command lines) may hold a right-to-left
// override or other bidi controls (a lake written before ingest refused them): shown inline beside
// other text, one reversed what followed it (`cpu=0,mode=<RLO>idle} @ vm · tier raw` read
// `war reit · mv @ }eldi`), and even isolated it reversed its own name, so `<RLO>gnp.exe` read as
// `exe.png`. Each name is shown with those controls escaped as the CLI prints them (`\u202e`,
// format/escape_controls.js, the one list ingest refuses by), and isolated: a right-to-left
// script in it orders its own letters and stops at its end.
import { escapeControls } from "/assets/escape_controls.js";

/**
 * A name as the pages show it: its control characters visible as `\uXXXX` (the JSON of /api
 * keeps the value as it is stored).
 *
 * @param {unknown} text The name.
 * @returns {string}
 */
export function visible(text) {
  return escapeControls(String(text ?? ""));
}

/**
 * A `<bdi>` element holding {@linkcode visible} `text` (style.css gives it `unicode-bidi:
 * isolate`), for a name shown among other text in HTML.
 *
 * @param {unknown} text The name.
 * @returns {HTMLElement}
 */
export function isolated(text) {
  const b = document.createElement("bdi");
  b.textContent = visible(text);
  return b;
}

/**
 * {@linkcode visible} `text` between FIRST STRONG ISOLATE and POP DIRECTIONAL ISOLATE, the same
 * isolation where no element can be: an `<option>`'s text and a chart's SVG labels.
 *
 * @param {unknown} text The name.
 * @returns {string}
 */
export function isolatedText(text) {
  return "\u2068" + visible(text) + "\u2069";
}
