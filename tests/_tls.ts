/**
 * Test helper for the TLS tests: a private CA and a server certificate it signed, made with
 * `openssl` (tests that use it skip where openssl is absent: `missing("openssl", …)` from
 * `_skip.ts`). A CA rather than a self-signed certificate because rustls refuses a self-signed
 * end certificate even when it is the trusted one.
 *
 * @module
 */
import assert from "node:assert/strict";

/** Runs openssl in `dir`, failing with its stderr. */
async function openssl(dir: string, ...args: string[]): Promise<void> {
  const r = await new Deno.Command("openssl", { args, cwd: dir, stdout: "null", stderr: "piped" })
    .output();
  assert.ok(r.success, new TextDecoder().decode(r.stderr));
}

/** Options for {@linkcode privateCa}. */
export interface PrivateCaOptions {
  /** The server certificate's subjectAltName. Default `IP:127.0.0.1`. */
  subjectAltName?: string;
}

/**
 * Makes a private CA and a server certificate for `subjectAltName` signed by it, valid one day,
 * in a new temporary directory.
 *
 * @param options See {@linkcode PrivateCaOptions}.
 * @returns The directory, holding `ca.pem` (the CA to trust), `cert.pem` and `key.pem` (the
 * server's), and the CA's key and files openssl leaves.
 */
export async function privateCa(options: PrivateCaOptions = {}): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "perfscope-ca-" });
  const words = (text: string) => text.split(" ");
  const newKey = words("-newkey rsa:2048 -nodes");
  await openssl(
    dir,
    ...words("req -x509 -days 1 -keyout ca.key -out ca.pem"),
    ...newKey,
    "-subj",
    "/CN=perfscope test CA",
  );
  await openssl(
    dir,
    ...words("req -subj /CN=127.0.0.1 -keyout key.pem -out server.csr"),
    ...newKey,
  );
  await Deno.writeTextFile(
    `${dir}/ext.cnf`,
    `subjectAltName=${options.subjectAltName ?? "IP:127.0.0.1"}\nbasicConstraints=CA:FALSE\n`,
  );
  await openssl(
    dir,
    ...words("x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 1"),
    ...words("-extfile ext.cnf -out cert.pem"),
  );
  return dir;
}
