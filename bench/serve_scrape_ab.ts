/**
 * Side-by-side CPU of `serve` scraping one node_exporter every second, for two checkouts of
 * perfscope in the same window (so a shared machine's load weighs on both alike), beside an
 * idle serve (no scrape targets) of the newer checkout: the scrape's own cost is a serve's CPU
 * minus the idle one's. CPU by thread name (`/proc/PID/task/TID/comm`: `main` is serve's
 * JavaScript thread) and for the collector child, from `schedstat`.
 *
 * Run: `deno run -A bench/serve_scrape_ab.ts --old DIR [--seconds 60] [--warm 15]`, where DIR
 * is an older checkout (e.g. `git worktree add /tmp/old main` or `git archive | tar -x`, with
 * `node_modules` linked).
 *
 * @module
 */
import { serveChild } from "../tests/_serve_process.ts";
import { nodeScrapeYaml, startNodeExporter, stopChildren } from "./_node_exporter.ts";
import { childrenOf } from "./_thread_cpu.ts";
import { benchMain } from "./_flags.ts";
import { parseFlags, parseNumber, UsageError } from "../cli/_args.ts";

/** CPU ns by `group` (thread name, `collector` for the child's threads), keyed by thread. */
function sample(pid: number, into: Map<string, { group: string; ns: number }>): void {
  const visit = (p: number, child: boolean) => {
    let tasks: Deno.DirEntry[];
    try {
      tasks = [...Deno.readDirSync(`/proc/${p}/task`)];
    } catch {
      return;
    }
    for (const t of tasks) {
      try {
        const ns = Number(
          Deno.readTextFileSync(`/proc/${p}/task/${t.name}/schedstat`).split(" ")[0],
        );
        const comm = Deno.readTextFileSync(`/proc/${p}/task/${t.name}/comm`).trim();
        const group = child ? "collector child" : t.name === String(p) ? "main (JS)" : comm;
        into.set(`${p}/${t.name}`, { group, ns });
      } catch {
        // the thread ended
      }
    }
  };
  visit(pid, false);
  for (const c of childrenOf(pid)) visit(c, true);
}

const USAGE = `Usage: deno run -A bench/serve_scrape_ab.ts --old DIR [--seconds N] [--warm N]

CPU ms/s of serve scraping a node_exporter, this checkout beside an older one (DIR) and an idle
serve, all in the same window.

Options:
  --old DIR     the older checkout (required), e.g. git worktree add /tmp/old main
  --seconds N   seconds measured (default 60)
  --warm N      seconds before the window (default 15)
  -h, --help    show this help`;

/** The flags: --old required, seconds and warm-up checked. */
function abFlags(args: string[]) {
  const { values } = parseFlags(args, {
    old: { type: "string" },
    seconds: { type: "string", default: "60" },
    warm: { type: "string", default: "15" },
  });
  if (!values.old) throw new UsageError("--old DIR is required (an older checkout)");
  return {
    oldDir: values.old,
    seconds: parseNumber(values.seconds!, "seconds", { min: 1 }),
    warm: parseNumber(values.warm!, "warm", { min: 0 }),
  };
}

if (import.meta.main) {
  await benchMain(USAGE, abFlags, async ({ oldDir, seconds, warm }) => {
    const here = new URL("..", import.meta.url).pathname;
    const dir = Deno.makeTempDirSync();
    const { process: ne, target } = startNodeExporter();
    Deno.writeTextFileSync(`${dir}/scrape.yaml`, nodeScrapeYaml(target));
    Deno.writeTextFileSync(`${dir}/idle.yaml`, `scrape: []\n`);
    const serve = (name: string, root: string, config: string) => ({
      name,
      child: serveChild(["--data", `${dir}/data-${name}`, "--config", `${dir}/${config}`], {
        root,
        denoFlags: ["-A", `--config=${root}/deno.json`],
      }),
    });
    const serves = [
      serve("old", oldDir.replace(/\/$/, ""), "scrape.yaml"),
      serve("new", here.replace(/\/$/, ""), "scrape.yaml"),
      serve("idle", here.replace(/\/$/, ""), "idle.yaml"),
    ];
    try {
      await new Promise((r) => setTimeout(r, warm * 1000));
      const before = serves.map(() => new Map<string, { group: string; ns: number }>());
      const last = serves.map(() => new Map<string, { group: string; ns: number }>());
      serves.forEach((s, i) => sample(s.child.pid, before[i]!));
      const t0 = performance.now();
      // polled so a thread that ends inside the window keeps what it used
      const timer = setInterval(() => serves.forEach((s, i) => sample(s.child.pid, last[i]!)), 250);
      await new Promise((r) => setTimeout(r, seconds * 1000));
      clearInterval(timer);
      serves.forEach((s, i) => sample(s.child.pid, last[i]!));
      const secs = (performance.now() - t0) / 1000;
      const load = Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");
      console.log(`window ${secs.toFixed(1)} s, load average at the end ${load}`);
      const totals: number[] = [];
      serves.forEach((s, i) => {
        const groups = new Map<string, number>();
        for (const [tid, { group, ns }] of last[i]!) {
          const d = ns - (before[i]!.get(tid)?.ns ?? 0);
          groups.set(group, (groups.get(group) ?? 0) + d);
        }
        const total = [...groups.values()].reduce((a, b) => a + b, 0);
        totals.push(total / 1e6 / secs);
        const parts = [...groups].sort((a, b) => b[1] - a[1])
          .map(([g, ns]) => `${g} ${(ns / 1e6 / secs).toFixed(1)}`).join(", ");
        console.log(`${s.name.padEnd(5)} ${(total / 1e6 / secs).toFixed(1)} CPU ms/s (${parts})`);
      });
      const [o, n, idle] = totals as [number, number, number];
      console.log(
        `scrape's own cost: old ${(o - idle).toFixed(1)}, new ${(n - idle).toFixed(1)} CPU ms/s ` +
          `(new/old ${((n - idle) / (o - idle)).toFixed(2)}; whole serve new/old ${
            (n / o).toFixed(2)
          })`,
      );
    } finally {
      await stopChildren([...serves.map((s) => s.child), ne]);
      Deno.removeSync(dir, { recursive: true });
    }
  });
}
