/**
 * The route tree, compiled: each alert walks it depth first; the deepest matching routes take
 * it (the first matching sibling only, unless it has `continue: true`), else the node itself.
 * Children inherit the receiver, `group_by` and timings they do not set.
 *
 * @module
 */
import type { RouteConfig } from "../../config/mod.ts";
import { type CompiledMatcher, compileMatchers, matchesAll } from "./matchers.ts";

/** A compiled route node. */
export interface RouteNode {
  /** Unique id within the tree (`0`, `0.1`, …). */
  id: string;
  /** Alertmanager's route key: `{}` at the top, `{}/{severity="critical"}` below. */
  key: string;
  receiver: string;
  matchers: CompiledMatcher[];
  /** Labels that split groups; `null` groups by every label (`['...']`). */
  groupBy: string[] | null;
  groupWaitMs: number;
  groupIntervalMs: number;
  repeatIntervalMs: number;
  continue: boolean;
  routes: RouteNode[];
}

/** Route defaults: group by `alertname`, send at once, then every 30 s at most, repeat after 4 h. */
export const ROUTE_DEFAULTS = {
  groupBy: ["alertname"],
  groupWaitMs: 0,
  groupIntervalMs: 30_000,
  repeatIntervalMs: 4 * 3_600_000,
} as const;

/**
 * Compiles the route tree.
 *
 * @param route The config's `route:` (validated).
 * @returns The top node.
 * @throws {RangeError} If the top route has no receiver or a matcher is bad.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileRoute, matchRoutes } from "./route_tree.ts";
 * const top = compileRoute({ receiver: "ops", routes: [{ matchers: ['severity="critical"'], receiver: "pager" }] });
 * assert.deepEqual(matchRoutes(top, { severity: "critical" }).map((n) => n.receiver), ["pager"]);
 * assert.deepEqual(matchRoutes(top, { severity: "info" }).map((n) => n.key), ["{}"]);
 * ```
 */
export function compileRoute(route: RouteConfig): RouteNode {
  if (route.receiver === undefined) throw new RangeError("The top route needs a receiver");
  return compileNode(route, undefined, "0");
}

function compileNode(route: RouteConfig, parent: RouteNode | undefined, id: string): RouteNode {
  const matchers = compileMatchers(route.matchers);
  // a parent's null (group by every label) is inherited as such, not replaced by the default
  const groupBy = route.group_by ?? (parent ? parent.groupBy : [...ROUTE_DEFAULTS.groupBy]);
  const node: RouteNode = {
    id,
    key: parent ? `${parent.key}/{${(route.matchers ?? []).join(",")}}` : "{}",
    receiver: route.receiver ?? parent?.receiver ?? "",
    matchers,
    groupBy: groupBy !== null && groupBy.includes("...") ? null : groupBy,
    groupWaitMs: route.group_wait ?? parent?.groupWaitMs ?? ROUTE_DEFAULTS.groupWaitMs,
    groupIntervalMs: route.group_interval ?? parent?.groupIntervalMs ??
      ROUTE_DEFAULTS.groupIntervalMs,
    repeatIntervalMs: route.repeat_interval ?? parent?.repeatIntervalMs ??
      ROUTE_DEFAULTS.repeatIntervalMs,
    continue: route.continue ?? false,
    routes: [],
  };
  node.routes = (route.routes ?? []).map((child, i) => compileNode(child, node, `${id}.${i}`));
  return node;
}

/**
 * The routes that take an alert.
 *
 * @param node The top node (or any node).
 * @param labels The alert's labels.
 * @returns The matching nodes, in tree order; empty when `node` itself does not match.
 */
export function matchRoutes(
  node: RouteNode,
  labels: Readonly<Record<string, string>>,
): RouteNode[] {
  if (!matchesAll(node.matchers, labels)) return [];
  const out: RouteNode[] = [];
  for (const child of node.routes) {
    const found = matchRoutes(child, labels);
    out.push(...found);
    if (found.length > 0 && !child.continue) break;
  }
  return out.length > 0 ? out : [node];
}
