/**
 * Test helper: a loopback HTTP server that answers every request with the same text, standing
 * in for an application's metrics page or an attacker's page.
 *
 * @module
 */

/**
 * Serves `body` on 127.0.0.1, on a free port, to every request.
 *
 * @param body The answer's body.
 * @param headers The answer's headers. Default none (text/plain).
 * @returns The server; its port is `addr.port`. Shut it down when done.
 */
export function serveText(body: string, headers: HeadersInit = {}): Deno.HttpServer<Deno.NetAddr> {
  return Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => new Response(body, { headers }),
  );
}
