/**
 * Probes against real loopback servers: HTTP status, phase times, body match; TCP connect; a
 * closed port, a wrong body, a 503 and a hanging server fail with the reason.
 */
import assert from "node:assert/strict";
import { ProbeManager, probeSamples, runProbe } from "../../receivers/mod.ts";
import { missing } from "../_skip.ts";
import { privateCa } from "../_tls.ts";
import { freePort } from "../_ports.ts";

Deno.test({
  name: "An HTTP probe times its phases, matches the body and reports the status",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const hang = Promise.withResolvers<void>();
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
      const path = new URL(req.url).pathname;
      if (path === "/down") return new Response("no", { status: 503 });
      if (path === "/hang") await hang.promise;
      return new Response("status: healthy");
    });
    const base = `http://localhost:${server.addr.port}`;
    try {
      const ok = await runProbe({ name: "api", http: `${base}/health`, match: "healthy" });
      assert.equal(ok.success, true, ok.error);
      assert.equal(ok.status, 200);
      for (const phase of ["dns", "connect", "first_byte", "transfer"] as const) {
        assert.ok(ok.phases[phase]! >= 0, phase);
      }
      assert.ok(ok.totalSeconds >= ok.phases.first_byte!);
      const b = probeSamples({ name: "api" }, ok, "h", 1);
      assert.deepEqual(b.metric.slice(0, 2), ["probe_success", "probe_duration_seconds"]);
      assert.ok(b.labels.includes("phase=dns,target=api"));
      assert.equal(b.value[b.metric.indexOf("probe_http_status_code")], 200);

      const wrong = await runProbe({ name: "api", http: `${base}/health`, match: "^ok$" });
      assert.deepEqual([wrong.success, wrong.error], [false, "body does not match /^ok$/"]);
      const down = await runProbe({ name: "api", http: `${base}/down` });
      assert.deepEqual([down.success, down.error, down.status], [false, "HTTP 503", 503]);
      const slow = await runProbe({ name: "api", http: `${base}/hang`, timeoutMs: 200 });
      assert.deepEqual([slow.success, slow.error], [false, "no complete answer within 200 ms"]);
    } finally {
      hang.resolve();
      await server.shutdown();
    }
  },
});

Deno.test("A TCP probe measures the connect and fails on a closed port", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepting = (async () => {
    for await (const conn of listener) conn.close();
  })();
  try {
    const ok = await runProbe({
      name: "db",
      tcp: `127.0.0.1:${(listener.addr as Deno.NetAddr).port}`,
    });
    assert.equal(ok.success, true);
    assert.ok(ok.phases.connect! >= 0);
    const closed = await runProbe({ name: "db", tcp: `127.0.0.1:${freePort()}` });
    assert.equal(closed.success, false);
    assert.match(closed.error!, /ECONNREFUSED|refused/i);
  } finally {
    listener.close();
    await accepting.catch(() => {});
  }
});

Deno.test("ProbeManager logs a failing probe once and hands every result to the sink", async () => {
  const batches: string[][] = [];
  const log: string[] = [];
  const manager = new ProbeManager({
    probes: [{ name: "gone", tcp: `127.0.0.1:${freePort()}`, intervalMs: 100 }],
    host: "h",
    sink: (b) => void batches.push(b.metric),
    log: (l) => void log.push(l),
  });
  for (let i = 0; i < 500 && batches.length < 3; i++) await new Promise((r) => setTimeout(r, 20));
  await manager.stop();
  assert.ok(batches.length >= 3);
  assert.equal(log.length, 1);
  assert.match(log[0]!, /^probe gone: failed: /);
  assert.equal(manager.stats.stored, batches.flat().length);
});

Deno.test({
  name: "An HTTPS probe measures the TLS handshake, trusts a given CA and fails on an unknown one",
  ignore: missing("openssl", "the HTTPS probe test"),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    // a certificate for the name the probe dials, signed by a CA the probe is given
    const dir = await privateCa({ subjectAltName: "DNS:localhost,IP:127.0.0.1" });
    const ca = await Deno.readTextFile(`${dir}/ca.pem`);
    const cert = await Deno.readTextFile(`${dir}/cert.pem`);
    const key = await Deno.readTextFile(`${dir}/key.pem`);
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, cert, key, onListen() {} },
      () => new Response("ok"),
    );
    try {
      const url = `https://localhost:${server.addr.port}/`;
      const ok = await runProbe({ name: "tls", http: url, ca, match: "ok" });
      assert.equal(ok.success, true, ok.error);
      assert.ok(ok.phases.tls! > 0);
      const unknown = await runProbe({ name: "tls", http: url });
      assert.equal(unknown.success, false);
      assert.match(unknown.error!, /self[- ]signed|certificate/i);
    } finally {
      await server.shutdown();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
