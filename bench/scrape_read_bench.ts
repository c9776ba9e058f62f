/**
 * The CPU a scrape spends reading a fetch body (node_exporter's page, gzipped, chunked) three
 * ways: collecting the default reader's chunks (what `readCapped` did before), `readCapped`
 * (one buffer through a BYOB reader, the byte cap kept), and `Response.bytes()` (no cap: the
 * floor). CPU of every thread of this process (the fetch's decompression included), from
 * `/proc/self/task/*\/schedstat`, in rounds that alternate the three. Needs
 * `prometheus-node-exporter`.
 *
 * Run: `deno run -A bench/scrape_read_bench.ts [--rounds 6]`.
 *
 * @module
 */
import { readCapped, SCRAPE_ACCEPT } from "../receivers/mod.ts";
import { startNodeExporter } from "./_node_exporter.ts";
import { benchMain } from "./_flags.ts";
import { parseFlags, parseNumber } from "../cli/_args.ts";

/**
 * The baseline, kept on purpose: `readCapped` as it was before bba9231 (the default reader's
 * chunks collected, then copied into one array). That function was private, so no older
 * checkout exports it to load instead; today's `readChunks` in receivers/scrape_target.ts is
 * the same loop, kept there only for a body that is not a byte stream, and is private too.
 */
async function collectChunks(res: Response, max: number): Promise<Uint8Array> {
  const reader = res.body!.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > max) throw new Error("over");
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) out.set(c, at), (at += c.length);
  return out;
}

function cpuNs(): number {
  let sum = 0;
  for (const e of Deno.readDirSync("/proc/self/task")) {
    try {
      sum += Number(Deno.readTextFileSync(`/proc/self/task/${e.name}/schedstat`).split(" ")[0]);
    } catch {
      // the thread ended
    }
  }
  return sum;
}

const USAGE = `Usage: deno run -A bench/scrape_read_bench.ts [--rounds N]

CPU ms per fetch of reading node_exporter's page three ways (the default reader's chunks,
readCapped, Response.bytes()), in alternating rounds. Needs prometheus-node-exporter.

Options:
  --rounds N   rounds, each reading the page 30 times each way (default 6)
  -h, --help   show this help`;

function scrapeReadFlags(args: string[]): number {
  const { values } = parseFlags(args, { rounds: { type: "string", default: "6" } });
  return parseNumber(values.rounds!, "rounds", { min: 1, integer: true });
}

/** The three ways, `rounds` times alternating, against a node_exporter started here. */
async function measure(rounds: number): Promise<void> {
  const { process: ne, url } = startNodeExporter();
  try {
    await new Promise((r) => setTimeout(r, 1500));
    const max = 8 * 1024 * 1024;
    const ways: Record<string, (r: Response) => Promise<Uint8Array>> = {
      "default reader, chunks collected (before)": (r) => collectChunks(r, max),
      "readCapped: BYOB reader into one buffer (now)": (r) => readCapped(r, max),
      "Response.bytes(), no cap (floor)": (r) => r.bytes(),
    };
    const per: Record<string, number[]> = {};
    let bytes = 0;
    for (let round = 0; round < rounds; round++) {
      for (const [name, read] of Object.entries(ways)) {
        const t = cpuNs();
        for (let k = 0; k < 30; k++) {
          const res = await fetch(url, { headers: { accept: SCRAPE_ACCEPT } });
          bytes = new TextDecoder().decode(await read(res)).length;
        }
        (per[name] ??= []).push((cpuNs() - t) / 30 / 1e6);
      }
    }
    const load = Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");
    console.log(`node_exporter page of ${bytes} bytes, load average ${load}`);
    for (const [name, xs] of Object.entries(per)) {
      const s = [...xs].sort((a, b) => a - b);
      console.log(
        `${name.padEnd(48)} min ${s[0]!.toFixed(2)}  median ${
          s[s.length >> 1]!.toFixed(2)
        } CPU ms per fetch`,
      );
    }
  } finally {
    ne.kill("SIGTERM");
    await ne.status;
  }
}

if (import.meta.main) await benchMain(USAGE, scrapeReadFlags, measure);
