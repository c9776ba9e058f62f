import assert from "node:assert/strict";
import { startServe } from "../_serve.ts";

Deno.test("serve passes collect.procfs, sysfs, rootfs and cgroups on to its collector child", async () => {
  const dir = await Deno.makeTempDir();
  for (const d of ["proc", "sys", "rootfs"]) await Deno.mkdir(`${dir}/${d}`);
  const file = `${dir}/perfscope.yaml`;
  await Deno.writeTextFile(
    file,
    `data: ${dir}/lake\ncollect:\n  procfs: ${dir}/proc\n  sysfs: ${dir}/sys\n  rootfs: ${dir}/rootfs\n  cgroups: 7\n`,
  );
  const pids: number[] = [];
  const served = await startServe(["--config", file], {
    onCollectorSpawn: (pid) => pids.push(pid),
    compact: false,
  });
  try {
    for (let i = 0; i < 300 && pids.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(pids.length, 1);
    const args = Deno.readTextFileSync(`/proc/${pids[0]}/cmdline`).split("\0").join(" ");
    assert.match(
      args,
      new RegExp(`--procfs ${dir}/proc --sysfs ${dir}/sys --rootfs ${dir}/rootfs --cgroups 7 `),
    );
  } finally {
    served.stop();
    assert.equal(await served.done, 0);
    await Deno.remove(dir, { recursive: true });
  }
});
