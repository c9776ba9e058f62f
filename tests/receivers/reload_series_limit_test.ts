/**
 * A config reload that restarts the receivers keeps what their series limits know: a scrape
 * target's flowing series keep their places ahead of a burst of new ones, and a changed
 * `max_series_per_source` applies to the same memory.
 */
import assert from "node:assert/strict";
import dgram from "node:dgram";
import { openLake } from "../../lake/mod.ts";
import { type IngestBatch, type Receivers, startReceivers } from "../../receivers/mod.ts";
import { freeUdpPort } from "../_ports.ts";
import { startServe } from "../_serve.ts";

async function until(what: () => boolean, label: string): Promise<void> {
  for (let i = 0; i < 1200 && !what(); i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(what(), label);
}

Deno.test({
  name: "serve keeps a scrape target's flowing series in their places across a config reload",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    let page = "m_a 1\nm_b 1\n";
    // a scrape's samples are handed on before the next one is asked for: counting the requests
    // tells how many scrapes are stored, on a machine of any speed
    let asked = 0;
    const app = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen() {} },
      () => {
        asked++;
        return new Response(page);
      },
    );
    const scrapes = async (n: number) => {
      const from = asked;
      await until(() => asked >= from + n, `${n} more scrapes`);
    };
    const root = await Deno.makeTempDir();
    const file = `${root}/perfscope.yaml`;
    const config = (interval: string, max: number) =>
      `receivers_limits:\n  max_series_per_source: ${max}\n` +
      `scrape:\n  - url: http://127.0.0.1:${app.addr.port}/metrics\n    name: app\n` +
      `    interval: ${interval}\n`;
    const write = async (text: string) => {
      await Deno.writeTextFile(`${file}.tmp`, text);
      await Deno.rename(`${file}.tmp`, file);
    };
    // every 2 s, then 3 s (a changed interval restarts the receivers): their timeouts (the
    // interval) leave a loaded machine time to answer, where 100 ms could miss every scrape
    await Deno.writeTextFile(file, config("2s", 2));
    const error = console.error;
    const errors: string[] = [];
    console.error = (line: string) => void errors.push(String(line));
    const restarts = () => errors.filter((l) => /receivers restarted/.test(l)).length;
    const served = await startServe(["--no-collect", "--data", `${root}/data`, "--config", file]);
    let firstReload = 0, secondReload = 0, afterFirst = 0;
    try {
      await scrapes(2); // the first stored: m_a and m_b flow
      // new series arrive ahead of the flowing ones: the limit of 2 turns them away
      page = "m_c 1\nm_d 1\nm_a 1\nm_b 1\n";
      await scrapes(2);
      // a reload that restarts the receivers (the interval changed, the limit did not)
      firstReload = Date.now();
      await write(config("3s", 2));
      await until(() => restarts() === 1, errors.join("\n"));
      afterFirst = Date.now();
      // the first asked for after this may have begun before it; the second began after it and
      // is stored once the third is asked for
      await scrapes(3);
      // the limit goes up by one: the flowing series keep theirs, the first new one gets the place
      secondReload = Date.now();
      await write(config("3s", 3));
      await until(() => restarts() === 2, errors.join("\n"));
      await scrapes(3);
    } finally {
      served.stop();
      await served.done;
      console.error = error;
      await app.shutdown();
    }
    const lake = await openLake({ root: `${root}/data` });
    try {
      const rows = await lake.query(
        "SELECT epoch_ms(ts) AS ts, metric FROM samples WHERE metric LIKE 'm\\_%' ESCAPE '\\'",
      );
      const times = (m: string) => rows.filter((r) => r.metric === m).map((r) => Number(r.ts));
      for (const m of ["m_a", "m_b"]) {
        assert.ok(
          times(m).some((t) => t > afterFirst && t < secondReload),
          `${m} after the reload`,
        );
        assert.ok(times(m).some((t) => t > secondReload), `${m} after the second reload`);
      }
      assert.deepEqual(
        times("m_c").filter((t) => t < secondReload),
        [],
        "the new series took no place of a flowing one",
      );
      assert.ok(times("m_c").length > 0, "the raised limit let the first new series by");
      assert.deepEqual(times("m_d"), [], "one place more, one series more");
      assert.ok(firstReload > 0);
    } finally {
      lake.close();
      await Deno.remove(root, { recursive: true });
    }
  },
});

Deno.test({
  name: "startReceivers() with the previous receivers keeps StatsD's gauges and their places",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const port = await freeUdpPort();
    const batches: IngestBatch[] = [];
    const config = (max: number) => ({
      statsd: { listen: `127.0.0.1:${port}`, flush: 100_000 },
      receivers_limits: { max_series_per_source: max },
    });
    const options = { host: "h", sink: (b: IngestBatch) => void batches.push(b), log: () => {} };
    const sock = dgram.createSocket("udp4");
    const send = (text: string) =>
      new Promise<void>((r) => sock.send(text, port, "127.0.0.1", () => r()));
    let running: Receivers | undefined = await startReceivers(config(2), options);
    const first = running;
    let second: Receivers | undefined;
    try {
      await send("queue:5|g\npool:3|g");
      await until(() => first.statsd!.status().lines === 2, "two gauges taken");
      running = undefined;
      await first.stop(); // a last flush
      running = second = await startReceivers(config(2), { ...options, previous: first });
      // a burst of new series: the two gauges hold the places
      await send("burst_a:1|g\nburst_b:1|g\nqueue:+1|g");
      await until(() => second!.statsd!.status().packets === 1, "the packet taken");
    } finally {
      sock.close();
      await running?.stop();
    }
    const last = batches[batches.length - 1]!;
    assert.deepEqual(last.metric.map((m, i) => `${m} ${last.value[i]}`), ["queue 6", "pool 3"]);
    assert.equal(second!.statsd!.status().limited, 2);
  },
});
