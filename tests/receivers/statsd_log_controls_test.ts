/**
 * A StatsD packet is anyone's on the network: what serve logs of a malformed line reaches the
 * terminal it runs in, so its control characters are written as escapes.
 */
import assert from "node:assert/strict";
import dgram from "node:dgram";
import { capturingServer } from "./_statsd.ts";

/** Sends `packet` to a StatsD receiver and returns the log line that reports it malformed. */
async function malformedLogLine(packet: string): Promise<string> {
  const { server, log } = await capturingServer();
  const raw = dgram.createSocket("udp4");
  try {
    await new Promise<void>((r) =>
      raw.send(new TextEncoder().encode(packet), server.port, "127.0.0.1", () => r())
    );
    for (let i = 0; i < 100 && !log.some((l) => l.includes("malformed")); i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    raw.close();
    await server.close();
  }
  const line = log.find((l) => l.includes("malformed lines dropped"));
  assert.ok(line, log.join("\n"));
  return line;
}

// Regression: JSON quoting escapes C0 but not C1, so `\u009b2J` (CSI, clear the screen) in a
// line's name went to serve's log as it was.
Deno.test({
  name: "serve's log of a malformed StatsD line writes its C1 control characters as \\u009b",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const line = await malformedLogLine("x\u009b2J\u009d0;pwn:1|q");
    const controls = [...line].filter((c) =>
      c.charCodeAt(0) < 0x20 || (c >= "\x7f" && c <= "\x9f")
    );
    assert.deepEqual(controls, []);
    assert.ok(line.includes("x\\u009b2J\\u009d0;pwn"), line);
  },
});

// A right-to-left override in a malformed line showed the rest of the log line reversed, and
// U+2028 split it in log viewers that take it as a line break.
Deno.test({
  name: "serve's log of a malformed StatsD line writes its bidi controls and U+2028 as \\u202e",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const line = await malformedLogLine("x\u202egnp.exe\u2028y\u2067:1|q");
    assert.doesNotMatch(line, /[\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
    assert.ok(line.includes("x\\u202egnp.exe\\u2028y\\u2067"), line);
  },
});
