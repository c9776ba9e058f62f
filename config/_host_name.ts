/**
 * The host names `perfscope.yaml` gives (`collect.host`, a scrape target's `host`, a rule's and a
 * dashboard panel's `host`), held to the lake's rule (config/label_rules.ts): the collector would
 * stop at start on a host the lake refuses, a target's samples would be dropped at ingest, and a
 * rule or a panel would select nothing. So the config is refused when loaded, naming the key.
 *
 * @module
 */
import { z } from "zod";
import { escapeControls } from "../format/escape_controls.js";
import { hostNameFault } from "./label_rules.ts";

/**
 * The schema of a host name: trimmed, not empty, one the lake stores (in any case: the lake
 * lower-cases it).
 *
 * @returns The schema.
 */
export function hostName() {
  return z.string().trim().min(1, "must not be empty").superRefine((host, ctx) => {
    const fault = hostNameFault(host);
    if (fault === undefined || host === "") return;
    // quoted and escaped: the line goes to a terminal; cut, as the lake cuts it
    const shown = escapeControls(JSON.stringify(host.length > 80 ? `${host.slice(0, 80)}…` : host));
    ctx.addIssue({ code: "custom", message: `${shown} is not a host name (${fault})` });
  });
}
