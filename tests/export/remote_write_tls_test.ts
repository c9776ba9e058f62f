import assert from "node:assert/strict";
import { decodeWriteRequest, RemoteWriteSender } from "../../export/mod.ts";
import { SpoolWriter } from "../../lake/mod.ts";
import { missing } from "../_skip.ts";
import { privateCa } from "../_tls.ts";

Deno.test({
  name: "a receiver over HTTPS with a private CA is reached with tls.caFile and a bearer token",
  ignore: missing("openssl", "the remote-write TLS test"),
  async fn() {
    const dir = await privateCa();
    const seen: { auth: string | null; n: number }[] = [];
    const server = Deno.serve({
      hostname: "127.0.0.1",
      port: 0,
      cert: Deno.readTextFileSync(`${dir}/cert.pem`),
      key: Deno.readTextFileSync(`${dir}/key.pem`),
      onListen() {},
    }, async (req) => {
      const series = decodeWriteRequest(new Uint8Array(await req.arrayBuffer()));
      seen.push({ auth: req.headers.get("authorization"), n: series.length });
      return new Response(null, { status: 204 });
    });
    const root = Deno.makeTempDirSync();
    const w = new SpoolWriter(root, 1);
    w.append([{ ts: 1000, host: "h", metric: "m", labels: "", value: 1 }]);
    try {
      const sender = new RemoteWriteSender(root, {
        url: `https://127.0.0.1:${server.addr.port}/api/v1/write`,
        tls: { caFile: `${dir}/ca.pem` },
        bearerToken: "t0ken",
        log: () => {},
        maxBackoffMs: 100,
      });
      await sender.drain();
      await sender.stop();
      assert.deepEqual(seen, [{ auth: "Bearer t0ken", n: 1 }]);
    } finally {
      w.close();
      await server.shutdown();
    }
  },
});

Deno.test("a client certificate without its key (or a key without its certificate) is refused, not silently left out", () => {
  const root = Deno.makeTempDirSync();
  const pem = `${root}/client.pem`;
  Deno.writeTextFileSync(pem, "-----BEGIN CERTIFICATE-----\n");
  const url = "https://127.0.0.1:9/api/v1/write";
  for (const tls of [{ certFile: pem }, { keyFile: pem }]) {
    assert.throws(
      () => new RemoteWriteSender(root, { url, tls }),
      (e) => e instanceof RangeError && /certFile and keyFile go together/.test(e.message),
      JSON.stringify(tls),
    );
  }
  Deno.removeSync(root, { recursive: true });
});

Deno.test("a sender whose options are refused after its TLS files were read leaves no HTTP client open", () => {
  const root = Deno.makeTempDirSync();
  const ca = `${root}/ca.pem`;
  Deno.writeTextFileSync(ca, "");
  const url = "https://127.0.0.1:9/api/v1/write";
  // the real clients the constructor makes, kept to see whether it closed them
  const made: Deno.HttpClient[] = [];
  const create = Deno.createHttpClient;
  Deno.createHttpClient = (options) => {
    const client = create(options);
    made.push(client);
    return client;
  };
  try {
    const queue = "bogus" as unknown as "ingest";
    assert.throws(
      () => new RemoteWriteSender(root, { url, tls: { caFile: ca }, queue }),
      /Invalid remote-write queue: bogus/,
    );
    // a root where the reader's position cannot be saved: it fails after the client is made
    const file = `${root}/not-a-dir`;
    Deno.writeTextFileSync(file, "");
    assert.throws(() => new RemoteWriteSender(file, { url, tls: { caFile: ca } }));
  } finally {
    Deno.createHttpClient = create;
  }
  assert.ok(made.length >= 1, "the position failure comes after the client is made");
  // closing a closed client again is refused: each was closed by the constructor that threw
  for (const client of made) assert.throws(() => client.close(), Deno.errors.BadResource);
  Deno.removeSync(root, { recursive: true });
});
