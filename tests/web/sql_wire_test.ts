import assert from "node:assert/strict";
import { requestBytes, RequestReader } from "../../web/_sql_wire.ts";
import type { ChildRequest } from "../../web/_sql_child.ts";

/** A stream of `bytes` cut into pieces of `size` bytes (a pipe hands over any split). */
function stream(bytes: Uint8Array, size: number): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(at, at += size));
    },
  });
}

function joined(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) out.set(p, at), at += p.length;
  return out;
}

const withRows: ChildRequest = {
  sql: "SELECT 1",
  format: "csv",
  files: { samples: ["/a/b.parquet"] },
  buffered: {
    ts: [1e12, 1e12 + 1000, -5],
    value: [0.5, 2.25, -1e300],
    series: [0, 1, 1],
    host: ["h", "é"],
    metric: ["m", "m\n2"],
    labels: ["", "a=1"],
    date: ["2001-09-09", "2001-09-09"],
  },
};

Deno.test("requests round-trip as bytes and as JSON, whatever the pipe's chunks", async () => {
  const plain: ChildRequest = { sql: "SELECT 'x\u2028'", format: "json" };
  for (const json of [false, true]) {
    const bytes = joined([
      ...requestBytes(withRows, json),
      ...requestBytes(plain, json),
      ...requestBytes(withRows, json),
    ]);
    for (const size of [1, 7, 64, bytes.length]) {
      const reader = new RequestReader(stream(bytes, size));
      for (const want of [withRows, plain, withRows]) {
        const got = await reader.next();
        assert.ok(got);
        const { buffered, ...rest } = got;
        const { buffered: wanted, ...wantRest } = want;
        assert.deepEqual(rest, wantRest);
        if (wanted === undefined) assert.equal(buffered, undefined);
        else {
          assert.ok(buffered);
          for (const c of ["ts", "value", "series"] as const) {
            assert.deepEqual(
              Array.from(buffered[c]),
              wanted[c],
              `${c}, chunks of ${size}, json ${json}`,
            );
          }
          assert.deepEqual([buffered.host, buffered.labels], [wanted.host, wanted.labels]);
        }
      }
      assert.equal(await reader.next(), undefined);
    }
  }
  // as bytes, 20 a row after the line; an empty buffer sends no rows
  assert.equal(requestBytes(withRows)[1]!.length, 60);
  assert.equal(
    requestBytes({ ...withRows, buffered: { ...withRows.buffered!, ts: [] } }).length,
    1,
  );
});

Deno.test("a request cut short is an error, not a request", async () => {
  const bytes = joined(requestBytes(withRows));
  await assert.rejects(new RequestReader(stream(bytes.subarray(0, bytes.length - 3), 5)).next(), {
    message: "Request cut short",
  });
  await assert.rejects(new RequestReader(stream(bytes.subarray(0, 10), 5)).next(), {
    message: "Request cut short",
  });
});
