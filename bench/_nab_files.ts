/**
 * NAB's CSV files of some categories, read once for the benches that score forecasts on them
 * (`forecast_transform_bench.ts nab`, `ratio_transform_bench.ts`, `nonratio_transform_bench.ts`).
 *
 * @module
 */
import { sharedData } from "./_shared_data.ts";
import { readCsvSeries } from "../analytics/series/csv_series.ts";

/** One NAB file: `category/name` (without `.csv`) and its values. */
export interface NabFile {
  name: string;
  y: Float64Array;
}

/**
 * Reads every `.csv` of each category under `nab/data/` of the shared data, sorted by name; a
 * category the shared copy lacks is skipped with one line on stdout.
 *
 * @param categories NAB folders, e.g. `realAWSCloudwatch`.
 * @returns The files, category by category.
 */
export function loadNabFiles(categories: readonly string[]): NabFile[] {
  const files: NabFile[] = [];
  for (const category of categories) {
    const dir = sharedData(`nab/data/${category}`);
    let names: string[];
    try {
      names = [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => n.endsWith(".csv"));
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
      console.log(`${category}: not in the shared data, skipped`);
      continue;
    }
    for (const name of names.sort()) {
      const y = readCsvSeries(Deno.readTextFileSync(`${dir}/${name}`)).values;
      files.push({ name: `${category}/${name.replace(/\.csv$/, "")}`, y });
    }
  }
  return files;
}
