/**
 * Time from SIGTERM to exit of a `serve` child that is replaying a large ingest spool at its start
 * (a spool as a process killed before its flush leaves it, 100 000 rows a segment, 4 hosts).
 * The signal is sent once the replay has retired its first segment (its first flush is done),
 * the same point for any checkout, so `--baseline DIR` measures another checkout (e.g. one
 * before the replay stopped at the signal) side by side.
 *
 * `deno run -A bench/serve_stop_replay_bench.ts [--rows N,N] [--request-rows N] [--mix-hosts]
 * [--baseline DIR]`
 *
 * @module
 */
import { benchMain } from "./_flags.ts";
import { parseFlags, UsageError } from "../cli/_args.ts";
import { serveChild } from "../tests/_serve_process.ts";
import { fillIngestSpool } from "../tests/_ingest_spool_fill.ts";
import { listIngestSegments } from "../lake/ingest_spool.ts";

const USAGE = `Usage: deno run -A bench/serve_stop_replay_bench.ts [--rows N,N] [--request-rows N]
       [--mix-hosts] [--baseline DIR]

  --rows N,N       spool sizes in samples (default 500000,2000000)
  --request-rows N samples a request (default 25000; at most 250000, the request limit); a
                   segment holds 100000 or one request, whichever is more
  --mix-hosts      each request's samples go round the 4 hosts (default: one host a request)
  --baseline DIR   also measure the checkout at DIR (its cli/serve.ts), side by side
  -h, --help       show this help`;

interface Options {
  rows: number[];
  requestRows: number;
  mixHosts: boolean;
  baseline: string | undefined;
}

function parse(args: string[]): Options {
  const { values } = parseFlags(args, {
    rows: { type: "string" },
    baseline: { type: "string" },
    "request-rows": { type: "string" },
    "mix-hosts": { type: "boolean", default: false },
  });
  const rows = (values.rows ?? "500000,2000000").split(",").map(Number);
  if (rows.some((n) => !Number.isInteger(n) || n < 200_000)) {
    throw new UsageError(`Invalid --rows: ${values.rows} (integers of at least 200000)`);
  }
  const requestRows = Number(values["request-rows"] ?? 25_000);
  if (!Number.isInteger(requestRows) || requestRows < 1 || requestRows > 250_000) {
    throw new UsageError(`Invalid --request-rows: ${values["request-rows"]} (1 to 250000)`);
  }
  return { rows, requestRows, mixHosts: values["mix-hosts"], baseline: values.baseline };
}

const DAY = 86_400_000;

/** One run: seconds from SIGTERM to exit, the exit code, and what stayed spooled. */
async function once(checkout: string | undefined, rows: number, o: Options) {
  const data = await Deno.makeTempDir({ prefix: "perfscope-replay-bench-" });
  try {
    const from = (Math.floor(Date.now() / DAY) - 1) * DAY;
    const segments = fillIngestSpool(data, rows, {
      from,
      mixHosts: o.mixHosts,
      recordRows: o.requestRows,
      segmentRows: Math.max(100_000, o.requestRows),
    });
    const child = serveChild(["--data", data, "--no-collect"], {
      ...(checkout !== undefined && { root: checkout }),
      stderr: "piped",
    });
    const log: string[] = [];
    const pumped = (async () => {
      for await (const c of child.stderr.pipeThrough(new TextDecoderStream())) log.push(c);
    })();
    while (listIngestSegments(data).length >= segments) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const t0 = performance.now();
    child.kill("SIGTERM");
    const status = await child.status;
    const seconds = (performance.now() - t0) / 1000;
    await pumped;
    const left = log.join("").match(/(\d+) ingested samples not in Parquet yet stay/)?.[1];
    return { seconds, code: status.code, left: left ?? "-" };
  } finally {
    await Deno.remove(data, { recursive: true });
  }
}

if (import.meta.main) {
  await benchMain(USAGE, parse, async (o) => {
    console.log("checkout | spooled rows | SIGTERM to exit (s) | exit code | rows left spooled");
    for (const rows of o.rows) {
      for (const [name, dir] of [["this", undefined], ["baseline", o.baseline]] as const) {
        if (name === "baseline" && dir === undefined) continue;
        const r = await once(dir, rows, o);
        console.log(`${name} | ${rows} | ${r.seconds.toFixed(2)} | ${r.code} | ${r.left}`);
      }
    }
  });
}
