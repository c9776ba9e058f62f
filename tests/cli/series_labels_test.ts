import assert from "node:assert/strict";
import { main as forecastMain } from "../../cli/forecast.ts";
import { main as anomalyMain } from "../../cli/anomaly.ts";
import { main as capacityMain } from "../../cli/capacity.ts";
import { readSeriesSource, seriesSource } from "../../cli/_series_input.ts";
import { writeSamples } from "../../lake/mod.ts";
import { disposableRecentHostLake } from "../_recent_host_lake.ts";
import { failure } from "./_failure.ts";

const HOUR = 3_600_000;

/** A new temporary lake directory, removed on disposal. */
async function tempLake(): Promise<{ root: string } & AsyncDisposable> {
  const root = await Deno.makeTempDir({ prefix: "perfscope-series-labels-" });
  return { root, [Symbol.asyncDispose]: () => Deno.remove(root, { recursive: true }) };
}

/** A simulated host's last 6 hours at a 10-minute step (six file systems, 16 cpu_ratio series). */
function lake(): Promise<{ root: string } & AsyncDisposable> {
  return disposableRecentHostLake(6, "perfscope-series-labels-");
}

Deno.test("--labels mountpoint=/ picks the root file system though the series has more labels", async () => {
  await using dir = await lake();
  const root = dir.root;
  const source = seriesSource({
    metric: "filesystem_used_bytes",
    labels: "mountpoint=/",
    data: root,
    since: "1d",
  });
  const s = await readSeriesSource(source);
  assert.ok(s.values.length >= 30, `${s.values.length} points`);
  assert.match(s.from, /^filesystem_used_bytes\{device=\S+,fstype=\S+,mountpoint=\/\} \(/);
  let out = "";
  const flags = ["--metric", "filesystem_used_bytes", "--labels", "mountpoint=/"];
  assert.equal(
    await forecastMain([...flags, "--data", root, "--horizon", "2"], (t) => (out += t), () => {}),
    0,
  );
  assert.equal(out.trimEnd().split("\n").length, 3);
  let scored = "";
  assert.equal(await anomalyMain([...flags, "--data", root], (t) => (scored += t), () => {}), 0);
  assert.ok(scored.trimEnd().split("\n").length >= 31);
  let json = "";
  const threshold = ["--threshold", "1e15", "--data", root];
  assert.equal(await capacityMain([...flags, ...threshold], (t) => (json += t)), 0);
  assert.equal(JSON.parse(json).status, "insufficient"); // 6 hours of history: no ETA
});

Deno.test("Labels matching several series fail with exit 1 and one line listing them, capped", async () => {
  await using dir = await lake();
  const root = dir.root;
  const ext4 = seriesSource({
    metric: "filesystem_used_bytes",
    labels: "fstype=ext4",
    data: root,
  });
  const [code, line] = await failure(() => readSeriesSource(ext4));
  assert.equal(code, 1);
  assert.doesNotMatch(line, /\n/);
  assert.match(
    line,
    /^filesystem_used_bytes\{fstype=ext4\} matches 3 series: \{device=\S+,fstype=ext4,mountpoint=\/\S*\}, .*; add labels to pick one$/,
  );
  const cpu = seriesSource({ metric: "cpu_ratio", labels: "cpu=total", data: root });
  const [, many] = await failure(() => readSeriesSource(cpu));
  assert.match(
    many,
    /^cpu_ratio\{cpu=total\} matches 8 series: (\{cpu=total,mode=\w+\}, ){4}\{cpu=total,mode=\w+\} … and 3 more; add labels to pick one$/,
  );
  const none = seriesSource({ metric: "cpu_ratio", data: root });
  assert.match(
    (await failure(() => readSeriesSource(none)))[1],
    /^cpu_ratio matches 16 series: /,
  );
});

Deno.test("Labels matching no series fail with exit 1 and list the label sets that exist", async () => {
  await using dir = await lake();
  const root = dir.root;
  const source = seriesSource({ metric: "memory_bytes", labels: "state=wired", data: root });
  const [code, line] = await failure(() => readSeriesSource(source));
  assert.equal(code, 1);
  assert.match(
    line,
    /^memory_bytes\{state=wired\} matches no series in \S+; its label sets: \{state=\w+\}, (\{state=\w+\}, ){3}\{state=\w+\} … and 1 more$/,
  );
  const host = seriesSource({
    metric: "memory_bytes",
    labels: "state=used",
    host: "h2",
    data: root,
  });
  // a host the lake has never seen is named as such, with the hosts it has (exit 2, like a typo)
  assert.deepEqual(
    await failure(() => readSeriesSource(host)),
    [2, `Unknown --host h2: no samples of it in ${root}; hosts with samples: h1`],
  );
});

Deno.test("A look-back with no data is said as a duration, not a fraction of days", async () => {
  await using dir = await lake();
  const root = dir.root;
  const source = seriesSource({
    metric: "memory_bytes",
    labels: "state=used",
    data: root,
    since: "10m",
  });
  // the newest simulated point is at least a few minutes old: read from 2 h after the end
  const [code, line] = await failure(() => readSeriesSource(source, () => Date.now() + 2 * HOUR));
  assert.equal(code, 1);
  assert.match(line, /^No data for memory_bytes\{state=used\} in \S+ over the last 10 min$/);
});

Deno.test("--labels takes a backslash-escaped comma inside a value, as the lake writes it", async () => {
  await using dir = await tempLake();
  const root = dir.root;
  const end = Math.floor(Date.now() / 60_000) * 60_000;
  const rows = [0, 1, 2].flatMap((i) =>
    ["/a,b", "/a"].map((mountpoint) => ({
      ts: end - (3 - i) * 60_000,
      host: "h1",
      metric: "filesystem_used_bytes",
      labels: { device: "sdz1", mountpoint },
      value: mountpoint === "/a" ? 1 : 100 + i,
    }))
  );
  writeSamples(rows, { root, id: end });
  const comma = seriesSource({
    metric: "filesystem_used_bytes",
    labels: "mountpoint=/a\\,b",
    data: root,
    since: "1h",
  });
  assert.equal(comma.kind === "lake" && comma.labels, "mountpoint=/a\\,b");
  const s = await readSeriesSource(comma);
  assert.deepEqual([...s.values], [100, 101, 102]);
  assert.equal(s.from, "filesystem_used_bytes{device=sdz1,mountpoint=/a\\,b} (raw)");
});
