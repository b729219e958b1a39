// mapDocumentToPayload (reference cht.md §1.3): builds the outbound payload of one config from the
// hydrated doc. A required value that is undefined, or an `expr` that throws, fails the whole push.
import type { MappingSource } from '../config/app-settings';
import { isObject } from '../core/types';
import { evaluate } from './js-eval';
import { getPath, setPath } from './object-path';
import { OutboundError } from './outbound-error';

interface Source {
  path?: string;
  expr?: unknown;
  required: boolean;
}

function normalise(configName: string, dest: string, source: MappingSource): Source {
  if (typeof source === 'string') return { path: source, required: true };
  if (!isObject(source) || (source.path === undefined && source.expr === undefined))
    // ≥4.17 (cht-core#9747): an entry with neither path nor expr is an error.
    throw new OutboundError(`Mapping error for '${configName}/${dest}': must have either 'path' or 'expr'`);
  return { path: source.path, expr: source.expr, required: !source.optional };
}

function valueOf(configName: string, dest: string, source: Source, doc: unknown): unknown {
  if (source.expr !== undefined) {
    try {
      return evaluate(source.expr, doc);
    } catch (error) {
      throw new OutboundError(
        `Mapping error for '${configName}/${dest}' JS error on source document: '${String(source.expr)}': ${(error as Error).message}`,
      );
    }
  }
  return getPath({ doc }, String(source.path));
}

/** Throws OutboundError when a required value is missing or an expr throws. */
export function mapDocumentToPayload(
  configName: string,
  mapping: Record<string, MappingSource>,
  doc: unknown,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [dest, raw] of Object.entries(mapping)) {
    const source = normalise(configName, dest, raw);
    const value = valueOf(configName, dest, source, doc);
    if (value === undefined) {
      if (!source.required) continue;
      const what =
        source.expr !== undefined
          ? `expr evaluated to undefined: '${String(source.expr)}'`
          : `cannot find '${String(source.path)}' on source document`;
      throw new OutboundError(`Mapping error for '${configName}/${dest}': ${what}`);
    }
    setPath(out, dest, value);
  }
  return out;
}
