/**
 * A real node_exporter on loopback for the scrape benchmarks, and the perfscope config that
 * scrapes it every second (private to bench/).
 *
 * @module
 */
import { freePort } from "../tests/_ports.ts";

/** A running `prometheus-node-exporter`. */
export interface NodeExporter {
  process: Deno.ChildProcess;
  /** `host:port` it listens on. */
  target: string;
  /** Its metrics page. */
  url: string;
}

/**
 * Starts `/usr/bin/prometheus-node-exporter` on a free loopback port, without waiting for it to
 * listen (stop it with {@linkcode stopChildren}).
 *
 * @returns The child, its address and its metrics URL.
 */
export function startNodeExporter(): NodeExporter {
  const target = `127.0.0.1:${freePort()}`;
  const process = new Deno.Command("/usr/bin/prometheus-node-exporter", {
    args: [`--web.listen-address=${target}`],
    stdout: "null",
    stderr: "null",
  }).spawn();
  return { process, target, url: `http://${target}/metrics` };
}

/**
 * A perfscope config (YAML) that scrapes one node_exporter every second.
 *
 * @param target Its `host:port`.
 * @returns The config's text.
 */
export function nodeScrapeYaml(target: string): string {
  return `scrape:\n  - url: http://${target}/metrics\n    name: node\n    interval: 1s\n`;
}

/**
 * Stops child processes with SIGTERM, one after another, and waits for each to exit (one that
 * has already exited is passed over).
 *
 * @param children The children.
 */
export async function stopChildren(children: Deno.ChildProcess[]): Promise<void> {
  for (const c of children) {
    try {
      c.kill("SIGTERM");
    } catch {
      // already gone
    }
    await c.status;
  }
}
