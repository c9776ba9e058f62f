/**
 * One analysis, the same statuses everywhere: lakes with 5 minutes, 2 hours, 3 days and 3 weeks
 * of data, read by the Capacity page, `/api/capacity`, the HTML report (`deno task report`), the
 * `capacity` command and (when jupyter is installed) notebook 03.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { simulateHost } from "../../lake/mod.ts";
import { main as capacityMain } from "../../cli/capacity.ts";
import { main as reportMain } from "../../cli/report.ts";
import { testApp } from "../web/_app.ts";
import { missing } from "../_skip.ts";
import { execute } from "../notebooks/_execute.ts";

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const START = Date.UTC(2025, 0, 1);

/** `host resource labels → status/severity`, the comparable part of a surface. */
type Statuses = Record<string, string>;

const lakes: { name: string; durationMs: number; stepMs: number }[] = [
  { name: "5 minutes", durationMs: 5 * MIN, stepMs: 10_000 },
  { name: "2 hours", durationMs: 2 * HOUR, stepMs: 60_000 },
  { name: "3 days", durationMs: 3 * DAY, stepMs: 10 * MIN },
  { name: "3 weeks", durationMs: 21 * DAY, stepMs: 30 * MIN },
];

function lake(durationMs: number, stepMs: number): string {
  const root = Deno.makeTempDirSync({ prefix: "perfscope-surfaces-" });
  // A disk filling fast and a CPU pinned at the end: what a short history must not turn into
  // an alarm, and what a long one must report.
  simulateHost({
    root,
    host: "db1",
    start: START,
    durationMs,
    stepMs,
    cpus: 2,
    topN: 1,
    diskFill: { mountpoint: "/var", from: 0.5, to: 0.8 },
    cpuSaturation: { from: START + durationMs - Math.min(HOUR, durationMs), durationMs: HOUR },
  });
  return root;
}

const key = (r: { host: string; resource: string; labels: string }) =>
  `${r.host} ${r.resource} ${r.labels}`;

interface Surface {
  status: string;
  resources: Statuses;
  alarms: string[];
}

/** What the API, the report's embedded data and the CLI's output say of capacity (as read here). */
interface CapacityJson {
  status: string;
  resources: ({ status: string; severity: string } & Parameters<typeof key>[0])[];
  recommendations: { severity: string; title: string }[];
}

/** The surface of a capacity result as JSON (the API's, the report's or the CLI's). */
function surfaceOf(data: CapacityJson): Surface {
  return {
    status: data.status,
    resources: Object.fromEntries(data.resources.map((r) => [key(r), `${r.status}/${r.severity}`])),
    alarms: data.recommendations.filter((r) => r.severity !== "info").map((r) => r.title),
  };
}

async function fromApp(root: string): Promise<{ page: Surface; api: Surface }> {
  await using t = await testApp({ root });
  const api = await (await t.app.request("/api/capacity")).json();
  const html = await (await t.app.request("/capacity")).text();
  const rows = [...html.matchAll(
    // the resource column names it for people ("CPU run queue"), its data-resource the key
    /<td(?: class="wrap")?>([^<]*)<\/td>\s*<td data-resource="([^"]+)">[^<]*<\/td>\s*<td(?: class="wrap")?>([^<]*)<\/td>\s*<td data-status="([^"]+)">[^<]*<\/td>\s*<td data-severity="([^"]+)">/g,
  )];
  const unescape = (s: string) => s.replaceAll("&#x2F;", "/").replaceAll("&#39;", "'");
  return {
    api: surfaceOf(api),
    page: {
      status: /Not enough data yet: too little history for ETAs/.test(html)
        ? "insufficient"
        : api.status,
      resources: Object.fromEntries(
        rows.map((m) => [
          `${m[1]} ${m[2]} ${unescape(m[3]!) === "–" ? "" : unescape(m[3]!)}`,
          `${m[4]}/${m[5]}`,
        ]),
      ),
      alarms: [...html.matchAll(/<li class="rec (warning|critical)"><strong>\[\w+\] ([^<]+)</g)]
        .map((m) => m[2]!),
    },
  };
}

async function fromReport(root: string): Promise<Surface> {
  const out = join(root, "report.html");
  const log = console.log;
  console.log = () => {};
  try {
    assert.equal(await reportMain(["--data", root, "--out", out]), 0);
  } finally {
    console.log = log;
  }
  const html = Deno.readTextFileSync(out);
  const json = html.match(
    /<script type="application\/json" id="report-data">(.*?)<\/script>/s,
  )![1]!;
  return surfaceOf(JSON.parse(json));
}

async function fromCli(root: string): Promise<Surface> {
  let text = "";
  assert.equal(await capacityMain(["--data", root], (t) => void (text += t)), 0);
  return surfaceOf(JSON.parse(text));
}

for (const { name, durationMs, stepMs } of lakes) {
  Deno.test({
    name:
      `a lake with ${name} of data gets the same statuses from the page, the API, the report and the CLI`,
    sanitizeResources: false,
    async fn() {
      const root = lake(durationMs, stepMs);
      try {
        const { page, api } = await fromApp(root);
        const report = await fromReport(root);
        const cli = await fromCli(root);
        assert.ok(Object.keys(api.resources).length >= 10, JSON.stringify(api.resources));
        assert.deepEqual(page.resources, api.resources, "page vs API");
        assert.deepEqual(report.resources, api.resources, "report vs API");
        assert.deepEqual(cli.resources, api.resources, "CLI vs API");
        assert.deepEqual([page.status, report.status, cli.status], Array(3).fill(api.status));
        assert.deepEqual(report.alarms, api.alarms);
        assert.deepEqual(cli.alarms, api.alarms);
        assert.deepEqual(page.alarms, api.alarms);
        const statuses = new Set(Object.values(api.resources));
        if (durationMs < DAY) {
          // Too little history: no ETA, no severity but "unknown", no capacity alarm anywhere.
          assert.equal(api.status, "insufficient");
          assert.deepEqual([...statuses], ["insufficient/unknown"]);
          assert.deepEqual(api.alarms.filter((t) => / reaches | past its /.test(t)), []);
          if (durationMs < 10 * MIN) assert.deepEqual(api.alarms, [], "no alarm at all");
          // Two hours with the CPU pinned for the last one: that claim is backed by the data.
          else {assert.deepEqual(api.alarms, [api.alarms.find((t) =>
              /^CPU saturated .* for 15 min/.test(t)
            )]);}
        } else {
          assert.equal(api.status, "ready");
          assert.equal(
            api.resources["db1 filesystem device=nvme1n1p1,fstype=xfs,mountpoint=/var"]?.split(
              "/",
            )[0],
            "crossing",
          );
          assert.ok(
            api.alarms.some((t) => /File system \/var on db1 reaches 95 %/.test(t)),
            api.alarms.join("\n"),
          );
        }
        if (!missing("jupyter", "the notebook 03 statuses check")) {
          await assertNotebookAgrees(root, api);
        }
      } finally {
        Deno.removeSync(root, { recursive: true });
      }
    },
  });
}

/** Runs notebook 03 on the lake and compares the statuses its ranking table printed. */
async function assertNotebookAgrees(root: string, api: Surface): Promise<void> {
  let texts: string[] = [];
  let plain: string | undefined;
  // On a loaded machine nbconvert now and then records a cell without its last display: the
  // Deno kernel's display message can reach the IOPub channel after the cell's idle status, and
  // nbclient drops it (seen in CI: the console lines and the next cells' charts were there, the
  // table was not; once, under the parallel suite's load, in two runs in a row). Up to two more
  // runs tell that race from a notebook that prints no table.
  for (let attempt = 0; attempt < 3 && plain === undefined; attempt++) {
    const { cells } = await execute("03_capacity_study.ipynb", { PERFSCOPE_DATA: root });
    texts = cells.flatMap((c) => c.outputs ?? [])
      .map((o) => [o.data?.["text/plain"] ?? o.text ?? ""].flat().join(""));
    // the table's plain-text form: a header line, then one tab-separated line per resource
    plain = texts.find((t) => t.split("\n")[1]?.startsWith("db1\t"));
  }
  assert.ok(plain, `notebook 03 printed no ranking:\n${texts.join("\n").slice(0, 2000)}`);
  const seen = Object.fromEntries(
    plain.split("\n").slice(1).map((line: string) => {
      const [host, resource, labels, status, severity] = line.split("\t");
      return [`${host} ${resource} ${labels}`, `${status}/${severity}`];
    }),
  );
  assert.deepEqual(seen, api.resources, "notebook 03 vs API");
}
