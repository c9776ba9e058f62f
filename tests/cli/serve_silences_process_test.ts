/**
 * Silences through a real `serve`: too broad matchers and a far end are refused with a 400 that
 * says why, and a `kill -9` while silences are being created loses none that was acknowledged
 * (201) when serve starts again on the same data.
 *
 * @module
 */
import assert from "node:assert/strict";
import { exited, spawnServe, stopServe } from "../_serve_process.ts";

const RULES = "rules:\n  - alert: Hot\n    metric: cpu_ratio\n    above: 0.9\n";

async function post(base: string, body: unknown): Promise<Response> {
  return await fetch(new URL("/api/silences", base), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

Deno.test("serve refuses match-everything and centuries-long silences, and keeps every acknowledged one across a kill -9", async () => {
  const dir = await Deno.makeTempDir({ prefix: "perfscope-silences-serve-" });
  try {
    const config = `${dir}/perfscope.yaml`, data = `${dir}/lake`;
    await Deno.writeTextFile(config, RULES);
    const args = ["--data", data, "--no-collect", "--config", config];
    const s = await spawnServe(args);
    const refused: [unknown, RegExp][] = [
      [{ matchers: ['alertname=~".+"'], duration: "1h" }, /alertname=~".\+" accepts every/],
      [{ matchers: ['alertname!=""'], duration: "1h" }, /alertname!="" accepts every/],
      [{ matchers: ['host="db1"'], duration: "36500d" }, /must end within 365 days/],
    ];
    for (const [body, why] of refused) {
      const res = await post(s.url, body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.match((await res.json()).error, why);
    }
    // four writers create silences until serve is killed under them
    const acked: string[] = [];
    let stop = false;
    const writers = Array.from({ length: 4 }, async (_, w) => {
      for (let i = 0; !stop; i++) {
        try {
          const res = await post(s.url, {
            matchers: [`host="w${w}-${i}"`],
            duration: "2h",
            comment: "x".repeat(200),
          });
          if (res.status !== 201) break;
          acked.push((await res.json()).silence.id);
        } catch {
          break; // the connection died with serve
        }
      }
    });
    while (acked.length < 300) await new Promise((r) => setTimeout(r, 5));
    s.process.kill("SIGKILL");
    await exited(s.process);
    stop = true;
    await Promise.all(writers);
    const again = await spawnServe(args);
    try {
      const listed = await (await fetch(new URL("/api/silences", again.url))).json();
      const kept = new Set(listed.silences.map((x: { id: string }) => x.id));
      const lost = acked.filter((id) => !kept.has(id));
      assert.deepEqual(lost, [], `${lost.length} of ${acked.length} acknowledged silences lost`);
      // and serve writes on after the restart
      const res = await post(again.url, { matchers: ['host="after"'], duration: "1h" });
      assert.equal(res.status, 201);
    } finally {
      assert.equal((await stopServe(again.process)).code, 0);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
