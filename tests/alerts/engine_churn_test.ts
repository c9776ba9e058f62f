import assert from "node:assert/strict";
import { AlertEngine } from "../../alerts/mod.ts";

// Label churn: hosts and label sets that come and go (containers, autoscaled VMs, SQL rows) must
// not leave anything behind in the engine once they are forgotten, or memory grows with them.

Deno.test("Hosts that came and went leave no map behind once their series are forgotten", () => {
  const engine = new AlertEngine([{ alert: "Hot", metric: "m", above: 50 }]);
  // 40 short-lived hosts, one sample each, below the threshold
  const hosts = Array.from({ length: 40 }, (_, i) => `pod-${i}`);
  engine.observe({
    ts: hosts.map(() => 0),
    host: hosts,
    metric: hosts.map(() => "m"),
    labels: hosts.map(() => "cpu=0"),
    value: hosts.map(() => 1),
  });
  engine.evaluate(0);
  assert.deepEqual(engine.sizes(), { metrics: 1, hosts: 40, series: 40, instances: 40 });
  // one host stays; the others have been silent for more than 10 min at the next cleanup
  const later = 700_000;
  engine.observe({ ts: [later], host: ["stays"], metric: ["m"], labels: ["cpu=0"], value: [1] });
  engine.evaluate(later);
  assert.deepEqual(engine.sizes(), { metrics: 1, hosts: 1, series: 1, instances: 1 });
  // and when it goes too, the metric's map goes with it
  engine.evaluate(later + 700_000);
  assert.deepEqual(engine.sizes(), { metrics: 0, hosts: 0, series: 0, instances: 0 });
  // a host coming back is watched again
  engine.observe({
    ts: [1_500_000],
    host: ["pod-3"],
    metric: ["m"],
    labels: ["cpu=0"],
    value: [90],
  });
  assert.deepEqual(engine.evaluate(1_500_000).map((t) => [t.instance.labels.host, t.to]), [
    ["pod-3", "firing"],
  ]);
});
