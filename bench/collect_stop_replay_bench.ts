/**
 * Time from SIGTERM to exit of a `collect` child that is replaying a large spool left by a killed
 * collector at its start (segments of one minute of 300 series at 1 s, as the collector writes
 * them, or one long segment, as a collector whose flushes failed for that long leaves it). The
 * signal is sent once the replay has retired its first segment, or, for one segment, a fixed
 * time after the child started (`--signal-after`), the same for any checkout, so `--baseline DIR`
 * measures another checkout (e.g. one whose replay did not stop at the signal) side by side.
 *
 * `--gaps` measures in this process instead: the whole replay of each spool (`replaySpoolAsync`),
 * and the longest time between two turns of its event loop, which is how long a signal may wait.
 *
 * `deno run -A bench/collect_stop_replay_bench.ts [--minutes N,N] [--one-segment]
 * [--signal-after MS] [--baseline DIR] [--gaps]`
 *
 * @module
 */
import { benchMain } from "./_flags.ts";
import { parseFlags, UsageError } from "../cli/_args.ts";
import { fillCollectorSpool } from "../tests/_collect_spool_fill.ts";
import { listSegments } from "../lake/spool.ts";
import { replaySpoolAsync } from "../lake/replay_spool.ts";

const USAGE = `Usage: deno run -A bench/collect_stop_replay_bench.ts [--minutes N,N] [--one-segment]
       [--signal-after MS] [--baseline DIR] [--gaps]

  --minutes N,N      spools of N minutes of 300 series at 1 s (default 60,240)
  --one-segment      the spool in one segment (default: one a minute)
  --signal-after MS  with --one-segment, when SIGTERM is sent after the child started
                     (default 1500)
  --baseline DIR     also measure the checkout at DIR (its cli/collect.ts), side by side
  --gaps             in this process: replay time and the longest gap between event-loop turns
  -h, --help         show this help`;

interface Options {
  minutes: number[];
  oneSegment: boolean;
  signalAfter: number;
  baseline: string | undefined;
  gaps: boolean;
}

function parse(args: string[]): Options {
  const { values } = parseFlags(args, {
    minutes: { type: "string" },
    "one-segment": { type: "boolean", default: false },
    "signal-after": { type: "string" },
    baseline: { type: "string" },
    gaps: { type: "boolean", default: false },
  });
  const minutes = (values.minutes ?? "60,240").split(",").map(Number);
  if (minutes.some((n) => !Number.isInteger(n) || n < 2)) {
    throw new UsageError(`Invalid --minutes: ${values.minutes} (integers of at least 2)`);
  }
  const signalAfter = Number(values["signal-after"] ?? 1500);
  if (!(signalAfter >= 0)) {
    throw new UsageError(`Invalid --signal-after: ${values["signal-after"]}`);
  }
  return {
    minutes,
    oneSegment: values["one-segment"],
    signalAfter,
    baseline: values.baseline,
    gaps: values.gaps,
  };
}

const DAY = 86_400_000;
const HERE = new URL("../", import.meta.url).pathname;

/** One run: seconds from SIGTERM to exit, the exit code, what stayed spooled (as collect says), and the child's
 * peak resident memory (its VmHWM, read every 10 ms until it exits). */
async function once(checkout: string | undefined, minutes: number, o: Options) {
  const data = await Deno.makeTempDir({ prefix: "perfscope-collect-replay-bench-" });
  try {
    const from = (Math.floor(Date.now() / DAY) - 1) * DAY + 3_600_000;
    const fill = o.oneSegment
      ? { from, segments: 1, snapshots: minutes * 60 }
      : { from, segments: minutes };
    const { values } = fillCollectorSpool(data, fill);
    const segments = fill.segments;
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "cli/collect.ts", "--no-config", "--data", data],
      cwd: checkout ?? HERE,
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const log: string[] = [];
    const pumped = (async () => {
      for await (const c of child.stderr.pipeThrough(new TextDecoderStream())) log.push(c);
    })();
    let peak = 0;
    const rss = () => {
      try {
        const m = Deno.readTextFileSync(`/proc/${child.pid}/status`).match(/VmHWM:\s+(\d+) kB/);
        if (m) peak = Math.max(peak, Number(m[1]) / 1024);
      } catch { /* gone */ }
    };
    let exited = false;
    const watched = (async () => {
      while (!exited) rss(), await new Promise((r) => setTimeout(r, 10));
    })();
    if (o.oneSegment) await new Promise((r) => setTimeout(r, o.signalAfter));
    else {
      while (listSegments(data).length >= segments) await new Promise((r) => setTimeout(r, 10));
    }
    const t0 = performance.now();
    child.kill("SIGTERM");
    const status = await child.status;
    exited = true;
    await watched;
    const seconds = (performance.now() - t0) / 1000;
    await pumped;
    const left = log.join("").match(/(\d+ segments \(\S+ MiB\)) not in Parquet yet stay/)?.[1];
    return { seconds, code: status.code, values, left: left ?? "-", peak };
  } finally {
    await Deno.remove(data, { recursive: true });
  }
}

/** The whole replay in this process: its time and the longest gap between two turns. */
async function gaps(o: Options): Promise<void> {
  console.log("spool | rows written | replay (ms) | longest gap between turns (ms)");
  for (const minutes of o.minutes) {
    const root = await Deno.makeTempDir({ prefix: "perfscope-collect-replay-bench-" });
    try {
      const from = (Math.floor(Date.now() / DAY) - 1) * DAY + 3_600_000;
      const segments = o.oneSegment ? 1 : minutes;
      fillCollectorSpool(root, { from, segments, snapshots: (minutes * 60) / segments });
      let last = performance.now(), longest = 0;
      const timer = setInterval(() => {
        const t = performance.now();
        longest = Math.max(longest, t - last);
        last = t;
      }, 0);
      const t0 = performance.now();
      const rows = await replaySpoolAsync(root).finally(() => clearInterval(timer));
      const spool = o.oneSegment ? `1 segment of ${minutes} min` : `${minutes} segments of 1 min`;
      console.log(
        `${spool} | ${rows} | ${(performance.now() - t0).toFixed(0)} | ${longest.toFixed(0)}`,
      );
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  }
}

if (import.meta.main) {
  await benchMain(USAGE, parse, async (o) => {
    if (o.gaps) return await gaps(o);
    console.log(
      "checkout | spool | spooled values | SIGTERM to exit (s) | exit code | left spooled" +
        " | peak RSS (MiB)",
    );
    for (const minutes of o.minutes) {
      for (const [name, dir] of [["this", undefined], ["baseline", o.baseline]] as const) {
        if (name === "baseline" && dir === undefined) continue;
        const r = await once(dir, minutes, o);
        const spool = o.oneSegment ? `1 segment of ${minutes} min` : `${minutes} segments of 1 min`;
        console.log(
          `${name} | ${spool} | ${r.values} | ${r.seconds.toFixed(2)} | ${r.code} | ${r.left} | ` +
            r.peak.toFixed(0),
        );
      }
    }
  });
}
