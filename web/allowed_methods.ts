/**
 * The methods an app answers on a path, so that a request with another method gets 405 with
 * `Allow` instead of a 404 that reads as "wrong path".
 *
 * @module
 */

/** A registered route as Hono lists it in `app.routes`. */
export interface RouteEntry {
  method: string;
  path: string;
}

/** A route path (`/api/silences/:id`) as a whole-path regular expression. */
function pathPattern(path: string): RegExp {
  const parts = path.split("/").map((part) =>
    part.startsWith(":") ? "[^/]+" : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
  );
  return new RegExp(`^${parts.join("/")}/?$`);
}

/**
 * Lists the methods registered for `path` (GET implies HEAD); wildcard routes and middleware
 * (`ALL`) are left out, since they answer every path.
 *
 * @param routes The app's routes (`app.routes`).
 * @param path The request's path, decoded as Hono matches it.
 * @returns The methods, sorted; empty when no route has this path.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { allowedMethods } from "./allowed_methods.ts";
 * const routes = [{ method: "POST", path: "/api/ingest" }, { method: "GET", path: "/r/:name" }];
 * assert.deepEqual(allowedMethods(routes, "/api/ingest"), ["POST"]);
 * assert.deepEqual(allowedMethods(routes, "/r/x"), ["GET", "HEAD"]);
 * assert.deepEqual(allowedMethods(routes, "/nope"), []);
 * ```
 */
export function allowedMethods(routes: readonly RouteEntry[], path: string): string[] {
  const methods = new Set<string>();
  for (const r of routes) {
    if (r.method === "ALL" || r.path.includes("*") || !pathPattern(r.path).test(path)) continue;
    methods.add(r.method);
    if (r.method === "GET") methods.add("HEAD");
  }
  return [...methods].sort();
}
