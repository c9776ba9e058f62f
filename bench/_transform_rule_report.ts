/**
 * The text the two pre-registered transform-rule benches (`ratio_transform_bench.ts`,
 * `nonratio_transform_bench.ts`) print: one file's line per candidate, a fold's table, and the
 * folds' choices with the in-fold and out-of-fold tables. Strings, so both benches print the same
 * layout and it is tested apart from the minutes of forecasting behind it.
 *
 * @module
 */
import { type Choice, figures, type Sums, type Table } from "./_transform_rule.ts";

/**
 * One file's lines: per candidate, the MSE ratio to none at each horizon, the 80 % coverage at
 * each horizon, the overshoots out of the forecasts, and the histories transformed at the first
 * horizon (with their mean λ).
 *
 * @param name The file's name.
 * @param fold The fold it belongs to.
 * @param file Its sums, per candidate and horizon (candidate 0 is none).
 * @param labels The candidates' labels.
 * @returns The lines, newline-separated, without a trailing newline.
 */
export function fileLines(
  name: string,
  fold: string,
  file: Sums[][],
  labels: readonly string[],
): string {
  const lines = [`${name}  (fold ${fold})`];
  labels.forEach((label, c) => {
    const s = file[c]!, none = file[0]!;
    // none against itself is 1 even where its error is 0
    const ratios = s.map((h, k) => (h.se === none[k]!.se ? 1 : h.se / none[k]!.se).toFixed(4));
    const l = s[0]!.lambdas.filter((x) => x === x);
    lines.push(
      `  ${label.padEnd(18)} ${ratios.join(" ")} | ${
        s.map((h) => (h.in80 / h.points).toFixed(2)).join(" ")
      } | ${s.map((h) => `${h.over}/${h.forecasts}`).join(" ")} | ${s[0]!.applied}${
        l.length ? ` (λ ${(l.reduce((x, y) => x + y, 0) / l.length).toFixed(2)})` : ""
      }`,
    );
  });
  return lines.join("\n");
}

/**
 * A fold's table: M, both coverages and the overshoot rate of each candidate at each horizon.
 *
 * @param title The table's title line.
 * @param table The sums.
 * @param idx Indices of the fold's files.
 * @param labels The candidates' labels.
 * @param horizons The horizons, in the table's order.
 * @param only With it, only none and this candidate.
 * @returns The table, starting with an empty line, without a trailing newline.
 */
export function foldTable(
  title: string,
  table: Table,
  idx: readonly number[],
  labels: readonly string[],
  horizons: readonly number[],
  only?: number,
): string {
  const lines = [
    `\n${title}`,
    "candidate".padEnd(20) + horizons.map((H) => `| H=${H}: M       cov80  cov95  overshoot `)
      .join(""),
  ];
  labels.forEach((label, c) => {
    if (only !== undefined && c !== 0 && c !== only) return;
    const cells = horizons.map((_, k) => {
      const f = figures(table, idx, c, k);
      return `|      ${f.m.toFixed(4)}  ${f.c80.toFixed(3)}  ${f.c95.toFixed(3)}  ${
        f.over.toFixed(3)
      }     `;
    });
    lines.push(label.padEnd(20) + cells.join(""));
  });
  return lines.join("\n");
}

/**
 * What the rule did on each of two folds (A, B): each fold's in-fold choice with every
 * candidate's product or the reasons it was not eligible; each fold's table; each choice scored on
 * the other fold (the out-of-fold figures); and every file together, in-fold, for reference.
 *
 * @param table The sums.
 * @param labels The candidates' labels.
 * @param horizons The horizons, in the table's order.
 * @param folds The two folds' file indices and the rule's choice on each.
 * @param allTitle The title of the table of every file.
 * @returns The text, without a trailing newline.
 */
export function foldsReport(
  table: Table,
  labels: readonly string[],
  horizons: readonly number[],
  folds: { a: readonly number[]; b: readonly number[]; onA: Choice; onB: Choice },
  allTitle: string,
): string {
  const { a, b, onA, onB } = folds;
  const out: string[] = [];
  for (const [name, r] of [["A", onA], ["B", onB]] as const) {
    out.push(`\nrule on fold ${name} (in-fold): chooses ${labels[r.chosen]}`);
    labels.forEach((label, c) => {
      if (c === 0) return;
      const why = r.reasons[c]!;
      out.push(
        `  ${label}: product ${r.product[c]!.toFixed(4)}, ${
          why.length ? `not eligible (${why.join("; ")})` : "eligible"
        }`,
      );
    });
  }
  const fold = (title: string, idx: readonly number[], only?: number) =>
    out.push(foldTable(title, table, idx, labels, horizons, only));
  fold("fold A, every candidate (in-fold for A's choice)", a);
  fold("fold B, every candidate (in-fold for B's choice)", b);
  fold(`OUT-OF-FOLD: fold A's choice (${labels[onA.chosen]}) on fold B`, b, onA.chosen);
  fold(`OUT-OF-FOLD: fold B's choice (${labels[onB.chosen]}) on fold A`, a, onB.chosen);
  fold(allTitle, [...a, ...b]);
  return out.join("\n");
}
