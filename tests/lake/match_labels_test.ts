import assert from "node:assert/strict";
import { listLabelSets, matchLabels } from "../../lake/mod.ts";

const FS = [
  "device=sda1,fstype=ext4,mountpoint=/",
  "device=sda2,fstype=ext4,mountpoint=/home",
  "device=sdb1,fstype=xfs,mountpoint=/var",
];

Deno.test("matchLabels() picks the label sets holding every given pair, whatever else they hold", () => {
  assert.deepEqual(matchLabels(FS, "mountpoint=/"), [FS[0]]);
  assert.deepEqual(matchLabels(FS, "fstype=ext4"), [FS[0], FS[1]]);
  assert.deepEqual(matchLabels(FS, "fstype=ext4,mountpoint=/home"), [FS[1]]);
  assert.deepEqual(matchLabels(FS, "fstype=xfs,mountpoint=/"), []);
  assert.deepEqual(matchLabels(FS, "mount=/"), []);
  assert.deepEqual(matchLabels([...FS, ...FS], ""), FS);
});

Deno.test("matchLabels() prefers an exact match to the sets that extend it", () => {
  assert.deepEqual(matchLabels(["", "cpu=0"], ""), [""]);
  assert.deepEqual(matchLabels(["cpu=0", "cpu=0,mode=user"], "cpu=0"), ["cpu=0"]);
});

Deno.test("matchLabels() compares escaped values whole, not as text", () => {
  const sets = ["mountpoint=/a\\,b", "mountpoint=/a"];
  assert.deepEqual(matchLabels(sets, "mountpoint=/a"), ["mountpoint=/a"]);
  assert.deepEqual(matchLabels(["device=x,mountpoint=/a\\,b"], "mountpoint=/a\\,b"), [
    "device=x,mountpoint=/a\\,b",
  ]);
});

Deno.test("listLabelSets() caps the list and says how many it left out", () => {
  assert.equal(listLabelSets(FS), FS.map((s) => `{${s}}`).join(", "));
  assert.equal(
    listLabelSets(FS, 1),
    "{device=sda1,fstype=ext4,mountpoint=/} … and 2 more",
  );
});
