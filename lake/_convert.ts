/**
 * Private: DuckDB values to plain JS values for `Lake.query()`.
 *
 * @module
 */

import { displayConverter, type DuckDBApi } from "./_display.ts";
import type {
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBTimestampMillisecondsValue,
  DuckDBTimestampNanosecondsValue,
  DuckDBTimestampSecondsValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  DuckDBValueConverter,
  JS,
} from "@duckdb/node-api";

export type { DuckDBApi };

/** The value converters of `Lake.query()` and `Lake.table()`. */
export interface Converters {
  plain: DuckDBValueConverter<unknown>;
  display: DuckDBValueConverter<unknown>;
}

/**
 * Converts: integers (BIGINT, HUGEINT…) → number; timestamps → ms since the epoch (number);
 * DATE → `YYYY-MM-DD` string; DECIMAL → number; everything else as the driver's JS converter
 * (strings, booleans, arrays, objects). SQL NULL → null.
 */
export function converters(api: DuckDBApi): Converters {
  const { DuckDBTypeId, JSDuckDBValueConverter } = api;
  const plainConverter: DuckDBValueConverter<unknown> = (value, type, converter) => {
    if (value === null || value === undefined) return null;
    switch (type.typeId) {
      case DuckDBTypeId.BIGINT:
      case DuckDBTypeId.UBIGINT:
      case DuckDBTypeId.HUGEINT:
      case DuckDBTypeId.UHUGEINT:
      case DuckDBTypeId.BIGNUM:
        return Number(value as bigint);
      case DuckDBTypeId.TIMESTAMP:
      case DuckDBTypeId.TIMESTAMP_TZ:
        return Number((value as DuckDBTimestampValue | DuckDBTimestampTZValue).micros) / 1000;
      case DuckDBTypeId.TIMESTAMP_MS:
        return Number((value as DuckDBTimestampMillisecondsValue).millis);
      case DuckDBTypeId.TIMESTAMP_S:
        return Number((value as DuckDBTimestampSecondsValue).seconds) * 1000;
      case DuckDBTypeId.TIMESTAMP_NS:
        return Number((value as DuckDBTimestampNanosecondsValue).nanos) / 1e6;
      case DuckDBTypeId.DATE:
        return new Date((value as DuckDBDateValue).days * 86_400_000).toISOString().slice(0, 10);
      case DuckDBTypeId.DECIMAL:
        return (value as DuckDBDecimalValue).toDouble();
      default:
        return JSDuckDBValueConverter(
          value,
          type,
          converter as unknown as DuckDBValueConverter<JS>,
        );
    }
  };

  // JSON-safe values for display: see _display.ts
  const display = displayConverter(api);
  const displayValue: DuckDBValueConverter<unknown> = (value, type) => display(value, type);
  return { plain: plainConverter, display: displayValue };
}
