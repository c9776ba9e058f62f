/**
 * Decodes OTLP/HTTP metrics requests (`ExportMetricsServiceRequest`), protobuf or JSON, with
 * protobufjs over the parts of the OTLP v1 schema the receiver reads (metrics, resource and
 * common; exemplars and other fields are skipped as unknown fields). Both encodings come out as
 * the same plain objects, 64-bit integers as numbers (timestamps in ns lose sub-microsecond
 * precision, which ms storage drops anyway).
 *
 * @module
 */
import protobuf from "protobufjs";
import { checkOtlpJson } from "./_check_otlp_json.ts";

// The OTLP v1 messages the receiver reads, field numbers as in opentelemetry-proto
// (opentelemetry/proto/{common,resource,metrics,collector/metrics}/v1).
const SCHEMA = `
syntax = "proto3";
package otlp;
message AnyValue {
  oneof value {
    string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4;
    ArrayValue array_value = 5; KeyValueList kvlist_value = 6; bytes bytes_value = 7;
  }
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
message KeyValue { string key = 1; AnyValue value = 2; }
message Resource { repeated KeyValue attributes = 1; }
message InstrumentationScope { string name = 1; string version = 2; }
message ExportMetricsServiceRequest { repeated ResourceMetrics resource_metrics = 1; }
message ExportMetricsPartialSuccess { int64 rejected_data_points = 1; string error_message = 2; }
message ExportMetricsServiceResponse { ExportMetricsPartialSuccess partial_success = 1; }
message Status { int32 code = 1; string message = 2; }
message ResourceMetrics { Resource resource = 1; repeated ScopeMetrics scope_metrics = 2; }
message ScopeMetrics { InstrumentationScope scope = 1; repeated Metric metrics = 2; }
message Metric {
  string name = 1; string description = 2; string unit = 3;
  oneof data {
    Gauge gauge = 5; Sum sum = 7; Histogram histogram = 9;
    ExponentialHistogram exponential_histogram = 10; Summary summary = 11;
  }
}
message Gauge { repeated NumberDataPoint data_points = 1; }
message Sum {
  repeated NumberDataPoint data_points = 1; int32 aggregation_temporality = 2; bool is_monotonic = 3;
}
message Histogram { repeated HistogramDataPoint data_points = 1; int32 aggregation_temporality = 2; }
message ExponentialHistogram {
  repeated ExponentialHistogramDataPoint data_points = 1; int32 aggregation_temporality = 2;
}
message Summary { repeated SummaryDataPoint data_points = 1; }
message NumberDataPoint {
  repeated KeyValue attributes = 7; fixed64 start_time_unix_nano = 2; fixed64 time_unix_nano = 3;
  oneof value { double as_double = 4; sfixed64 as_int = 6; }
}
message HistogramDataPoint {
  repeated KeyValue attributes = 9; fixed64 start_time_unix_nano = 2; fixed64 time_unix_nano = 3;
  fixed64 count = 4; optional double sum = 5; repeated fixed64 bucket_counts = 6;
  repeated double explicit_bounds = 7;
}
message Buckets { sint32 offset = 1; repeated uint64 bucket_counts = 2; }
message ExponentialHistogramDataPoint {
  repeated KeyValue attributes = 1; fixed64 start_time_unix_nano = 2; fixed64 time_unix_nano = 3;
  fixed64 count = 4; optional double sum = 5; sint32 scale = 6; fixed64 zero_count = 7;
  Buckets positive = 8; Buckets negative = 9; double zero_threshold = 14;
}
message ValueAtQuantile { double quantile = 1; double value = 2; }
message SummaryDataPoint {
  repeated KeyValue attributes = 7; fixed64 start_time_unix_nano = 2; fixed64 time_unix_nano = 3;
  fixed64 count = 4; double sum = 5; repeated ValueAtQuantile quantile_values = 6;
}
`;

/** An OTLP attribute value. */
export interface OtlpAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: number;
  doubleValue?: number;
  arrayValue?: { values?: OtlpAnyValue[] };
  kvlistValue?: { values?: OtlpKeyValue[] };
  bytesValue?: string;
}
/** An OTLP attribute. */
export interface OtlpKeyValue {
  key: string;
  value?: OtlpAnyValue;
}
interface Point {
  attributes?: OtlpKeyValue[];
  startTimeUnixNano?: number;
  timeUnixNano?: number;
}
/** A gauge or sum data point. */
export interface OtlpNumberPoint extends Point {
  asDouble?: number;
  asInt?: number;
}
/** An explicit-bucket histogram data point. */
export interface OtlpHistogramPoint extends Point {
  count?: number;
  sum?: number;
  bucketCounts?: number[];
  explicitBounds?: number[];
}
/** An exponential histogram data point. */
export interface OtlpExpHistogramPoint extends Point {
  count?: number;
  sum?: number;
  scale?: number;
  zeroCount?: number;
  zeroThreshold?: number;
  positive?: { offset?: number; bucketCounts?: number[] };
  negative?: { offset?: number; bucketCounts?: number[] };
}
/** A summary data point. */
export interface OtlpSummaryPoint extends Point {
  count?: number;
  sum?: number;
  quantileValues?: { quantile?: number; value?: number }[];
}
/** One metric of a request. */
export interface OtlpMetric {
  name: string;
  description?: string;
  unit?: string;
  gauge?: { dataPoints?: OtlpNumberPoint[] };
  sum?: { dataPoints?: OtlpNumberPoint[]; aggregationTemporality?: number; isMonotonic?: boolean };
  histogram?: { dataPoints?: OtlpHistogramPoint[]; aggregationTemporality?: number };
  exponentialHistogram?: { dataPoints?: OtlpExpHistogramPoint[]; aggregationTemporality?: number };
  summary?: { dataPoints?: OtlpSummaryPoint[] };
}
/** A decoded `ExportMetricsServiceRequest`. */
export interface OtlpMetricsRequest {
  resourceMetrics?: {
    resource?: { attributes?: OtlpKeyValue[] };
    scopeMetrics?: { scope?: { name?: string }; metrics?: OtlpMetric[] }[];
  }[];
}

let types: { request: protobuf.Type; response: protobuf.Type; status: protobuf.Type } | undefined;
function schema() {
  if (!types) {
    const { root } = protobuf.parse(SCHEMA);
    types = {
      request: root.lookupType("otlp.ExportMetricsServiceRequest"),
      response: root.lookupType("otlp.ExportMetricsServiceResponse"),
      status: root.lookupType("otlp.Status"),
    };
  }
  return types;
}

const TO_OBJECT: protobuf.IConversionOptions = { longs: Number, enums: Number, bytes: String };

/**
 * Decodes a request body.
 *
 * @param body The body.
 * @param encoding `protobuf` (`application/x-protobuf`) or `json` (`application/json`).
 * @returns The request as plain objects.
 * @throws {RangeError} If the body is not a valid request in that encoding (`Invalid OTLP …`).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeOtlpMetrics } from "./otlp_decode.ts";
 * const body = new TextEncoder().encode('{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"m","gauge":{"dataPoints":[{"asDouble":2,"timeUnixNano":"1"}]}}]}]}]}');
 * const req = decodeOtlpMetrics(body, "json");
 * assert.equal(req.resourceMetrics?.[0]?.scopeMetrics?.[0]?.metrics?.[0]?.gauge?.dataPoints?.[0]?.asDouble, 2);
 * assert.throws(() => decodeOtlpMetrics(new Uint8Array([0x0a, 0xff]), "protobuf"), /Invalid OTLP protobuf/);
 * ```
 */
export function decodeOtlpMetrics(
  body: Uint8Array,
  encoding: "protobuf" | "json",
): OtlpMetricsRequest {
  const { request } = schema();
  if (encoding === "protobuf") {
    try {
      return request.toObject(request.decode(body), TO_OBJECT) as OtlpMetricsRequest;
    } catch (error) {
      // protobufjs checks proto3 strings with a fatal TextDecoder, whose message names no field
      const why = error instanceof TypeError && /encoded data/i.test(error.message)
        ? "a string field is not valid UTF-8"
        : (error as Error).message;
      throw new RangeError(`Invalid OTLP protobuf: ${why}`, { cause: error });
    }
  }
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body));
  } catch (error) {
    // the decoder's own message ("The encoded data is not valid") names no encoding
    const why = error instanceof SyntaxError ? error.message : "the body is not UTF-8 text";
    throw new RangeError(`Invalid OTLP JSON: ${why}`, { cause: error });
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new RangeError("Invalid OTLP JSON: expected an ExportMetricsServiceRequest object");
  }
  try {
    checkOtlpJson(json, request);
  } catch (error) {
    throw new RangeError(`Invalid OTLP JSON: ${(error as Error).message}`, { cause: error });
  }
  try {
    // fromObject takes the JSON mapping's lowerCamelCase names and 64-bit integers as strings
    return request.toObject(request.fromObject(json), TO_OBJECT) as OtlpMetricsRequest;
  } catch (error) {
    throw new RangeError(`Invalid OTLP JSON: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Encodes the answer to an export: empty when everything was accepted, else a partial success
 * naming the rejected points.
 *
 * @param encoding As the request.
 * @param rejected Data points rejected.
 * @param message Why.
 * @returns The body.
 */
export function encodeOtlpResponse(
  encoding: "protobuf" | "json",
  rejected = 0,
  message = "",
): Uint8Array<ArrayBuffer> {
  const value = rejected > 0 || message
    ? { partialSuccess: { rejectedDataPoints: rejected, errorMessage: message } }
    : {};
  if (encoding === "json") return new TextEncoder().encode(JSON.stringify(value));
  const { response } = schema();
  return new Uint8Array(response.encode(response.fromObject(value)).finish());
}

/**
 * Encodes a request given in the OTLP JSON mapping as protobuf (for tests, benchmarks and
 * clients that build requests by hand).
 *
 * @param request The request (lowerCamelCase names, 64-bit integers as numbers or strings).
 * @returns The protobuf bytes.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeOtlpMetrics, encodeOtlpRequest } from "./otlp_decode.ts";
 * const bytes = encodeOtlpRequest({ resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: "m" }] }] }] });
 * assert.equal(decodeOtlpMetrics(bytes, "protobuf").resourceMetrics?.[0]?.scopeMetrics?.[0]?.metrics?.[0]?.name, "m");
 * ```
 */
export function encodeOtlpRequest(request: unknown): Uint8Array<ArrayBuffer> {
  const { request: type } = schema();
  return new Uint8Array(type.encode(type.fromObject(request as Record<string, unknown>)).finish());
}

/**
 * Encodes the body of a failed export as OTLP asks: a `google.rpc.Status` (protobuf, or its JSON
 * mapping `{"code", "message"}`).
 *
 * @param encoding As the request.
 * @param code gRPC status code (3 invalid argument, 8 resource exhausted, 14 unavailable).
 * @param message What is wrong.
 * @returns The body.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeOtlpStatus, encodeOtlpStatus } from "./otlp_decode.ts";
 * assert.deepEqual(decodeOtlpStatus(encodeOtlpStatus("protobuf", 3, "Bad")), { code: 3, message: "Bad" });
 * ```
 */
export function encodeOtlpStatus(
  encoding: "protobuf" | "json",
  code: number,
  message: string,
): Uint8Array<ArrayBuffer> {
  if (encoding === "json") return new TextEncoder().encode(JSON.stringify({ code, message }));
  const { status } = schema();
  return new Uint8Array(status.encode(status.fromObject({ code, message })).finish());
}

/**
 * Decodes a protobuf `google.rpc.Status` (for clients and tests).
 *
 * @param body The bytes.
 * @returns Code and message.
 */
export function decodeOtlpStatus(body: Uint8Array): { code: number; message: string } {
  const { status } = schema();
  const o = status.toObject(status.decode(body), { defaults: true }) as {
    code: number;
    message: string;
  };
  return { code: o.code, message: o.message };
}
