/**
 * Private: DuckDB values to JSON-safe values for display (`Lake.table()`, `deno task query`).
 * Every DuckDB type comes out as a string, a number, a boolean, null, an array or an object,
 * so JSON, CSV and table output never meet a `bigint` or a byte buffer.
 *
 * @module
 */

import type {
  DuckDBArrayType,
  DuckDBArrayValue,
  DuckDBBlobValue,
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBIntervalValue,
  DuckDBListType,
  DuckDBListValue,
  DuckDBMapType,
  DuckDBMapValue,
  DuckDBStructType,
  DuckDBStructValue,
  DuckDBTimestampMillisecondsValue,
  DuckDBTimestampNanosecondsValue,
  DuckDBTimestampSecondsValue,
  DuckDBTimestampValue,
  DuckDBType,
  DuckDBUnionType,
  DuckDBUnionValue,
  DuckDBValue,
} from "@duckdb/node-api";

/** The DuckDB module, loaded lazily so that importing the lake does not load DuckDB. */
export type DuckDBApi = typeof import("@duckdb/node-api");

/** A value that `JSON.stringify` writes without loss (non-finite numbers aside). */
export type Display = string | number | boolean | null | Display[] | { [k: string]: Display };

/**
 * Makes the display conversion:
 * - integers → number when exact (|n| ≤ 2^53), else their exact digits as a string;
 * - DECIMAL → number up to 15 digits, else its exact text; FLOAT/DOUBLE → number (NaN, ±Infinity
 *   kept);
 * - timestamps → ISO 8601 in UTC (`…Z`); DATE → `YYYY-MM-DD`; infinite or out-of-range ones and
 *   TIME/TIMETZ → DuckDB's text;
 * - INTERVAL → ISO 8601 duration (`P1Y2M3DT4H5M6.5S`, `PT0S`; negative parts signed);
 * - BLOB and GEOMETRY → lowercase hex with a `0x` prefix; BIT → `0`/`1` text;
 * - UUID, ENUM, VARCHAR → string; LIST/ARRAY → array; STRUCT → object; MAP → object keyed by
 *   the key's text; UNION → its member's value; NULL → null.
 */
export function displayConverter(
  api: DuckDBApi,
): (value: DuckDBValue, type: DuckDBType) => Display {
  const T = api.DuckDBTypeId;
  function display(value: DuckDBValue, type: DuckDBType): Display {
    if (value === null || value === undefined) return null;
    switch (type.typeId) {
      case T.BOOLEAN:
        return value as boolean;
      case T.TINYINT:
      case T.SMALLINT:
      case T.INTEGER:
      case T.UTINYINT:
      case T.USMALLINT:
      case T.UINTEGER:
      case T.FLOAT:
      case T.DOUBLE:
        return value as number;
      case T.BIGINT:
      case T.UBIGINT:
      case T.HUGEINT:
      case T.UHUGEINT:
      case T.BIGNUM: {
        const n = value as bigint;
        return n <= 9007199254740992n && n >= -9007199254740992n ? Number(n) : n.toString();
      }
      case T.DECIMAL: {
        const d = value as DuckDBDecimalValue;
        return d.width <= 15 ? d.toDouble() : d.toString();
      }
      case T.TIMESTAMP:
      case T.TIMESTAMP_TZ:
        return iso(Number((value as DuckDBTimestampValue).micros) / 1000, value);
      case T.TIMESTAMP_MS:
        return iso(Number((value as DuckDBTimestampMillisecondsValue).millis), value);
      case T.TIMESTAMP_S:
        return iso(Number((value as DuckDBTimestampSecondsValue).seconds) * 1000, value);
      case T.TIMESTAMP_NS:
        return iso(Number((value as DuckDBTimestampNanosecondsValue).nanos) / 1e6, value);
      case T.DATE: {
        const days = (value as DuckDBDateValue).days;
        if (Math.abs(days) === 2147483647) return days > 0 ? "infinity" : "-infinity";
        const text = iso(days * 86_400_000, value);
        return /^\d{4}-\d\d-\d\dT00:00:00\.000Z$/.test(text) ? text.slice(0, 10) : text;
      }
      case T.INTERVAL:
        return isoDuration(value as DuckDBIntervalValue);
      case T.BLOB:
      case T.GEOMETRY:
        return hex((value as DuckDBBlobValue).bytes);
      case T.LIST:
      case T.ARRAY: {
        const inner = (type as DuckDBListType | DuckDBArrayType).valueType;
        return (value as DuckDBListValue | DuckDBArrayValue).items.map((v) => display(v, inner));
      }
      case T.STRUCT: {
        const t = type as DuckDBStructType;
        const entries = (value as DuckDBStructValue).entries;
        return Object.fromEntries(
          t.entryNames.map((name, i) => [name, display(entries[name] ?? null, t.entryTypes[i]!)]),
        );
      }
      case T.MAP: {
        const t = type as DuckDBMapType;
        const out: Record<string, Display> = {};
        for (const { key, value: v } of (value as DuckDBMapValue).entries) {
          const k = display(key, t.keyType);
          out[typeof k === "object" ? JSON.stringify(k) : String(k)] = display(v, t.valueType);
        }
        return out;
      }
      case T.UNION: {
        const t = type as DuckDBUnionType;
        const u = value as DuckDBUnionValue;
        return display(u.value, t.memberTypes[t.tagMemberIndexes[u.tag]!]!);
      }
      case T.SQLNULL:
        return null;
      default: // VARCHAR, UUID, ENUM, BIT, TIME, TIME_TZ, TIME_NS, VARIANT: DuckDB's text
        return typeof value === "string" ? value : String(value);
    }
  }
  return display;
}

/** ISO 8601 in UTC, or DuckDB's own text (`infinity`, years past 275760). */
function iso(ms: number, value: DuckDBValue): string {
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15
    ? new Date(ms).toISOString()
    : String(value);
}

function hex(bytes: Uint8Array): string {
  let out = "0x";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out;
}

/** An INTERVAL (months, days, microseconds) as an ISO 8601 duration. */
function isoDuration(v: DuckDBIntervalValue): string {
  const years = Math.trunc(v.months / 12);
  const months = v.months % 12;
  const sign = v.micros < 0n ? "-" : "";
  let us = v.micros < 0n ? -v.micros : v.micros;
  const hours = us / 3_600_000_000n;
  us %= 3_600_000_000n;
  const minutes = us / 60_000_000n;
  us %= 60_000_000n;
  const seconds = `${us / 1_000_000n}${
    us % 1_000_000n ? "." + String(us % 1_000_000n).padStart(6, "0").replace(/0+$/, "") : ""
  }`;
  let date = "";
  if (years) date += `${years}Y`;
  if (months) date += `${months}M`;
  if (v.days) date += `${v.days}D`;
  let time = "";
  if (hours) time += `${sign}${hours}H`;
  if (minutes) time += `${sign}${minutes}M`;
  if (seconds !== "0") time += `${sign}${seconds}S`;
  if (!date && !time) return "PT0S";
  return `P${date}${time ? "T" + time : ""}`;
}
