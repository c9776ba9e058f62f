import assert from "node:assert/strict";
import { parseHost } from "../../../web/middleware/parse_host.ts";
import { testApp } from "../_app.ts";

const wellFormed: [string, { hostname: string; port?: number }][] = [
  ["localhost", { hostname: "localhost" }],
  ["LOCALHOST:8000", { hostname: "localhost", port: 8000 }],
  ["127.0.0.1:65535", { hostname: "127.0.0.1", port: 65535 }],
  ["[::1]", { hostname: "[::1]" }],
  ["[::1]:8000", { hostname: "[::1]", port: 8000 }],
  ["[::FFFF:127.0.0.1]:1", { hostname: "[::ffff:127.0.0.1]", port: 1 }],
  ["localhost.evil.com", { hostname: "localhost.evil.com" }],
  ["127.0.0.1.nip.io:80", { hostname: "127.0.0.1.nip.io", port: 80 }],
  ["perf-box.lan", { hostname: "perf-box.lan" }],
  // the absolute form keeps its dot: the Host check decides whether it names the same host
  ["localhost.", { hostname: "localhost." }],
  ["LocalHost.:8000", { hostname: "localhost.", port: 8000 }],
  ["127.0.0.1.:80", { hostname: "127.0.0.1.", port: 80 }],
  ["perf-box.lan.", { hostname: "perf-box.lan." }],
];

const malformed = [
  "",
  " ",
  "127.0.0.1:evil.com",
  "127.0.0.1:80:80",
  "127.0.0.1:",
  "127.0.0.1:65536",
  "127.0.0.1:123456",
  "127.0.0.1:-1",
  "127.0.0.1 :80",
  "a@127.0.0.1",
  "a:b@127.0.0.1:80",
  "localhost..",
  ".",
  "localhost.:",
  "[::1].",
  ".localhost",
  "local..host",
  "-localhost",
  "localhost-",
  "[::1]evil",
  "[::1]:80:80",
  "[::1",
  "::1",
  "[::1%25lo]",
  "[evil.com]",
  "local_host",
  "localhost/path",
  "localhost?x",
  "localhost#x",
  "localhost\\evil.com",
  "lоcalhost", // Cyrillic "о"
];

Deno.test("parseHost() accepts a host name, IPv4 or bracketed IPv6 with an optional port", () => {
  for (const [value, expected] of wellFormed) assert.deepEqual(parseHost(value), expected, value);
});

Deno.test("parseHost() refuses every malformed Host value", () => {
  for (const value of malformed) assert.equal(parseHost(value), undefined, JSON.stringify(value));
});

Deno.test("the Host check refuses a loopback name followed by junk (127.0.0.1:evil.com)", async () => {
  await using t = await testApp({ allowedHosts: ["127.0.0.2"] });
  const answers: [string, number][] = [
    ["127.0.0.1:8000", 200],
    ["LocalHost", 200],
    ["[::1]:8000", 200],
    ["127.0.0.2:9", 200],
    ["127.0.0.1:evil.com", 400],
    ["127.0.0.1:80:80", 400],
    ["[::1]evil", 400],
    ["a@127.0.0.1", 400],
    ["", 400],
    ["localhost.evil.com", 403],
    ["127.0.0.1.nip.io", 403],
    ["127.0.0.3", 403],
  ];
  for (const [host, status] of answers) {
    const res = await t.app.request("/healthz", { headers: { host } });
    assert.equal(res.status, status, JSON.stringify(host));
    const { error } = await res.json();
    if (status === 400) assert.match(error, /^Invalid Host header: /);
    if (status === 403) assert.match(error, /^Forbidden host: /);
  }
});

Deno.test("the Host check takes localhost. and 127.0.0.1. for the names without the dot", async () => {
  await using t = await testApp({ allowedHosts: ["127.0.0.2"] });
  const answers: [string, number][] = [
    ["localhost.", 200],
    ["LOCALHOST.:8000", 200],
    ["127.0.0.1.:8000", 200],
    ["127.0.0.2.", 200],
    ["localhost..", 400],
    ["[::1].", 400],
    ["localhost.evil.com.", 403],
    ["127.0.0.1.nip.io.", 403],
    ["127.0.0.3.", 403],
    ["evil.example.", 403],
  ];
  for (const [host, status] of answers) {
    const res = await t.app.request("/healthz", { headers: { host } });
    assert.equal(res.status, status, JSON.stringify(host));
  }
});

Deno.test("the Host check keeps the dot of another allowed name: perf-box. is not perf-box", async () => {
  // a name without dots goes through the resolver's search list; with a trailing dot it does not
  await using t = await testApp({ allowedHosts: ["perf-box", "perf.example.com"] });
  const answers: [string, number][] = [
    ["perf-box", 200],
    ["perf-box.", 403],
    ["perf.example.com:8000", 200],
    ["perf.example.com.:8000", 403],
  ];
  for (const [host, status] of answers) {
    const res = await t.app.request("/healthz", { headers: { host } });
    assert.equal(res.status, status, JSON.stringify(host));
  }
});

Deno.test("a real server answers no malformed or foreign Host with 200", async () => {
  await using t = await testApp();
  await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, t.app.fetch);
  const port = server.addr.port;
  async function status(host: string): Promise<number> {
    using conn = await Deno.connect({ hostname: "127.0.0.1", port });
    await conn.write(
      new TextEncoder().encode(
        `GET /healthz HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
      ),
    );
    const buf = new Uint8Array(512);
    const n = await conn.read(buf);
    return Number(new TextDecoder().decode(buf.subarray(0, n ?? 0)).slice(9, 12));
  }
  assert.equal(await status(`127.0.0.1:${port}`), 200);
  assert.equal(await status("localhost"), 200);
  assert.equal(await status(`localhost.:${port}`), 200);
  assert.equal(await status("127.0.0.1."), 200);
  for (const host of [...malformed.filter((h) => !/[^\x21-\x7e]/.test(h)), "localhost.evil.com"]) {
    const got = await status(host);
    assert.ok(got === 400 || got === 403, `${JSON.stringify(host)}: ${got}`);
  }
});
