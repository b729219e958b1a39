// Document shapes of the CHT stand-in (reference cht.md §3). Docs are plain JSON; only the fields the
// stand-in reads are typed, the rest is carried through untouched.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface ChtDoc {
  _id: string;
  _rev?: string;
  _deleted?: boolean;
  type?: string;
  [key: string]: unknown;
}

/** Stored parent lineage: `{_id, parent:{_id, …}}` (§3.1). */
export interface MinifiedLineage {
  _id: string;
  parent?: MinifiedLineage;
}

export interface ReportError {
  code: string;
  message: string;
}

export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export const clone = <T>(value: T): T => structuredClone(value);
