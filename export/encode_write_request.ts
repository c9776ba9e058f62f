/**
 * The body of a Prometheus remote write 1.0 request: a `prometheus.WriteRequest` protobuf message
 * compressed with Snappy's block format. The protobuf is written with `pbf` and compressed with
 * `snappyjs` (pure JavaScript: no native module, so `deno compile` and `--lite-mode` work). The
 * sender uses `WriteRequestEncoder` (write_request_encoder.ts) instead (7× less CPU interpreted); this library path
 * is its reference in the benchmark, its fallback for times it does not take, and the decoder of
 * the tests.
 *
 * @module
 */

import { PbfReader, PbfWriter } from "pbf";
// @ts-types="./_snappyjs.d.ts"
import { compress, uncompress } from "snappyjs";

/** One series of a request: its labels (`__name__` among them) and its samples. */
export interface WriteSeries {
  /** Label pairs `[name, value]`, sorted by name (remote write requires it). */
  labels: readonly (readonly [string, string])[];
  /** Sample times, ms since the epoch, ascending. */
  ts: readonly number[];
  /** Sample values, one per time. */
  values: readonly number[];
}

// Field numbers of prometheus/prompb/types.proto and remote.proto (remote write 1.0).
const WRITE_REQUEST_TIMESERIES = 1;
const TIMESERIES_LABELS = 1;
const TIMESERIES_SAMPLES = 2;
const LABEL_NAME = 1;
const LABEL_VALUE = 2;
const SAMPLE_VALUE = 1;
const SAMPLE_TIMESTAMP = 2;

function writeLabel(pair: readonly [string, string], pbf: PbfWriter): void {
  pbf.writeStringField(LABEL_NAME, pair[0]);
  pbf.writeStringField(LABEL_VALUE, pair[1]);
}

function writeSample(at: { s: WriteSeries; i: number }, pbf: PbfWriter): void {
  pbf.writeDoubleField(SAMPLE_VALUE, at.s.values[at.i]!);
  pbf.writeVarintField(SAMPLE_TIMESTAMP, at.s.ts[at.i]!);
}

function writeSeries(s: WriteSeries, pbf: PbfWriter): void {
  for (const pair of s.labels) pbf.writeMessage(TIMESERIES_LABELS, writeLabel, pair);
  const at = { s, i: 0 };
  for (; at.i < s.ts.length; at.i++) pbf.writeMessage(TIMESERIES_SAMPLES, writeSample, at);
}

/**
 * Encodes series as a remote write 1.0 request body (protobuf, then Snappy).
 *
 * @param series The series.
 * @returns The compressed body.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeWriteRequest, encodeWriteRequest } from "./encode_write_request.ts";
 * const series = [{ labels: [["__name__", "up"], ["host", "h"]] as [string, string][], ts: [1000], values: [1] }];
 * assert.deepEqual(decodeWriteRequest(encodeWriteRequest(series)), series);
 * ```
 */
export function encodeWriteRequest(series: readonly WriteSeries[]): Uint8Array {
  const pbf = new PbfWriter();
  for (const s of series) pbf.writeMessage(WRITE_REQUEST_TIMESERIES, writeSeries, s);
  return compress(pbf.finish());
}

/**
 * Decodes a remote write 1.0 request body (Snappy, then protobuf): the inverse of
 * {@linkcode encodeWriteRequest}, for test receivers and checks.
 *
 * @param body The compressed body.
 * @returns The series.
 * @throws {Error} If the body is not Snappy-compressed protobuf.
 */
export function decodeWriteRequest(body: Uint8Array): WriteSeries[] {
  return new PbfReader(uncompress(body)).readFields(readRequest, []);
}

interface Decoded {
  labels: [string, string][];
  ts: number[];
  values: number[];
}

function readRequest(tag: number, out: WriteSeries[], pbf: PbfReader): void {
  if (tag === WRITE_REQUEST_TIMESERIES) {
    out.push(pbf.readMessage(readSeries, { labels: [], ts: [], values: [] } as Decoded));
  }
}

function readSeries(tag: number, s: Decoded, pbf: PbfReader): void {
  if (tag === TIMESERIES_LABELS) {
    s.labels.push(pbf.readMessage(readLabel, ["", ""] as [string, string]));
  } else if (tag === TIMESERIES_SAMPLES) {
    const sample = pbf.readMessage(readSample, { value: 0, ts: 0 });
    s.values.push(sample.value);
    s.ts.push(sample.ts);
  }
}

function readLabel(tag: number, pair: [string, string], pbf: PbfReader): void {
  if (tag === LABEL_NAME) pair[0] = pbf.readString();
  else if (tag === LABEL_VALUE) pair[1] = pbf.readString();
}

function readSample(tag: number, s: { value: number; ts: number }, pbf: PbfReader): void {
  if (tag === SAMPLE_VALUE) s.value = pbf.readDouble();
  else if (tag === SAMPLE_TIMESTAMP) s.ts = pbf.readVarint(true);
}
