/**
 * `deno task compact`: merge small Parquet files, build rollups, apply retention.
 *
 * @module
 */

import { CompactionBusyError, compactLake } from "../lake/mod.ts";
import { existingLake, parseDuration, parseFlags, runMain, UsageError } from "./_args.ts";
import { commandConfig, CONFIG_FLAG, CONFIG_HELP } from "./_config.ts";
import { counted } from "./_counted.ts";

/** How far ahead of the clock `--now` may be: as far as ingest accepts samples ahead. */
const MAX_AHEAD_MS = 5 * 60_000;

/** Exit code when another compaction holds the lake (75, EX_TEMPFAIL of sysexits.h: try later). */
export const BUSY_EXIT_CODE = 75;

const usage = `Usage: deno task compact [options]

Merges each partition's small Parquet files into one sorted file, builds the 1-minute and
1-hour rollups, and deletes date partitions older than the retention. Safe to interrupt.
One compaction per lake at a time: while another runs (DATA/compact.lock names it), this one
does nothing and exits with code ${BUSY_EXIT_CODE}, or with 0 under --skip-if-busy.

Options:
  --data DIR        lake root (default data)
  --retention DUR   keep this much history (default 30d)
${CONFIG_HELP}
  --now ISO         pretend the time is this (for tests and replays)
  --skip-if-busy    if another compaction runs, print "Skipped: ..." and exit 0 (serve's runs)
  -h, --help        show this help`;

/**
 * Compacts the lake and prints a one-line summary.
 *
 * @param args Command-line arguments.
 * @returns Exit code 0, or {@linkcode BUSY_EXIT_CODE} if another compaction holds the lake.
 * @throws {UsageError} On bad flags.
 * @throws {LakeError} If compaction fails.
 */
export async function main(args: string[]): Promise<number> {
  const { values } = parseFlags(args, {
    data: { type: "string" },
    retention: { type: "string" },
    ...CONFIG_FLAG,
    now: { type: "string" },
    "skip-if-busy": { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const config = await commandConfig(values.config);
  const retentionMs = values.retention === undefined
    ? config.lake?.retention ?? 30 * 86_400_000
    : retentionFlag(values.retention);
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
  let s;
  try {
    s = await compactLake({
      root,
      retentionMs,
      now: () => now,
      lock: { command: values["skip-if-busy"] ? "compact --skip-if-busy" : "deno task compact" },
    });
  } catch (error) {
    if (!(error instanceof CompactionBusyError)) throw error;
    // a scheduled run skips its round (the next one catches up); a person is told and gets a
    // code of its own rather than a wait of unknown length for work the holder is doing anyway
    if (values["skip-if-busy"]) {
      console.log(`Skipped: ${error.message}`);
      return 0;
    }
    console.error(`perfscope compact: ${error.message}; nothing done`);
    return BUSY_EXIT_CODE;
  }
  const ratio = s.bytesBefore
    ? ` (${(s.bytesAfter / Math.max(1, s.rows)).toFixed(2)} bytes/sample, was ${
      (s.bytesBefore / Math.max(1, s.rows)).toFixed(2)
    })`
    : "";
  // the scheduler's first run on a new lake compacts one partition: "1 partitions" read wrong
  console.log(
    `Compacted ${counted(s.partitions, "partition")}: ${counted(s.filesMerged, "file")} into ${
      s.partitions.toLocaleString("en-US")
    }, ${counted(s.rows, "row")}${ratio}; expired ${counted(s.partitionsExpired, "partition")}` +
      (s.quarantined ? `; moved ${counted(s.quarantined, "unreadable file")} to quarantine/` : ""),
  );
  return 0;
}

if (import.meta.main) runMain("compact", main);

/**
 * Reads `--retention`, which needs a unit (as --since and --horizon do): a bare number means seconds
 * elsewhere on the command line, and `--retention 5` meant as days would delete every partition
 * but today's.
 */
function retentionFlag(text: string): number {
  if (/^\s*[+-]?[\d.]+(e[+-]?\d+)?\s*$/i.test(text)) {
    throw new UsageError(
      `Invalid --retention: ${text} needs a unit (e.g. ${text.trim()}d or ${text.trim()}h): a bare number would mean seconds and delete all but the latest data`,
    );
  }
  return parseDuration(text, "retention");
}
