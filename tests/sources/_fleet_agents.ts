/**
 * A child process standing in for several agents of the synthetic fleet (`_fleet.ts`): each
 * agent has a lake root of its own, spools its host's series (a snapshot a step, with the
 * agent's `host`), and a real `RemoteWriteSender` with the agent's external labels sends that
 * spool to the receiver, as `collect --remote-write` does. Prints one JSON line: the samples
 * each agent had acknowledged.
 *
 * Run: `deno run -A tests/sources/_fleet_agents.ts URL END_MS DAYS STEP_MS HOST_INDEX...`.
 *
 * @module
 */
import { formatLabels } from "../../collectors/mod.ts";
import { RemoteWriteSender } from "../../export/mod.ts";
import { type LakeRow, SpoolWriter } from "../../lake/mod.ts";
import { fleetHost, fleetLabels, syntheticFleet } from "./_fleet.ts";

const [url, endText, daysText, stepText, ...indices] = Deno.args;
if (!url || !endText || !daysText || !stepText || indices.length === 0) {
  throw new Error("Usage: _fleet_agents.ts URL END_MS DAYS STEP_MS HOST_INDEX...");
}
const end = Number(endText), days = Number(daysText), stepMs = Number(stepText);
// the whole synthetic fleet up to the largest index, of which this process runs its hosts
const all = syntheticFleet({
  hosts: Math.max(...indices.map(Number)) + 1,
  days,
  stepMs,
  end,
});

async function agent(i: number): Promise<number> {
  const labels = fleetLabels(i);
  const own = all.filter((s) => s.metric.host === fleetHost(i));
  const root = Deno.makeTempDirSync({ prefix: `perfscope-agent-${i}-` });
  const times = own[0]!.timestamps;
  const spool = new SpoolWriter(root, times[0]!);
  times.forEach((ts, k) => {
    const rows: LakeRow[] = own.map((s) => {
      const { __name__, host, env: _e, dc: _d, role: _r, ...rest } = s.metric;
      return {
        ts,
        host: host!,
        metric: __name__!,
        labels: formatLabels(rest),
        value: s.values[k]!,
      };
    });
    spool.append(rows);
  });
  spool.close();
  // the agent's sender: what `remote_write:` with external_labels makes
  const sender = new RemoteWriteSender(root, {
    url: url!,
    externalLabels: labels,
    maxBatchBytes: 64 * 1024,
    log: (line) => console.error(`agent ${i}: ${line}`),
  });
  await sender.drain();
  await sender.stop();
  Deno.removeSync(root, { recursive: true });
  return sender.stats.samples;
}

const sent = await Promise.all(indices.map((i) => agent(Number(i))));
console.log(JSON.stringify({ hosts: indices.map(Number), samples: sent }));
