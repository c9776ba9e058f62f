/**
 * Checks an OTLP/JSON request against the message types before protobufjs converts it.
 * `Type.fromObject` takes any object for a message (`[]` included) and coerces scalars (`"x"`
 * for a double became `null`, `"abc"` for a timestamp became 0), so a body of nested arrays or
 * wrong types was answered 200 with nothing stored, or stored at the wrong time.
 *
 * The rules are the proto3 JSON mapping's, as OTLP/JSON uses it: unknown keys are ignored (OTLP
 * asks receivers to), proto field names (`time_unix_nano`) are read as their JSON names (renamed
 * in place), `null` is a field's default, 64-bit integers come as numbers or decimal
 * strings, doubles as numbers or numeric strings (`"NaN"`, `"Infinity"`, `"-Infinity"`
 * included), and at most one member of a `oneof` is set.
 *
 * @module
 */
import protobuf from "protobufjs";
import { escapeControls } from "../format/escape_controls.js";

/** Deepest message nesting read: protobufjs' own limit when it decodes or converts (protoc's). */
const MAX_DEPTH = 100;

const INT32 = new Set(["int32", "sint32", "sfixed32"]);
const UINT32 = new Set(["uint32", "fixed32"]);
const INT64 = new Set(["int64", "sint64", "sfixed64"]);
const UINT64 = new Set(["uint64", "fixed64"]);

/**
 * Throws unless `value` is a well-formed JSON encoding of `type`.
 *
 * @param value The parsed JSON; keys given as proto field names are renamed to JSON names in it.
 * @param type The message type (resolved).
 * @throws {RangeError} Naming the first field that is wrong, e.g.
 * `resourceMetrics[0]: expected an object, got an array`.
 */
export function checkOtlpJson(value: unknown, type: protobuf.Type): void {
  try {
    checkMessage(value, type, 0);
  } catch (error) {
    if (!(error instanceof FieldError)) throw error;
    const path = error.path.join("").replace(/^\./, "");
    // a path 100 messages deep is 5 KB: its two ends say where it is
    const shown = path.length > 240 ? `${path.slice(0, 100)}…${path.slice(-120)}` : path;
    throw new RangeError(`${shown || "body"}: ${error.message}`);
  }
}

/** A problem at a place in the request; the path is put together on the way out only (building
 * it for each value cost more than the checks). */
class FieldError extends Error {
  /** `.key` and `[i]` steps from the request down to the wrong value. */
  readonly path: string[] = [];
}

function kind(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  // JSON quoting keeps C1 (U+009B is a terminal's CSI): escaped like the C0 it escapes
  if (typeof v === "string") return `the string ${escapeControls(JSON.stringify(v).slice(0, 40))}`;
  if (typeof v === "number") return `the number ${v}`;
  return typeof v === "object" ? "an object" : `a ${typeof v}`;
}

function wrong(expected: string, v: unknown): FieldError {
  return new FieldError(`expected ${expected}, got ${kind(v)}`);
}

function checkMessage(value: unknown, type: protobuf.Type, depth: number): void {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw wrong(`an object (${type.name})`, value);
  }
  if (depth > MAX_DEPTH) throw new FieldError(`nested deeper than ${MAX_DEPTH} messages`);
  renameProtoNames(value as Record<string, unknown>, type);
  let oneofs: Map<string, string> | undefined;
  for (const key in value) {
    // own keys only: "constructor" or "__proto__" are not fields
    const field = Object.hasOwn(type.fields, key) ? type.fields[key] : undefined;
    const v = (value as Record<string, unknown>)[key];
    // unknown keys are ignored, as OTLP asks; null is the field's default
    if (field === undefined || v === null) continue;
    if (field.partOf) {
      const other = (oneofs ??= new Map()).get(field.partOf.name);
      if (other !== undefined) {
        const error = new FieldError(`only one of ${other} and ${key} may be set`);
        error.path.push(`.${key}`);
        throw error;
      }
      oneofs.set(field.partOf.name, key);
    }
    const resolved = field.resolve().resolvedType;
    const message = resolved instanceof protobuf.Type ? resolved : undefined;
    let i = -1;
    try {
      if (!field.repeated) checkValue(v, field, message, depth);
      else if (!Array.isArray(v)) throw wrong("an array", v);
      else for (i = 0; i < v.length; i++) checkValue(v[i], field, message, depth);
    } catch (error) {
      if (error instanceof FieldError) error.path.unshift(`.${key}`, ...(i >= 0 ? [`[${i}]`] : []));
      throw error;
    }
  }
}

/** Each message type's fields by their proto names (`resource_metrics`), where those differ. */
const protoNames = new WeakMap<protobuf.Type, Map<string, string>>();

/**
 * Renames keys given as proto field names (`resource_metrics`, `time_unix_nano`) to the JSON
 * names protobufjs reads: the proto3 JSON mapping has parsers accept both, where protobufjs
 * ignored these keys as unknown (200 `{}` with nothing stored).
 */
function renameProtoNames(value: Record<string, unknown>, type: protobuf.Type): void {
  let names = protoNames.get(type);
  if (!names) {
    names = new Map();
    for (const name of Object.keys(type.fields)) {
      const proto = name.replace(/[A-Z]/g, (ch) => `_${ch.toLowerCase()}`);
      if (proto !== name) names.set(proto, name);
    }
    protoNames.set(type, names);
  }
  if (names.size === 0) return;
  for (const key of Object.keys(value)) {
    const name = names.get(key);
    // given both ways, the JSON name wins and the other is an unknown key
    if (name === undefined || Object.hasOwn(value, name)) continue;
    value[name] = value[key];
    delete value[key];
  }
}

const NUMBER = /^(NaN|-?Infinity|[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?)$/;
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

function checkValue(
  v: unknown,
  field: protobuf.Field,
  message: protobuf.Type | undefined,
  depth: number,
): void {
  if (message) return checkMessage(v, message, depth + 1);
  const t = field.type;
  if (t === "string") {
    if (typeof v !== "string") throw wrong("a string", v);
  } else if (t === "double" || t === "float") {
    if (typeof v !== "number" && (typeof v !== "string" || !NUMBER.test(v))) {
      throw wrong("a number", v);
    }
  } else if (t === "bool") {
    if (typeof v !== "boolean") throw wrong("true or false", v);
  } else if (t === "bytes") {
    if (typeof v !== "string" || !BASE64.test(v)) throw wrong("base64 bytes", v);
  } else if (INT32.has(t) || UINT32.has(t)) {
    checkInteger(v, 32, UINT32.has(t));
  } else if (INT64.has(t) || UINT64.has(t)) {
    checkInteger(v, 64, UINT64.has(t));
  }
}

function checkInteger(v: unknown, bits: 32 | 64, unsigned: boolean): void {
  const what = `${unsigned ? "a non-negative" : "an"} integer of ${bits} bits`;
  // the common case without a BigInt: a safe integer in range
  if (typeof v === "number" && Number.isSafeInteger(v)) {
    if (unsigned ? v >= 0 && (bits === 64 || v < 2 ** 32) : bits === 64 || v === (v | 0)) return;
    throw wrong(what, v);
  }
  let n: bigint;
  if (typeof v === "number" && Number.isInteger(v)) n = BigInt(v);
  else if (typeof v === "string" && /^-?\d{1,20}$/.test(v)) n = BigInt(v);
  else throw wrong(what, v);
  const min = unsigned ? 0n : -(1n << BigInt(bits - 1));
  const max = unsigned ? (1n << BigInt(bits)) - 1n : (1n << BigInt(bits - 1)) - 1n;
  if (n < min || n > max) throw wrong(what, v);
}
