/**
 * A config reload whose new StatsD address cannot be bound (the port is taken) keeps the
 * receivers that ran: serve stopped them before starting the new ones, so the failed start left
 * no StatsD listener (and no scrape target or probe) at all, while its log line said the
 * receivers were "not restarted".
 */
import assert from "node:assert/strict";
import dgram from "node:dgram";
import { queryRows, serveChildIn, untilHealthy } from "../_serve_process.ts";
import { freePort, freeUdpPort } from "../_ports.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

Deno.test({
  name: "a reload that cannot bind the new StatsD port keeps the old listener storing",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "perfscope-reload-bind-" });
    const port = freePort();
    const udp = await freeUdpPort();
    const taken = dgram.createSocket("udp4");
    await new Promise<void>((r) => taken.bind(0, "127.0.0.1", () => r()));
    const busy = taken.address().port;
    const base = `http://127.0.0.1:${port}`;
    const config = (statsd: number) =>
      `ingest:\n  flush_every: 1s\nstatsd:\n  listen: 127.0.0.1:${statsd}\n  flush: 200ms\n`;
    await Deno.writeTextFile(`${dir}/perfscope.yaml`, config(udp));
    const child = serveChildIn(dir, { port, stderr: "piped" });
    const logs = new Response(child.stderr).text();
    const client = dgram.createSocket("udp4");
    const send = (text: string) =>
      new Promise<void>((r) => client.send(Buffer.from(text), udp, "127.0.0.1", () => r()));
    const stored = async (metric: string) => {
      const [[n]] = await queryRows(
        base,
        `SELECT count(*) FROM samples WHERE metric = '${metric}'`,
      ) as [[string]];
      return Number(n);
    };
    const until = async (metric: string) => {
      for (let i = 0; i < 40; i++) {
        await send(`${metric}:1|g`);
        if (await stored(metric) > 0) return true;
        await sleep(250);
      }
      return false;
    };
    try {
      await untilHealthy(base);
      assert.ok(await until("before_reload"), "StatsD did not store before the reload");
      await Deno.writeTextFile(`${dir}/perfscope.yaml`, config(busy));
      child.kill("SIGHUP");
      await sleep(2000);
      assert.ok(await until("after_reload"), "no StatsD listener after the failed reload");
    } finally {
      client.close();
      taken.close();
      child.kill("SIGTERM");
      await child.status;
      const text = await logs;
      await Deno.remove(dir, { recursive: true }).catch(() => {});
      assert.match(text, /receivers not restarted: .*EADDRINUSE/);
    }
  },
});
