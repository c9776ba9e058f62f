import assert from "node:assert/strict";
import { fileNames, maxDataFileId, parseDataFile } from "../../lake/_paths.ts";

Deno.test("maxDataFileId() reads a partition's names as parseDataFile does, without a regex", () => {
  const dir = Deno.makeTempDirSync();
  assert.equal(maxDataFileId(`${dir}/missing`), -1);
  assert.equal(maxDataFileId(dir), -1);
  const names = [
    "part-000000000000007.parquet",
    "compact-000000000000012.parquet",
    "part-99.parquet.tmp", // a writer's temporary file
    "part-.parquet",
    "part-1x.parquet",
    "part-٣٣.parquet", // not ASCII digits
    "compact-9999999999999999.parquet.bad",
    "Part-500.parquet",
    "part-500.Parquet",
    "xpart-600.parquet",
    "part-13.parquet",
  ];
  for (const name of names) Deno.writeFileSync(`${dir}/${name}`, new Uint8Array());
  Deno.mkdirSync(`${dir}/part-700.parquet`); // a directory, not a file
  const byRegex = Math.max(-1, ...fileNames(dir).map((n) => parseDataFile(n)?.id ?? -1));
  assert.equal(byRegex, 13);
  assert.equal(maxDataFileId(dir), byRegex);
  Deno.writeFileSync(`${dir}/compact-000000000000040.parquet`, new Uint8Array());
  assert.equal(maxDataFileId(dir), 40);
  Deno.removeSync(dir, { recursive: true });
});
