/**
 * `deno task compact`: merge small Parquet files, build rollups, apply retention.
 *
 * @module
 */

import { compactLake } from "../lake/mod.ts";
import { existingLake, parseDuration, parseFlags, runMain, UsageError } from "./_args.ts";
import { commandConfig, CONFIG_FLAG, CONFIG_HELP } from "./_config.ts";

/** How far ahead of the clock `--now` may be: as far as ingest accepts samples ahead. */
const MAX_AHEAD_MS = 5 * 60_000;

const usage = `Usage: deno task compact [options]

Merges each partition's small Parquet files into one sorted file, builds the 1-minute and
1-hour rollups, and deletes date partitions older than the retention. Safe to interrupt.

Options:
  --data DIR        lake root (default data)
  --retention DUR   keep this much history (default 30d)
${CONFIG_HELP}
  --now ISO         pretend the time is this (for tests and replays)
  -h, --help        show this help`;

/**
 * Compacts the lake and prints a one-line summary.
 *
 * @param args Command-line arguments.
 * @returns Exit code 0.
 * @throws {UsageError} On bad flags.
 * @throws {LakeError} If compaction fails.
 */
export async function main(args: string[]): Promise<number> {
  const { values } = parseFlags(args, {
    data: { type: "string" },
    retention: { type: "string" },
    ...CONFIG_FLAG,
    now: { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const config = await commandConfig(values.config);
  const retentionMs = values.retention === undefined
    ? config.lake?.retention ?? 30 * 86_400_000
    : parseDuration(values.retention, "retention");
  const root = existingLake(values.data ?? config.data ?? "data");
  let now = Date.now();
  if (values.now !== undefined) {
    now = Date.parse(values.now);
    if (!Number.isFinite(now)) {
      throw new UsageError(`Invalid --now: ${values.now} (use an ISO date)`);
    }
    // retention deletes by --now: a time still to come would expire data the clock keeps
    const clock = Date.now();
    if (now > clock + MAX_AHEAD_MS) {
      throw new UsageError(
        `Invalid --now: ${values.now} is later than the clock (${
          new Date(clock).toISOString()
        }): retention would expire partitions by a time that has not come`,
      );
    }
  }
  const s = await compactLake({ root, retentionMs, now: () => now });
  const ratio = s.bytesBefore
    ? ` (${(s.bytesAfter / Math.max(1, s.rows)).toFixed(2)} bytes/sample, was ${
      (s.bytesBefore / Math.max(1, s.rows)).toFixed(2)
    })`
    : "";
  console.log(
    `Compacted ${s.partitions} partitions: ${s.filesMerged} files into ${s.partitions}, ${s.rows} rows${ratio}; ` +
      `expired ${s.partitionsExpired} partitions` +
      (s.quarantined ? `; moved ${s.quarantined} unreadable files to quarantine/` : ""),
  );
  return 0;
}

if (import.meta.main) runMain("compact", main);
