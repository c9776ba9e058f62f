import assert from "node:assert/strict";
import { missing } from "../_skip.ts";

const dir = new URL("../../examples/systemd/", import.meta.url).pathname;
const units = ["perfscope-collect.service", "perfscope-serve.service"];

Deno.test("the systemd units carry the hardening a reviewer expects and a restart policy", () => {
  for (const unit of units) {
    const text = Deno.readTextFileSync(`${dir}${unit}`);
    for (
      const line of [
        "DynamicUser=yes",
        "StateDirectory=perfscope",
        "ProtectSystem=strict",
        "ProtectHome=yes",
        "NoNewPrivileges=yes",
        "CapabilityBoundingSet=\n",
        "Restart=",
      ]
    ) assert.ok(text.includes(line), `${unit} lacks ${line.trim()}`);
  }
});

Deno.test({
  name: "systemd-analyze verify accepts the units",
  ignore: missing("systemd-analyze", "the unit file check"),
  async fn() {
    const out = await new Deno.Command("systemd-analyze", {
      args: ["verify", ...units.map((u) => `${dir}${u}`)],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stderr) + new TextDecoder().decode(out.stdout);
    // only complaints about the unit files themselves count (not the host's other units)
    const ours = text.split("\n").filter((l) => l.includes("perfscope-"));
    assert.deepEqual(ours, []);
  },
});
