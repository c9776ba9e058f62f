/**
 * Where serve's scrape time goes: starts a node_exporter on loopback and `serve` scraping it
 * every second under the V8 inspector, takes a CPU profile of serve's main thread over a window
 * of steady state and prints self time by function and by stage (fetch, parse, convert, ingest,
 * live hub, alerts, the rest). Proportions only: the machine is shared, so the absolute
 * milliseconds swing with its load.
 *
 * Run: `deno run -A bench/profile_serve_scrape.ts [--seconds 60] [--warm 10] [--save out.cpuprofile]`.
 *
 * @module
 */
import { freePort } from "../tests/_ports.ts";
import { serveChild } from "../tests/_serve_process.ts";
import { nodeScrapeYaml, startNodeExporter, stopChildren } from "./_node_exporter.ts";
import { benchMain } from "./_flags.ts";
import { parseFlags, parseNumber } from "../cli/_args.ts";

/** A node of a V8 CPU profile (`Profiler.stop`). */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

/** A V8 CPU profile. */
export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Stages in order of precedence: a sample goes to the first that any frame of its stack names. */
const STAGES: [string, (fn: string, url: string) => boolean][] = [
  // the inspector reporting fetches to itself: there only because the profile is being taken
  [
    "inspector (profiling artefact)",
    (f, u) => u.includes("inspector_network_bridge") || f === "op_inspector_emit_protocol_event",
  ],
  ["parse (parseExposition)", (_f, u) => u.includes("parse_exposition.ts")],
  [
    "convert (convertExposition, BatchBuilder)",
    (_f, u) =>
      u.includes("convert_exposition.ts") || u.includes("batch_builder.ts") ||
      u.includes("histogram_quantile.ts") || u.includes("series_limit.ts") ||
      u.includes("receivers/_labels.ts") || u.includes("app_metrics.ts"),
  ],
  [
    "collector spool tail (tailSpool, its live hub and alerts)",
    (_f, u) => u.includes("tail_spool.ts"),
  ],
  ["ingest (IngestWriter.writeBatch, spool)", (_f, u) => u.includes("/lake/")],
  ["live hub (publishBatch)", (_f, u) => u.includes("live_hub.ts")],
  ["alerts (observe)", (_f, u) => u.includes("/alerts/")],
  ["fetch + body (scrapeTarget)", (_f, u) => u.includes("scrape_target.ts")],
  [
    "scrape loop (ScrapeManager, deliver)",
    (_f, u) => u.includes("scrape_manager.ts") || u.includes("deliver.ts"),
  ],
  ["web", (_f, u) => u.includes("/web/")],
  ["other perfscope code", (_f, u) => u.includes("/wt/") || u.includes("perfscope")],
];

/**
 * Self time by function and by stage.
 *
 * @param p The profile.
 * @returns Milliseconds by function (`name url:line`) and by stage, and the total.
 */
export function aggregate(p: CpuProfile): {
  total: number;
  byFunction: Map<string, number>;
  byStage: Map<string, number>;
} {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const stageOf = new Map<number, string>();
  const stage = (id: number): string => {
    const hit = stageOf.get(id);
    if (hit !== undefined) return hit;
    let found = "runtime (no perfscope frame: timers, GC, I/O)";
    // the first stage of the list that any frame of the stack names (the collector's spool
    // tail before the lake it reads, the parser before the scrape that calls it)
    const stack: ProfileNode[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      stack.push(byId.get(at)!);
    }
    const s = STAGES.find(([, m]) =>
      stack.some((n) => m(n.callFrame.functionName, n.callFrame.url))
    );
    if (s) found = s[0];
    const name = byId.get(id)!.callFrame.functionName;
    if (name === "(idle)" || name === "(program)") found = name;
    if (name === "(garbage collector)") found = "(garbage collector)";
    stageOf.set(id, found);
    return found;
  };
  const byFunction = new Map<string, number>();
  const byStage = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const ms = (p.timeDeltas[i + 1] ?? 0) / 1000;
    const n = byId.get(p.samples[i]!)!;
    const f = n.callFrame;
    if (f.functionName === "(idle)") continue;
    total += ms;
    const short = f.url.replace(/^.*\/(wt\/[^/]+|node_modules)\//, "");
    const key = `${f.functionName || "(anonymous)"} ${short}:${f.lineNumber + 1}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + ms);
    const s = stage(n.id);
    byStage.set(s, (byStage.get(s) ?? 0) + ms);
  }
  return { total, byFunction, byStage };
}

async function waitFor<T>(f: () => Promise<T>, ms: number): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      return await f();
    } catch (e) {
      if (Date.now() > until) throw e;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** Takes the profile. */
async function profile(seconds: number, warm: number): Promise<CpuProfile> {
  const dir = Deno.makeTempDirSync();
  const inspectPort = freePort();
  const { process: ne, target } = startNodeExporter();
  Deno.writeTextFileSync(`${dir}/perfscope.yaml`, nodeScrapeYaml(target));
  const serve = serveChild(["--data", `${dir}/data`, "--config", `${dir}/perfscope.yaml`], {
    denoFlags: ["-A", `--inspect=127.0.0.1:${inspectPort}`],
  });
  try {
    const list = await waitFor(async () => {
      const r = await fetch(`http://127.0.0.1:${inspectPort}/json/list`);
      return (await r.json()) as { webSocketDebuggerUrl: string }[];
    }, 30_000);
    const ws = new WebSocket(list[0]!.webSocketDebuggerUrl);
    await new Promise((r, j) => (ws.onopen = r, ws.onerror = j));
    let id = 0;
    const pending = new Map<number, (v: unknown) => void>();
    ws.onmessage = (e) => {
      const m = JSON.parse(e.data as string) as { id?: number; result?: unknown };
      if (m.id !== undefined) pending.get(m.id)?.(m.result), pending.delete(m.id);
    };
    const call = (method: string, params: unknown = {}) =>
      new Promise<unknown>((r) => {
        pending.set(++id, r);
        ws.send(JSON.stringify({ id, method, params }));
      });
    await call("Runtime.runIfWaitingForDebugger");
    await new Promise((r) => setTimeout(r, warm * 1000));
    await call("Profiler.enable");
    await call("Profiler.setSamplingInterval", { interval: 200 });
    await call("Profiler.start");
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const { profile } = (await call("Profiler.stop")) as { profile: CpuProfile };
    ws.close();
    return profile;
  } finally {
    await stopChildren([serve, ne]);
    Deno.removeSync(dir, { recursive: true });
  }
}

const USAGE =
  `Usage: deno run -A bench/profile_serve_scrape.ts [--seconds N] [--warm N] [--save FILE]
       [--load FILE]

CPU profile of serve scraping a node_exporter, by stage and by function (self time).

Options:
  --seconds N   seconds profiled (default 60)
  --warm N      seconds before the profile starts (default 10)
  --save FILE   also write the profile (.cpuprofile) there
  --load FILE   read a saved profile instead of running serve
  -h, --help    show this help`;

/** The flags: seconds and warm-up checked, files as given. */
function profileFlags(args: string[]) {
  const { values } = parseFlags(args, {
    seconds: { type: "string", default: "60" },
    warm: { type: "string", default: "10" },
    save: { type: "string", default: "" },
    load: { type: "string", default: "" },
  });
  return {
    seconds: parseNumber(values.seconds!, "seconds", { min: 1 }),
    warm: parseNumber(values.warm!, "warm", { min: 0 }),
    save: values.save!,
    load: values.load!,
  };
}

if (import.meta.main) {
  await benchMain(USAGE, profileFlags, async (flags) => {
    const load = flags.load;
    const p: CpuProfile = load
      ? JSON.parse(Deno.readTextFileSync(load))
      : await profile(flags.seconds, flags.warm);
    const save = flags.save;
    if (save) Deno.writeTextFileSync(save, JSON.stringify(p));
    const { total, byFunction, byStage } = aggregate(p);
    const secs = (p.endTime - p.startTime) / 1e6;
    const pct = (ms: number) => `${((100 * ms) / total).toFixed(1).padStart(5)} %`;
    console.log(`busy ${total.toFixed(0)} ms over ${secs.toFixed(1)} s (not idle)`);
    console.log("\nby stage (self time of the frames under each stage):");
    for (const [k, v] of [...byStage].sort((a, b) => b[1] - a[1])) {
      console.log(`  ${pct(v)}  ${k}`);
    }
    console.log("\nby function (top 40, self time):");
    for (const [k, v] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, 40)) {
      console.log(`  ${pct(v)}  ${k}`);
    }
  });
}
