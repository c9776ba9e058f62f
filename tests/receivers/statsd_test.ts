/**
 * StatsD from the real hot-shots client over UDP on loopback: counters with sample rates,
 * gauges with deltas, timers, sets and DogStatsD tags become the contract's names with exact
 * values; a huge packet is refused and counted; malformed lines are counted and logged once.
 */
import assert from "node:assert/strict";
import dgram from "node:dgram";
import {
  parseListen,
  parseStatsdLine,
  StatsdAggregator,
  StatsdServer,
} from "../../receivers/mod.ts";
import { checkIngestBatch } from "../../lake/ingest_lines.ts";
import { batchRows } from "./_batch_rows.ts";
import { capturingServer, flushAfter, hotShots } from "./_statsd.ts";

Deno.test("parseStatsdLine() reads types, rates, deltas, multi-values and tags, and names what is wrong", () => {
  assert.deepEqual(parseStatsdLine("q:-3|g").delta, true);
  assert.deepEqual(parseStatsdLine("t:1:2:3|ms").values, [1, 2, 3]);
  assert.deepEqual(parseStatsdLine("u:alice|s").members, ["alice"]);
  assert.equal(parseStatsdLine("d:5|d").type, "ms");
  assert.throws(() => parseStatsdLine("nocolon"), /expected name:value\|type/);
  assert.throws(() => parseStatsdLine("a:1"), /no \|type/);
  assert.throws(() => parseStatsdLine("a:1|x"), /unknown type "x"/);
  // the prototype's functions were taken for types (the line accepted, then dropped unsaid)
  assert.throws(() => parseStatsdLine("a:1|constructor"), /unknown type "constructo"/);
  assert.throws(() => parseStatsdLine("a:1|toString"), /unknown type "toString"/);
  assert.throws(() => parseStatsdLine("a:1|c|@2"), /sample rate @2/);
  assert.throws(() => parseStatsdLine("a:|c"), /invalid value ""/);
  assert.deepEqual(parseListen("[::1]:8125"), { hostname: "::1", port: 8125 });
  assert.throws(() => parseListen("8125"), /use host:port/);
});

Deno.test("StatsdAggregator caps distinct series and forgets counters and timers that stopped", () => {
  let t = 0;
  const agg = new StatsdAggregator({ host: "h", maxSeries: 3, now: () => t });
  agg.packet("a:1|c\nb:1|c\nc:1|c\nd:1|c\ne:2|ms");
  assert.equal(agg.limited, 2);
  t = 1000;
  assert.deepEqual(batchRows(agg.flush()), [
    "a_per_second{} 1",
    "b_per_second{} 1",
    "c_per_second{} 1",
  ]);
  t = 2000;
  // one more interval at 0, then forgotten (room for new series)
  assert.deepEqual(batchRows(agg.flush()), [
    "a_per_second{} 0",
    "b_per_second{} 0",
    "c_per_second{} 0",
  ]);
  assert.equal(agg.size, 0);
});

Deno.test({
  name:
    "hot-shots over UDP: counters, gauges, timers, sets and tags are stored exactly; huge and bad packets are counted",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    // flushed by hand below, with a clock that moves 2 s
    const { server, batches, log, clock } = await capturingServer({ maxPacketBytes: 2048 });
    const { client, send } = hotShots(server.port);
    try {
      await send((cb) => client.increment("api.hits", 10, { route: "/a" }, cb));
      // hot-shots samples client-side (sends with probability 0.5): make this one go out
      const random = Math.random;
      Math.random = () => 0;
      try {
        await send((cb) => client.increment("api.hits", 3, 0.5, { route: "/a" }, cb)); // 3 at 1/2: 6
      } finally {
        Math.random = random;
      }
      await send((cb) => client.gauge("queue.depth", 10, cb));
      await send((cb) => client.gaugeDelta("queue.depth", -4, cb));
      for (const v of [10, 20, 30, 40, 50]) {
        await send((cb) => client.timing("db.query", v, { db: "main" }, cb));
      }
      for (const u of ["ann", "bob", "ann"]) await send((cb) => client.set("users", u, cb));
      // a huge packet and malformed lines, straight over UDP
      const raw = dgram.createSocket("udp4");
      await new Promise<void>((r) =>
        raw.send(new Uint8Array(4096).fill(97), server.port, "127.0.0.1", () => r())
      );
      await new Promise<void>((r) =>
        raw.send(
          new TextEncoder().encode("bad line\nok:1|c\nx:y|c"),
          server.port,
          "127.0.0.1",
          () => r(),
        )
      );
      raw.close();
      await flushAfter(server, 14, clock, 2000);
    } finally {
      client.close();
      await server.close();
    }
    assert.deepEqual(batchRows(batches[0]!), [
      "api_hits_per_second{route=/a} 8",
      "db_query_count_per_second{db=main} 2.5",
      "db_query_max{db=main} 50",
      "db_query_p50{db=main} 30",
      "db_query_p95{db=main} 48",
      "db_query_p99{db=main} 49.6",
      "ok_per_second{} 0.5",
      "queue_depth{} 6",
      "users_unique{} 2",
    ]);
    const s = server.status();
    assert.equal(s.oversized, 1);
    assert.equal(s.malformed, 2);
    assert.ok(log.some((l) => /refused a 4096-byte packet \(limit 2048 bytes\)/.test(l)));
    assert.ok(log.some((l) => /2 malformed lines dropped/.test(l)));
  },
});

Deno.test({
  name:
    "A StatsD line that is not UTF-8 is dropped and counted, not stored with U+FFFD; the packet's other lines are kept",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { server, batches, log, clock } = await capturingServer();
    const enc = new TextEncoder();
    // 0xff never occurs in UTF-8
    const packet = new Uint8Array([
      ...enc.encode("good:1|c|#route:/é\nbad:1|c|#route:/"),
      0xff,
      ...enc.encode("\nalso:2|g"),
    ]);
    const raw = dgram.createSocket("udp4");
    try {
      await new Promise<void>((r) => raw.send(packet, server.port, "127.0.0.1", () => r()));
      await flushAfter(server, 1, clock, 1000);
    } finally {
      raw.close();
      await server.close();
    }
    assert.deepEqual(batchRows(batches[0]!), ["also{} 2", "good_per_second{route=/é} 1"]);
    assert.equal(server.status().malformed, 1);
    assert.ok(
      log.some((l) => /1 malformed lines dropped: not valid UTF-8/.test(l)),
      log.join("\n"),
    );
  },
});

Deno.test("A StatsD tag name over 128 bytes drops its series alone: the rest of the flush passes the lake's check", () => {
  let t = 1_700_000_000_000;
  const agg = new StatsdAggregator({ host: "h", now: () => t });
  agg.packet(`ok:1|g\nlong:2|g|#${"k".repeat(300)}:v\nalso:3|g|#${"k".repeat(128)}:v`);
  t += 1000;
  const batch = agg.flush();
  // one long name used to make the lake refuse the whole flush, every other series with it
  const stored = checkIngestBatch(batch, { now: t });
  assert.deepEqual(batchRows(stored), [`also{${"k".repeat(128)}=v} 3`, "ok{} 1"]);
});

Deno.test("A StatsD listener on a non-loopback address warns that UDP carries no authentication", async () => {
  const log: string[] = [];
  const server = await StatsdServer.listen({
    listen: "0.0.0.0:0",
    host: "h",
    sink: () => {},
    log: (l) => void log.push(l),
  });
  await server.close();
  assert.equal(log.length, 1);
  assert.match(log[0]!, /^WARNING: statsd listens on 0\.0\.0\.0:0 without authentication/);
});
