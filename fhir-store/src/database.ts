// Storage on SQLite (better-sqlite3, synchronous): the current version of each resource, every version
// (history), and index tables per search parameter type. Writes are single SQLite transactions, and
// since better-sqlite3 blocks, no two requests' writes ever interleave: a conditional create cannot make
// two resources however many arrive at once.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Resource } from 'fhir/r4';
import { indexRowsOf } from './search-parameters';

export interface StoredRow {
  type: string;
  id: string;
  version: number;
  last_updated: string;
  deleted: number;
  json: string;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS resources (
  rowid INTEGER PRIMARY KEY, type TEXT NOT NULL, id TEXT NOT NULL, version INTEGER NOT NULL,
  last_updated TEXT NOT NULL, last_updated_ms INTEGER NOT NULL, deleted INTEGER NOT NULL DEFAULT 0, json TEXT NOT NULL,
  UNIQUE (type, id));
CREATE INDEX IF NOT EXISTS resources_updated ON resources (type, last_updated_ms);
CREATE TABLE IF NOT EXISTS history (
  type TEXT NOT NULL, id TEXT NOT NULL, version INTEGER NOT NULL, last_updated TEXT NOT NULL,
  deleted INTEGER NOT NULL, json TEXT NOT NULL, PRIMARY KEY (type, id, version)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS idx_token (resource INTEGER NOT NULL, param TEXT NOT NULL, system TEXT, value TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS idx_token_value ON idx_token (param, value, system);
CREATE INDEX IF NOT EXISTS idx_token_resource ON idx_token (resource);
CREATE TABLE IF NOT EXISTS idx_reference (resource INTEGER NOT NULL, param TEXT NOT NULL, target TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS idx_reference_target ON idx_reference (param, target);
CREATE INDEX IF NOT EXISTS idx_reference_resource ON idx_reference (resource);
CREATE TABLE IF NOT EXISTS idx_date (resource INTEGER NOT NULL, param TEXT NOT NULL, low INTEGER NOT NULL, high INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS idx_date_low ON idx_date (param, low);
CREATE INDEX IF NOT EXISTS idx_date_resource ON idx_date (resource);
CREATE TABLE IF NOT EXISTS idx_string (resource INTEGER NOT NULL, param TEXT NOT NULL, value TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS idx_string_value ON idx_string (param, value);
CREATE INDEX IF NOT EXISTS idx_string_resource ON idx_string (resource);
CREATE TABLE IF NOT EXISTS searches (id TEXT PRIMARY KEY, created_ms INTEGER NOT NULL, resource_type TEXT NOT NULL,
  matches TEXT NOT NULL, params TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sequence (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
`;

export class Store {
  readonly db: Database.Database;
  private readonly statements;

  constructor(file: string) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    // A group commit (group-commit.ts) holds many requests' pages at once, each request in a savepoint:
    // a page cache of 32 MB (SQLite's default is 2 MB) keeps them from spilling to the log before the
    // commit, and savepoint journals stay in memory instead of temporary files.
    this.db.pragma('cache_size = -32000');
    this.db.pragma('temp_store = MEMORY');
    // Index values are stored normalised (lower case), so LIKE 'prefix%' may use the indexes.
    this.db.pragma('case_sensitive_like = ON');
    this.db.exec(SCHEMA);
    const db = this.db;
    this.statements = {
      current: db.prepare<[string, string], StoredRow & { rowid: number }>(
        'SELECT rowid, type, id, version, last_updated, deleted, json FROM resources WHERE type = ? AND id = ?',
      ),
      version: db.prepare<[string, string, number], StoredRow>(
        'SELECT type, id, version, last_updated, deleted, json FROM history WHERE type = ? AND id = ? AND version = ?',
      ),
      history: db.prepare<[string, string], StoredRow>(
        'SELECT type, id, version, last_updated, deleted, json FROM history WHERE type = ? AND id = ? ORDER BY version DESC',
      ),
      insert: db.prepare(
        'INSERT INTO resources (type, id, version, last_updated, last_updated_ms, deleted, json) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      update: db.prepare(
        'UPDATE resources SET version = ?, last_updated = ?, last_updated_ms = ?, deleted = ?, json = ? WHERE rowid = ?',
      ),
      insertHistory: db.prepare(
        'INSERT INTO history (type, id, version, last_updated, deleted, json) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      nextId: db.prepare(
        "INSERT INTO sequence (name, value) VALUES ('resource', 1) ON CONFLICT(name) DO UPDATE SET value = value + 1 RETURNING value",
      ),
      clear: ['idx_token', 'idx_reference', 'idx_date', 'idx_string'].map((t) =>
        db.prepare(`DELETE FROM ${t} WHERE resource = ?`),
      ),
      token: db.prepare('INSERT INTO idx_token (resource, param, system, value) VALUES (?, ?, ?, ?)'),
      reference: db.prepare('INSERT INTO idx_reference (resource, param, target) VALUES (?, ?, ?)'),
      date: db.prepare('INSERT INTO idx_date (resource, param, low, high) VALUES (?, ?, ?, ?)'),
      string: db.prepare('INSERT INTO idx_string (resource, param, value) VALUES (?, ?, ?)'),
      referencing: db.prepare<[string], { type: string; id: string; param: string }>(
        'SELECT r.type, r.id, x.param FROM idx_reference x JOIN resources r ON r.rowid = x.resource WHERE x.target = ? AND r.deleted = 0 LIMIT 1',
      ),
    };
  }

  /** Server-assigned ids are sequential numbers, as HAPI's default SEQUENTIAL_NUMERIC strategy gives. */
  nextId(): string {
    return String((this.statements.nextId.get() as { value: number }).value);
  }

  current(type: string, id: string): (StoredRow & { rowid: number }) | undefined {
    return this.statements.current.get(type, id);
  }

  version(type: string, id: string, version: number): StoredRow | undefined {
    return this.statements.version.get(type, id, version);
  }

  history(type: string, id: string): StoredRow[] {
    return this.statements.history.all(type, id);
  }

  /** A resource that references `Type/id`, if any (deletes are refused while one does). */
  referencing(target: string): { type: string; id: string; param: string } | undefined {
    return this.statements.referencing.get(target);
  }

  /** Writes a new version: the current row, the history row and the index rows. */
  write(resource: Resource, version: number, lastUpdated: string, deleted: boolean): void {
    const type = resource.resourceType;
    const id = resource.id as string;
    const json = JSON.stringify(resource);
    const ms = Date.parse(lastUpdated);
    const existing = this.statements.current.get(type, id);
    let rowid: number;
    if (existing) {
      this.statements.update.run(version, lastUpdated, ms, deleted ? 1 : 0, json, existing.rowid);
      rowid = existing.rowid;
      for (const clear of this.statements.clear) clear.run(rowid);
    } else {
      rowid = Number(
        this.statements.insert.run(type, id, version, lastUpdated, ms, deleted ? 1 : 0, json).lastInsertRowid,
      );
    }
    this.statements.insertHistory.run(type, id, version, lastUpdated, deleted ? 1 : 0, json);
    if (!deleted) this.index(rowid, resource);
  }

  /** Rewrites the current version in place, making no new version (HAPI's `$meta-delete` does so). */
  rewriteCurrent(resource: Resource): void {
    const type = resource.resourceType;
    const id = resource.id as string;
    const existing = this.statements.current.get(type, id);
    if (!existing) return;
    const json = JSON.stringify(resource);
    this.db.prepare('UPDATE resources SET json = ? WHERE rowid = ?').run(json, existing.rowid);
    this.db
      .prepare('UPDATE history SET json = ? WHERE type = ? AND id = ? AND version = ?')
      .run(json, type, id, existing.version);
    for (const clear of this.statements.clear) clear.run(existing.rowid);
    this.index(existing.rowid, resource);
  }

  private index(rowid: number, resource: Resource): void {
    const rows = indexRowsOf(resource);
    for (const t of rows.tokens) this.statements.token.run(rowid, t.param, t.system, t.value);
    for (const r of rows.references) this.statements.reference.run(rowid, r.param, r.target);
    for (const d of rows.dates) this.statements.date.run(rowid, d.param, d.low, d.high);
    for (const s of rows.strings) this.statements.string.run(rowid, s.param, s.value);
  }

  transaction<T>(work: () => T): T {
    return this.db.transaction(work)();
  }

  close(): void {
    this.db.close();
  }
}
