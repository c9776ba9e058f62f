// Run by audit_kill_test.ts: starts a real action (sleep) and is killed with SIGKILL mid-way.
import { Workflows } from "../../workflows/mod.ts";

const root = Deno.args[0]!;
const wf = new Workflows({
  root,
  host: "h1",
  actions: [{ name: "nap", argv: ["sleep", "3"] }],
  workflows: [{
    name: "long",
    trigger: { alert: "A" },
    enabled: true,
    steps: [{ kind: "command", action: "nap" }],
  }],
});
await wf.fire("long", {
  type: "manual",
  why: "kill test",
  host: "h1",
  at: Date.now(),
  evidence: null,
});
