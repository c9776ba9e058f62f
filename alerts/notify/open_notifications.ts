/**
 * What `serve` calls to set up notifications from the config: the silence store under the lake
 * root and a notifier over the config's receivers, route and inhibition rules.
 *
 * @module
 */
import type { PerfscopeConfig } from "../../config/mod.ts";
import { Notifier, type NotifierOptions } from "./notifier.ts";
import { SilenceStore } from "./silences.ts";

/** Options for {@linkcode openNotifications}. */
export interface OpenNotificationsOptions
  extends Omit<NotifierOptions, "receivers" | "route" | "inhibitRules" | "silences"> {
  /** Lake root; silences go to `<root>/alerts/silences.json`. */
  root: string;
}

/**
 * Opens the silences and builds the notifier.
 *
 * @param config The validated config (`receivers`, `route`, `inhibit_rules`; all optional:
 * without a route nothing is sent, but silences still work).
 * @param options Lake root, external URL, clock.
 * @returns The notifier and the silence store it honours.
 * @throws {SyntaxError} When the silences file is not one.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openNotifications } from "./open_notifications.ts";
 * const root = await Deno.makeTempDir();
 * const { notifier, silences } = await openNotifications(
 *   { receivers: [{ name: "ops", webhook: "http://127.0.0.1:9/" }], route: { receiver: "ops" } },
 *   { root, tickMs: 0 },
 * );
 * assert.deepEqual(Object.keys(notifier.stats()), ["ops"]);
 * assert.deepEqual(silences.list(), []);
 * await notifier.close();
 * ```
 */
export async function openNotifications(
  config: Pick<PerfscopeConfig, "receivers" | "route" | "inhibit_rules">,
  options: OpenNotificationsOptions,
): Promise<{ notifier: Notifier; silences: SilenceStore }> {
  const { root, ...rest } = options;
  const silences = await SilenceStore.open(root, rest.now ? { now: rest.now } : {});
  const notifier = new Notifier({
    ...rest,
    receivers: config.receivers ?? [],
    route: config.route,
    inhibitRules: config.inhibit_rules,
    silences,
  });
  return { notifier, silences };
}
