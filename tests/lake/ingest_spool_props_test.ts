import assert from "node:assert/strict";
import fc from "fast-check";
import { IngestSegment, readIngestRecords, readIngestSegment } from "../../lake/ingest_spool.ts";
import { props } from "../_props.ts";

const utf8 = new TextDecoder();

/** Bodies as the writer appends them: any bytes, often text lines. */
const body = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 40 }),
  fc.string({ unit: "binary", minLength: 1, maxLength: 30 }).map((s) =>
    new TextEncoder().encode(s)
  ),
  fc.constantFrom(new TextEncoder().encode("#3\n{}\n"), new Uint8Array([10]), new Uint8Array([35])),
);

/** What replay gives back for a body: its text, with the final newline the writer adds. */
function record(b: Uint8Array): string {
  return utf8.decode(b) + (b[b.length - 1] === 10 ? "" : "\n");
}

Deno.test("readIngestSegment() returns every appended record, and a prefix of them when cut", async () => {
  const dir = await Deno.makeTempDir({ prefix: "perfscope-props-" });
  try {
    let n = 0;
    fc.assert(
      fc.property(fc.array(body, { maxLength: 8 }), fc.nat(), (bodies, cut) => {
        const seg = new IngestSegment(dir, ++n);
        for (const b of bodies) seg.append(b);
        seg.close();
        const expected = bodies.map(record);
        assert.deepEqual(readIngestSegment(seg.path), expected);
        const bytes = Deno.readFileSync(seg.path);
        Deno.writeFileSync(seg.path, bytes.subarray(0, cut % (bytes.length + 1)));
        const got = readIngestSegment(seg.path);
        assert.deepEqual(got, expected.slice(0, got.length));
        Deno.removeSync(seg.path);
      }),
      props(100),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readIngestSegment() ends on arbitrary bytes with records that fit in the file", async () => {
  const dir = await Deno.makeTempDir({ prefix: "perfscope-props-" });
  const path = `${dir}/1.seg`;
  const headerish = fc.array(
    fc.oneof(
      fc.constantFrom("#", "\n", "-", "0", "1", "4", "9", "e", "x", " ", "#-4\n", "#0\n", "#1e1\n"),
      fc.string({ maxLength: 4 }),
    ),
    { maxLength: 12 },
  ).map((xs) => new TextEncoder().encode(xs.join("")));
  try {
    fc.assert(
      fc.property(fc.oneof(headerish, fc.uint8Array({ maxLength: 60 })), (bytes) => {
        Deno.writeFileSync(path, bytes);
        const records = readIngestSegment(path);
        // each record costs at least its "#" and newline: no record is read twice
        assert.ok(records.length <= bytes.length / 2, `${records.length} records`);
      }),
      props(250),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

// Regression found by the arbitrary-bytes property: a header with a negative size stepped back
// to the same record and read it forever (unbounded memory at replay).
Deno.test("readIngestSegment() stops at a header with a negative size", async () => {
  const dir = await Deno.makeTempDir({ prefix: "perfscope-props-" });
  try {
    Deno.writeFileSync(`${dir}/1.seg`, new TextEncoder().encode("#2\n{}#-4\n"));
    assert.deepEqual(readIngestSegment(`${dir}/1.seg`), ["{}"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** Bodies as the writer spools them after validation: JSON lines, none starting with "#". */
const jsonBody = fc.array(fc.jsonValue({ maxDepth: 2 }), { minLength: 1, maxLength: 4 }).map((xs) =>
  new TextEncoder().encode(xs.map((x) => JSON.stringify(x)).join("\n") + "\n")
);

Deno.test("readIngestRecords() tells a torn last record from a damaged size in the middle", async () => {
  const dir = await Deno.makeTempDir({ prefix: "perfscope-props-" });
  try {
    let n = 0;
    fc.assert(
      fc.property(
        fc.array(jsonBody, { minLength: 2, maxLength: 6 }),
        fc.nat(),
        fc.nat(),
        (bodies, cut, pick) => {
          const seg = new IngestSegment(dir, ++n);
          for (const b of bodies) seg.append(b);
          seg.close();
          const bytes = Deno.readFileSync(seg.path);
          // cut anywhere: a torn record, never damage
          Deno.writeFileSync(seg.path, bytes.subarray(0, cut % (bytes.length + 1)));
          assert.equal(readIngestRecords(seg.path).undecoded, 0);
          // one size (not the last) grown past the end of the file: damage, counted from there
          const k = pick % (bodies.length - 1);
          const starts: number[] = [];
          for (let at = 0, i = 0; i < bodies.length; i++) {
            starts.push(at);
            at += `#${bodies[i]!.length}\n`.length + bodies[i]!.length;
          }
          const text = new TextDecoder().decode(bytes);
          const at = starts[k]!;
          const damaged = text.slice(0, at) + `#${bytes.length}` +
            text.slice(text.indexOf("\n", at));
          Deno.writeTextFileSync(seg.path, damaged);
          const got = readIngestRecords(seg.path);
          assert.equal(got.records.length, k);
          assert.equal(got.undecoded, new TextEncoder().encode(damaged).length - at);
          Deno.removeSync(seg.path);
        },
      ),
      props(100),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
