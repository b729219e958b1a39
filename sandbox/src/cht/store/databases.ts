// The three CouchDB databases CHT uses, as PouchDB: `medic` (docs), `medic-sentinel` (outbound tasks
// and infodocs, reference cht.md §3.3) and `medic-vault` (credentials, §2.5). In memory for tests, on
// disk (leveldown) for the demo.
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ChtDoc } from '../core/types';
import { type Db, PouchDB } from './pouch';

export type { Db } from './pouch';

export interface Databases {
  medic: Db;
  sentinel: Db;
  vault: Db;
  close(): Promise<void>;
}

export function openDatabases(options: { inMemory: boolean; dataDir: string }): Databases {
  // Memory databases are shared by name inside a process: a unique prefix keeps instances apart.
  const prefix = options.inMemory ? `cht-${randomUUID()}-` : `${options.dataDir}/`;
  if (!options.inMemory) mkdirSync(options.dataDir, { recursive: true });
  const open = (name: string): Db =>
    options.inMemory
      ? new PouchDB(`${prefix}${name}`, { adapter: 'memory' })
      : new PouchDB(join(prefix, name));
  const dbs = { medic: open('medic'), sentinel: open('medic-sentinel'), vault: open('medic-vault') };
  return {
    ...dbs,
    async close() {
      for (const db of Object.values(dbs)) {
        if (options.inMemory) await db.destroy();
        else await db.close();
      }
    },
  };
}

const isNotFound = (error: unknown) => (error as { status?: number }).status === 404;

/** A doc, or undefined when it is missing or deleted. */
export async function getOrUndefined(db: Db, id: string): Promise<ChtDoc | undefined> {
  try {
    return await db.get(id);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}
