/**
 * Test helper: free loopback ports, for a server whose port must be known before it starts (a
 * child process, a config file, a restart on the same port). The port is free when asked;
 * nothing holds it until the server binds it.
 *
 * @module
 */
import dgram from "node:dgram";

/**
 * A TCP port on 127.0.0.1 that was free a moment ago.
 *
 * @returns The port.
 */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/**
 * A UDP port on 127.0.0.1 that was free a moment ago (for a StatsD listener).
 *
 * @returns The port, once the socket that found it is closed.
 */
export function freeUdpPort(): Promise<number> {
  const socket = dgram.createSocket("udp4");
  return new Promise((resolve) =>
    socket.bind(0, "127.0.0.1", () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    })
  );
}
