/**
 * Test helper: an app served on a free loopback port, for tests that talk to it over HTTP (its
 * real request parsing: repeated query parameters, raw bytes, content encodings).
 *
 * @module
 */

/**
 * Serves `app` on 127.0.0.1 until `fn` ends, then shuts the server down.
 *
 * @param app What to serve (a Hono app).
 * @param fn Gets the base URL, e.g. `http://127.0.0.1:41234`.
 * @returns Once `fn` has ended and the server is down.
 */
export async function served(
  app: { fetch: (request: Request) => Response | Promise<Response> },
  fn: (base: string) => Promise<void>,
): Promise<void> {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, app.fetch);
  try {
    await fn(`http://127.0.0.1:${server.addr.port}`);
  } finally {
    await server.shutdown();
  }
}
