import { getTableConfig as pgTable, PgTable } from 'drizzle-orm/pg-core';
import { getTableConfig as sqliteTable, SQLiteTable } from 'drizzle-orm/sqlite-core';
import { describe, expect, it } from 'vitest';
import * as pg from '../src/schema-pg.ts';
import * as sqlite from '../src/schema.ts';

/**
 * The two stores' schemas describe the same tables: the same columns (name, nullability, default,
 * key), the same indexes (name, columns, uniqueness). Types differ only as the dialects do: a
 * SQLite boolean-mode integer is a PostgreSQL boolean, an autoincrement rowid an identity column.
 */
type Shape = {
  columns: Record<string, { type: string; notNull: boolean; default: unknown; primary: boolean }>;
  primaryKey: string[];
  indexes: Record<string, { columns: string[]; unique: boolean }>;
};

const TYPE: Record<string, string> = {
  SQLiteText: 'text',
  PgText: 'text',
  SQLiteInteger: 'integer',
  PgInteger: 'integer',
  SQLiteBoolean: 'boolean',
  PgBoolean: 'boolean',
};

function shape(cfg: ReturnType<typeof pgTable> | ReturnType<typeof sqliteTable>): Shape {
  const columns: Shape['columns'] = {};
  for (const c of cfg.columns) {
    const type = TYPE[c.columnType];
    if (!type) throw new Error(`unmapped column type ${c.columnType} (${cfg.name}.${c.name})`);
    columns[c.name] = { type, notNull: c.notNull, default: c.default, primary: c.primary };
  }
  const indexes: Shape['indexes'] = {};
  for (const i of cfg.indexes) {
    const cols = i.config.columns.map((x) => (x as { name: string }).name);
    indexes[i.config.name!] = { columns: cols, unique: !!i.config.unique };
  }
  return { columns, primaryKey: cfg.primaryKeys.flatMap((k) => k.columns.map((c) => c.name)), indexes };
}

const tables = <T>(mod: Record<string, unknown>, cls: abstract new (...a: never[]) => T) =>
  Object.fromEntries(Object.entries(mod).filter(([, v]) => v instanceof cls)) as Record<string, T>;

describe('the SQLite and PostgreSQL schemas', () => {
  const a = tables(sqlite, SQLiteTable);
  const b = tables(pg, PgTable);

  it('declare the same tables', () => {
    expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
    expect(Object.keys(a).length).toBeGreaterThan(10);
  });

  for (const name of Object.keys(a)) {
    it(`describe ${name} with the same columns, keys and indexes`, () => {
      const left = shape(sqliteTable(a[name]!));
      const right = shape(pgTable(b[name]!));
      expect(sqliteTable(a[name]!).name).toBe(pgTable(b[name]!).name);
      expect(right).toEqual(left);
    });
  }
});
