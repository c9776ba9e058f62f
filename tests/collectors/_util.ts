/**
 * Fixture helpers for the collector tests.
 *
 * @module
 */

import { metricInfo } from "../../collectors/registry.ts";
import type { Sample } from "../../collectors/sample.ts";

/** Absolute path of a fixture under tests/fixtures. */
export function fixture(rel: string): string {
  return new URL(`../fixtures/${rel}`, import.meta.url).pathname;
}

/** Reads a fixture file as text. */
export function readFixture(rel: string): string {
  return Deno.readTextFileSync(fixture(rel));
}

/** Copies a directory tree (in place over existing files, keeping their inodes). */
export function copyTree(from: string, to: string): void {
  Deno.mkdirSync(to, { recursive: true });
  for (const e of Deno.readDirSync(from)) {
    if (e.isDirectory) copyTree(`${from}/${e.name}`, `${to}/${e.name}`);
    else Deno.writeTextFileSync(`${to}/${e.name}`, Deno.readTextFileSync(`${from}/${e.name}`));
  }
}

/** Finds the one sample of a metric with the given labels (a subset match). */
export function find(
  samples: Sample[],
  metric: string,
  labels: Record<string, string> = {},
): Sample | undefined {
  return samples.find((s) =>
    s.metric === metric && Object.entries(labels).every(([k, v]) => s.labels[k] === v)
  );
}

/**
 * A `/proc/PID/stat` line of a sleeping process: `ticks` of user time, `rss` pages resident,
 * started `start` ticks after boot; the other fields as a real idle process has them.
 */
export function pidStat(
  pid: number,
  name: string,
  ticks: number,
  rss: number,
  start = 100,
): string {
  return `${pid} (${name}) S 1 ${pid} ${pid} 0 -1 0 0 0 0 0 ${ticks} 0 0 0 20 0 1 0 ${start} ` +
    `1000 ${rss} 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n`;
}

/** Problems with samples that are not registered or carry other label names. */
export function registryProblems(samples: Sample[]): string[] {
  const problems: string[] = [];
  for (const s of samples) {
    const info = metricInfo(s.metric);
    const names = Object.keys(s.labels).sort().join(",");
    if (!info) problems.push(`unregistered ${s.metric}`);
    else if (info.labels.join(",") !== names) problems.push(`${s.metric} has labels ${names}`);
  }
  return problems;
}
