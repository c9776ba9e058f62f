/**
 * Test helpers: the official OpenTelemetry JS SDK set up to push to a real `serve` only when a
 * test says so.
 *
 * @module
 */
// deno-lint-ignore no-import-prefix
import * as sdk from "npm:@opentelemetry/sdk-metrics@3.1.1";
// deno-lint-ignore no-import-prefix
import { resourceFromAttributes } from "npm:@opentelemetry/resources@3.1.1";

/**
 * Where and how an OTLP/HTTP exporter sends to the serve at `base`.
 *
 * @param base The serve's base URL.
 * @param token The bearer token it asks for.
 * @returns The exporter's `url` and `headers` options.
 */
export function exportTo(
  base: URL,
  token: string,
): { url: string; headers: Record<string, string> } {
  return { url: new URL("v1/metrics", base).href, headers: { Authorization: `Bearer ${token}` } };
}

/**
 * A meter provider for `service` whose reader exports through `exporter` only when flushed (or
 * shut down): its interval is an hour.
 *
 * @param exporter Where the reader exports.
 * @param service The resource's `service.name`.
 * @param views The provider's views. Default none.
 * @returns The reader (to flush) and the provider (to get meters from and shut down).
 */
export function flushedMeters(
  exporter: sdk.PushMetricExporter,
  service: string,
  views: sdk.ViewOptions[] = [],
): { reader: sdk.PeriodicExportingMetricReader; provider: sdk.MeterProvider } {
  const reader = new sdk.PeriodicExportingMetricReader({
    exporter,
    exportIntervalMillis: 3_600_000,
  });
  const provider = new sdk.MeterProvider({
    resource: resourceFromAttributes({ "service.name": service }),
    readers: [reader],
    views,
  });
  return { reader, provider };
}
