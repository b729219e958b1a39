// PouchDB, typed here on purpose: @types/pouchdb-core carries `/// <reference lib="dom" />`, which
// changes Buffer typing for the whole repository's typecheck. This is the slice of PouchDB we use.
import type { ChtDoc } from '../core/types';

export interface PutResult {
  ok: boolean;
  id: string;
  rev: string;
}

export interface ChangeRow {
  id: string;
  seq: number | string;
  deleted?: boolean;
  doc?: ChtDoc;
}

export interface LiveChanges {
  on(event: 'change', listener: (change: ChangeRow) => void): LiveChanges;
  cancel(): void;
}

export interface FindResult {
  docs: ChtDoc[];
  warning?: string;
}

export interface AllDocsResult {
  rows: { id: string; value: { rev: string }; doc?: ChtDoc }[];
}

export interface Db {
  get(id: string): Promise<ChtDoc>;
  put(doc: ChtDoc | Record<string, unknown>): Promise<PutResult>;
  post(doc: unknown): Promise<PutResult>;
  remove(id: string, rev: string): Promise<PutResult>;
  bulkDocs(docs: unknown[]): Promise<unknown[]>;
  allDocs(options?: { startkey?: string; endkey?: string; include_docs?: boolean }): Promise<AllDocsResult>;
  find(request: Record<string, unknown>): Promise<FindResult>;
  changes(options: { since: number | string; include_docs?: boolean; limit?: number }): Promise<{
    results: ChangeRow[];
    last_seq: number | string;
  }>;
  changes(options: { since: 'now'; live: true }): LiveChanges;
  destroy(): Promise<unknown>;
  close(): Promise<unknown>;
}

type PouchConstructor = {
  new (name: string, options?: { adapter?: string }): Db;
  plugin(plugin: unknown): PouchConstructor;
};

/* eslint-disable @typescript-eslint/no-require-imports -- typed above instead of by @types/pouchdb */
export const PouchDB = (require('pouchdb') as PouchConstructor)
  .plugin(require('pouchdb-adapter-memory'))
  .plugin(require('pouchdb-find'));
/* eslint-enable @typescript-eslint/no-require-imports */
