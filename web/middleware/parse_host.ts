/**
 * A strict parser for the HTTP `Host` header (RFC 9110 §7.2: `uri-host [ ":" port ]`), so the
 * Host check compares a real host name and never a prefix or suffix of something else.
 *
 * @module
 */

/** A parsed `Host` header. */
export interface HostAndPort {
  /** Lower-case host name, IPv4 address, or IPv6 address in brackets (`[::1]`). */
  hostname: string;
  /** The port, when one was given. */
  port?: number;
}

// One DNS label: letters, digits and inner hyphens. No empty label but the root's: one trailing
// dot (`localhost.`, the absolute form of a name) is kept for the Host check to judge.
const LABEL = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";
const NAME = new RegExp(`^(${LABEL}(?:\\.${LABEL})*\\.?)(?::(\\d{1,5}))?$`, "i");
// An IPv6 literal: hex digits, colons and (for a trailing IPv4 part) dots; no zone id.
const IPV6 = /^(\[[0-9a-f:.]+\])(?::(\d{1,5}))?$/i;

/**
 * Parses a `Host` header value strictly: a host name (DNS labels, at most one trailing dot,
 * which is kept), an IPv4 address or a bracketed IPv6 address, then optionally `:` and a port of
 * 1 to 5 digits up to 65535. Anything else (user info, a second port, text after the port or after `]`, an empty
 * value or an empty port) is malformed.
 *
 * @param value The header value.
 * @returns The host name (lower case) and port, or `undefined` when malformed.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseHost } from "./parse_host.ts";
 * assert.deepEqual(parseHost("LocalHost:8000"), { hostname: "localhost", port: 8000 });
 * assert.deepEqual(parseHost("[::1]"), { hostname: "[::1]" });
 * assert.equal(parseHost("127.0.0.1:evil.com"), undefined);
 * assert.equal(parseHost("a@127.0.0.1"), undefined);
 * assert.deepEqual(parseHost("localhost.:8000"), { hostname: "localhost.", port: 8000 });
 * ```
 */
export function parseHost(value: string): HostAndPort | undefined {
  const match = value.match(IPV6) ?? value.match(NAME);
  if (!match) return undefined;
  const hostname = match[1]!.toLowerCase();
  if (match[2] === undefined) return { hostname };
  const port = Number(match[2]);
  return port <= 65535 ? { hostname, port } : undefined;
}
