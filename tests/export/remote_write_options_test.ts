import assert from "node:assert/strict";
import { makeSenders, remoteWriteOptions } from "../../cli/_remote_write.ts";
import { sourceFromFlag } from "../../cli/_source.ts";
import { SpoolCursor } from "../../export/mod.ts";
import { SPOOL_MAGIC, SpoolWriter } from "../../lake/mod.ts";

Deno.test("remote_write: entries become sender options: headers, token file, TLS files, labels, timings", () => {
  const dir = Deno.makeTempDirSync();
  Deno.writeTextFileSync(`${dir}/token`, "s3cret\n");
  const [a, b] = remoteWriteOptions(
    [{
      url: "https://mimir/api/v1/push",
      name: "mimir",
      headers: { "X-Scope-OrgID": "ops" },
      bearer_token_file: `${dir}/token`,
      tls: { ca_file: "/ca.pem", cert_file: "/c.pem", key_file: "/k.pem" },
      external_labels: { dc: "ams" },
      interval: 10_000,
      timeout: 3000,
      max_batch_bytes: 4096,
    }],
    ["https://mimir/api/v1/push", "http://vm:8428/api/v1/write"],
    ["env=prod", "dc=fra"],
  );
  assert.deepEqual(a, {
    url: "https://mimir/api/v1/push",
    name: "mimir",
    headers: { "X-Scope-OrgID": "ops" },
    bearerToken: "s3cret",
    tls: { caFile: "/ca.pem", certFile: "/c.pem", keyFile: "/k.pem" },
    // a flag wins over the entry's external_labels for the same name, as on any command line
    externalLabels: { env: "prod", dc: "fra" },
    intervalMs: 10_000,
    timeoutMs: 3000,
    maxBatchBytes: 4096,
  });
  assert.deepEqual(b, {
    url: "http://vm:8428/api/v1/write",
    externalLabels: { env: "prod", dc: "fra" },
  });
  assert.throws(
    () => remoteWriteOptions([{ url: "http://x", bearer_token_file: `${dir}/none` }], []),
    { name: "UsageError", message: /^Cannot read bearer_token_file/ },
  );
});

Deno.test("senders are made with basic auth, and a bad option is a UsageError", async () => {
  const root = Deno.makeTempDirSync();
  const [s] = await makeSenders(root, [{
    url: "http://127.0.0.1:9/w",
    basicAuth: { username: "u", password: "p" },
  }]);
  assert.match(s!.name, /^rw-[0-9a-f]{8}$/);
  await s!.stop();
  await assert.rejects(() => makeSenders(root, [{ url: "http://x/w", intervalMs: 0 }]), {
    name: "UsageError",
    message: "Invalid intervalMs: 0",
  });
  assert.deepEqual(await makeSenders(root, []), []);
  await assert.rejects(
    () => makeSenders(root, [{ url: "https://x/w", tls: { caFile: `${root}/no-ca.pem` } }]),
    { name: "UsageError", message: /^Cannot read TLS file: .*no-ca\.pem/ },
  );
});

Deno.test("--source resolves a sources: name with its credentials, else needs a URL", () => {
  const dir = Deno.makeTempDirSync();
  Deno.writeTextFileSync(`${dir}/t`, "tok");
  const config = {
    sources: [{
      name: "fleet",
      url: "http://vmselect:8481/select/0/prometheus/",
      bearer_token_file: `${dir}/t`,
      host_label: "instance_host",
    }],
  };
  assert.equal(sourceFromFlag("fleet", config).base, "http://vmselect:8481/select/0/prometheus");
  assert.equal(sourceFromFlag("http://prom:9090", config).base, "http://prom:9090");
  assert.throws(() => sourceFromFlag("fleet2", config), {
    name: "UsageError",
    message: "Invalid --source: fleet2 (an http(s) URL, or one of: fleet)",
  });
  assert.throws(
    () =>
      sourceFromFlag("bad", {
        sources: [{ name: "bad", url: "http://x", bearer_token_file: `${dir}/none` }],
      }),
    { name: "UsageError", message: /^Cannot read bearer_token_file/ },
  );
});

Deno.test("a damaged spool segment is read up to the damage, then the cursor goes on with the next", () => {
  const root = Deno.makeTempDirSync();
  const w = new SpoolWriter(root, 1000);
  w.append([{ ts: 1000, host: "h", metric: "m", labels: "", value: 1 }]);
  w.close();
  // garbage after the good record: a record header of an unknown kind
  const f = Deno.openSync(w.segment.path, { append: true });
  f.writeSync(new Uint8Array([16, 0, 0, 0, 9, 0, 0, 0, ...new Array(16).fill(7)]));
  f.close();
  const w2 = new SpoolWriter(root, 2000);
  w2.append([{ ts: 2000, host: "h", metric: "m", labels: "", value: 2 }]);
  const cursor = new SpoolCursor(root);
  assert.deepEqual(cursor.read(1 << 20).snapshots.map((s) => s.ts), [1000, 2000]);
  cursor.close();
  w2.close();
  assert.equal(SPOOL_MAGIC.length, 8);
});
