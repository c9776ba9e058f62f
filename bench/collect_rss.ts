/**
 * Resident memory of variants of the collect CLI, run in turn with the collect task's V8 flags
 * (the order flips every round), for comparing a change's memory cost: peak (VmHWM) and last
 * (VmRSS) polled from /proc every 250 ms, the median of the rounds printed. Prints; never
 * asserts.
 *
 * `deno run -A bench/collect_rss.ts [--rounds 5] [--seconds 20] LABEL=SCRIPT...`, e.g.
 * `current=cli/collect.ts variant=/tmp/copy/cli/collect.ts` (a copy of the tree with one change).
 * Each runs as `deno run --v8-flags=--lite-mode,--single-threaded -A SCRIPT --duration Ns
 * --data TMP --no-config`.
 *
 * @module
 */
import { quantileSorted } from "d3";
import { parseFlags, parseNumber } from "../cli/_args.ts";
import { benchMain } from "./_flags.ts";

/** RSS of one variant over the rounds, in MB. */
export interface RssFigures {
  label: string;
  peakMb: number[];
  lastMb: number[];
}

function statusKb(pid: number, key: string): number | undefined {
  try {
    const text = Deno.readTextFileSync(`/proc/${pid}/status`);
    const m = text.match(new RegExp(`^${key}:\\s+(\\d+) kB`, "m"));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Runs each variant once per round, one at a time, and measures it.
 *
 * @param variants `[label, script]` pairs.
 * @param rounds Rounds (default 5).
 * @param seconds `--duration` of each run (default 20).
 * @returns The figures per variant, in the order given.
 */
export async function measureVariants(
  variants: [string, string][],
  rounds = 5,
  seconds = 20,
): Promise<RssFigures[]> {
  const figures = variants.map(([label]) => ({ label, peakMb: [], lastMb: [] } as RssFigures));
  for (let r = 0; r < rounds; r++) {
    const order = variants.map((_, i) => i);
    if (r % 2 === 1) order.reverse();
    for (const i of order) {
      const [label, script] = variants[i]!;
      const dir = Deno.makeTempDirSync({ prefix: "perfscope-bench-" });
      try {
        const child = new Deno.Command(Deno.execPath(), {
          args: [
            "run",
            "--v8-flags=--lite-mode,--single-threaded",
            "-A",
            script,
            "--duration",
            `${seconds}s`,
            "--data",
            dir,
            "--no-config",
          ],
          stdout: "null",
          stderr: "piped",
        }).spawn();
        let peak = 0, last = 0;
        const poll = setInterval(() => {
          peak = Math.max(peak, statusKb(child.pid, "VmHWM") ?? 0);
          last = statusKb(child.pid, "VmRSS") ?? last;
        }, 250);
        const out = await child.output();
        clearInterval(poll);
        if (!out.success) {
          console.log(`${label} failed: ${new TextDecoder().decode(out.stderr).trim()}`);
          continue;
        }
        figures[i]!.peakMb.push(peak / 1024);
        figures[i]!.lastMb.push(last / 1024);
        console.log(`round ${r + 1} ${label}: peak ${(peak / 1024).toFixed(1)} MB`);
      } finally {
        Deno.removeSync(dir, { recursive: true });
      }
    }
  }
  return figures;
}

const USAGE = `Usage: deno run -A bench/collect_rss.ts [--rounds N] [--seconds N] [LABEL=SCRIPT ...]

Peak and last RSS of variants of the collect CLI run in turn (default: collect=cli/collect.ts),
the median of the rounds printed.

Options:
  --rounds N    rounds, the order flipping every round (default 5)
  --seconds N   seconds each variant runs (default 20)
  -h, --help    show this help`;

/** The variants (`LABEL=SCRIPT`, or a script labelled by itself), rounds and seconds. */
function rssFlags(args: string[]) {
  const { values, positionals } = parseFlags(
    args,
    { rounds: { type: "string", default: "5" }, seconds: { type: "string", default: "20" } },
    true,
  );
  const variants = positionals.map((p) => {
    const eq = p.indexOf("=");
    return (eq > 0 ? [p.slice(0, eq), p.slice(eq + 1)] : [p, p]) as [string, string];
  });
  if (variants.length === 0) variants.push(["collect", "cli/collect.ts"]);
  return {
    variants,
    rounds: parseNumber(values.rounds!, "rounds", { min: 1, integer: true }),
    seconds: parseNumber(values.seconds!, "seconds", { min: 1 }),
  };
}

if (import.meta.main) {
  await benchMain(USAGE, rssFlags, async ({ variants, rounds, seconds }) => {
    const figures = await measureVariants(variants, rounds, seconds);
    const median = (xs: number[]) => quantileSorted(xs.toSorted((a, b) => a - b), 0.5) ?? NaN;
    for (const f of figures) {
      console.log(
        `${f.label}: median peak ${median(f.peakMb).toFixed(1)} MB, last ${
          median(f.lastMb).toFixed(1)
        } MB (${f.peakMb.length} runs; peaks ${f.peakMb.map((x) => x.toFixed(1)).join(", ")})`,
      );
    }
  });
}
