// One in-memory collection of documents keyed by `_id`, with MongoDB's unique indexes (a duplicate
// answers E11000). Reads return copies, so nothing outside can change a stored document by accident.
import { DuplicateKeyError } from '../model/errors';
import type { Stored } from '../model/types';

export interface UniqueIndex<T> {
  field: string;
  key: (doc: T) => unknown;
  /** Sparse/partial index: documents without a value are not indexed. */
  sparse?: boolean;
}

export class Collection<T extends Stored> {
  private readonly docs = new Map<string, T>();

  constructor(
    readonly name: string,
    private readonly uniques: UniqueIndex<T>[],
    private readonly changed: () => void,
  ) {}

  all(): T[] {
    return [...this.docs.values()].map((doc) => structuredClone(doc));
  }

  get size(): number {
    return this.docs.size;
  }

  findById(id: string): T | undefined {
    const doc = this.docs.get(id);
    return doc && structuredClone(doc);
  }

  find(predicate: (doc: T) => boolean): T[] {
    return [...this.docs.values()].filter(predicate).map((doc) => structuredClone(doc));
  }

  findOne(predicate: (doc: T) => boolean): T | undefined {
    for (const doc of this.docs.values()) if (predicate(doc)) return structuredClone(doc);
    return undefined;
  }

  count(predicate: (doc: T) => boolean): number {
    let n = 0;
    for (const doc of this.docs.values()) if (predicate(doc)) n += 1;
    return n;
  }

  /** Inserts or replaces by `_id`. Throws DuplicateKeyError when a unique index would clash. */
  save(doc: T): T {
    for (const index of this.uniques) {
      const value = index.key(doc);
      if (index.sparse && (value === undefined || value === null)) continue;
      for (const other of this.docs.values())
        if (other._id !== doc._id && index.key(other) === value)
          throw new DuplicateKeyError(this.name, index.field, value);
    }
    this.docs.set(doc._id, structuredClone(doc));
    this.changed();
    return structuredClone(doc);
  }

  /** Applies `change` to the stored document, if there is one; returns the result. */
  update(id: string, change: (doc: T) => T): T | undefined {
    const doc = this.docs.get(id);
    if (!doc) return undefined;
    return this.save(change(structuredClone(doc)));
  }

  remove(id: string): T | undefined {
    const doc = this.docs.get(id);
    if (doc) {
      this.docs.delete(id);
      this.changed();
    }
    return doc;
  }

  /** Replaces everything (loading a state file). */
  load(docs: T[]): void {
    this.docs.clear();
    for (const doc of docs) this.docs.set(doc._id, structuredClone(doc));
  }
}
