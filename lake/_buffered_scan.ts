/**
 * Private: hands buffered rows to DuckDB for one statement through two table functions that read
 * them from this process's memory (rows as numbers, series as strings once each, like the tables
 * of `_buffered_tables.ts`). Nothing is created, appended or dropped: the statement names the
 * copy by number, `_perfscope_buffered_rows(7)`, and DuckDB asks for its chunks as it scans them
 * (a call into JavaScript per 2,048 rows, on the event loop, while the statement runs).
 *
 * @module
 */

import type {
  DuckDBConnection,
  DuckDBDataChunk,
  DuckDBTableFunctionBindInfo,
  DuckDBTableFunctionInfo,
  DuckDBTableFunctionInitInfo,
  DuckDBType,
} from "@duckdb/node-api";
import type { BufferedRows } from "./buffered_rows.ts";
import type { DuckDBApi } from "./_convert.ts";
import type { BufferedTables } from "./_buffered_tables.ts";

/** Rows per output chunk (DuckDB's vector size). */
const CHUNK = 2048;

/** The copies the functions serve, by number, and the functions themselves. */
export class BufferedScan {
  #pending = new Map<number, BufferedRows>();
  #next = 0;

  /**
   * Registers the two functions on `connection` (the instance's catalog: any of its
   * connections may call them).
   *
   * @param connection The lake's connection.
   * @param api The DuckDB module.
   */
  constructor(connection: DuckDBConnection, api: DuckDBApi) {
    const { DOUBLE, INTEGER, VARCHAR } = api;
    const fn = (
      name: string,
      columns: [string, DuckDBType][],
      pick: (rows: BufferedRows) => readonly (readonly (number | string)[])[],
    ) =>
      api.DuckDBTableFunction.create({
        name,
        parameterTypes: [INTEGER],
        bindFunction: (bind: DuckDBTableFunctionBindInfo) => {
          const rows = this.#pending.get(Number(bind.getParameter(0)));
          if (rows === undefined) return bind.setError(`${name}: no such rows`);
          for (const [c, t] of columns) bind.addResultColumn(c, t);
          const data = pick(rows);
          bind.setBindData({ data });
          bind.setCardinality(data[0]!.length, true);
        },
        initFunction: (init: DuckDBTableFunctionInitInfo) => {
          init.setInitData({ at: 0 });
          init.setMaxThreads(1);
        },
        mainFunction: (info: DuckDBTableFunctionInfo, out: DuckDBDataChunk) => {
          const { data } = info.bindData as { data: readonly (readonly (number | string)[])[] };
          const state = info.initData as { at: number };
          const at = state.at, m = Math.min(CHUNK, data[0]!.length - at);
          out.rowCount = m;
          if (m > 0) data.forEach((c, i) => out.setColumnValues(i, c.slice(at, at + m)));
          state.at += m;
        },
      });
    connection.registerTableFunction(
      fn("_perfscope_buffered_rows", [["ts", DOUBLE], ["value", DOUBLE], ["sid", INTEGER]], (r) => [
        r.ts,
        r.value,
        r.series,
      ]),
    );
    connection.registerTableFunction(
      fn(
        "_perfscope_buffered_series",
        [["sid", INTEGER], ["host", VARCHAR], ["metric", VARCHAR], ["labels", VARCHAR], [
          "date",
          VARCHAR,
        ]],
        (r) => [r.host.map((_, i) => i), r.host, r.metric, r.labels, r.date],
      ),
    );
  }

  /**
   * Holds `rows` for one statement.
   *
   * @param rows The copy.
   * @returns Its SELECT (the raw views' columns) and how to let it go.
   */
  add(rows: BufferedRows): BufferedTables {
    const id = ++this.#next;
    this.#pending.set(id, rows);
    return {
      select: "SELECT epoch_ms(CAST(r.ts AS BIGINT)) AS ts, s.host, s.metric, s.labels, r.value, " +
        `s.date FROM _perfscope_buffered_rows(${id}) r ` +
        `JOIN _perfscope_buffered_series(${id}) s USING (sid)`,
      drop: () => {
        this.#pending.delete(id);
        return Promise.resolve();
      },
    };
  }
}
