/**
 * A real Alertmanager for tests: started on a free loopback port (gossip off, storage in a
 * temporary folder), its `/api/v2/alerts` read, and polled until it shows what a test expects.
 *
 * @module
 */
import assert from "node:assert/strict";
import { missing, which } from "../_skip.ts";

// Debian installs it as prometheus-alertmanager; upstream builds call it alertmanager
const AM = which("prometheus-alertmanager") ?? which("alertmanager");
/** True when Alertmanager is absent: the tests needing it are ignored (one `skip:` line). */
export const ignore = AM === undefined &&
  missing("prometheus-alertmanager", "the Alertmanager tests");

/** An alert as Alertmanager's API v2 lists it. */
export interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  fingerprint: string;
  status: { state: string; silencedBy: string[] };
}

/** A real Alertmanager on a free loopback port, gossip off, storage in a temporary folder. */
export async function startAlertmanager(
  config = "route:\n  receiver: none\n  group_wait: 1h\nreceivers:\n  - name: none\n",
): Promise<{ url: string; stop(): Promise<void> }> {
  const dir = await Deno.makeTempDir({ prefix: "perfscope-am-" });
  await Deno.writeTextFile(`${dir}/am.yml`, config);
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  const child = new Deno.Command(AM!, {
    args: [
      `--config.file=${dir}/am.yml`,
      `--storage.path=${dir}/data`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--cluster.listen-address=",
      "--log.level=warn",
    ],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    const ready = await fetch(`${url}/-/ready`).then(
      (r) => r.body?.cancel().then(() => r.ok),
      () => false,
    );
    if (ready) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    async stop() {
      child.kill("SIGTERM");
      await child.stderr.cancel();
      await child.status;
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** Alertmanager's current alerts (resolved ones are not listed). */
export async function amAlerts(url: string, query = ""): Promise<AmAlert[]> {
  const res = await fetch(`${url}/api/v2/alerts${query}`);
  assert.equal(res.status, 200);
  return await res.json();
}

/** Polls until `check` accepts what Alertmanager lists (it applies pushes asynchronously). */
export async function until(
  url: string,
  check: (alerts: AmAlert[]) => boolean,
  query = "",
): Promise<AmAlert[]> {
  let last: AmAlert[] = [];
  for (let i = 0; i < 200; i++) {
    last = await amAlerts(url, query);
    if (check(last)) return last;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`Alertmanager never showed the expected alerts; last: ${JSON.stringify(last)}`);
}
