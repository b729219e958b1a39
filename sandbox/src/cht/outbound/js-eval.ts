// CHT evaluates `relevant_to` and mapping `expr` with vm.runInNewContext(source, {doc}) (reference
// cht.md §1.1, §1.3 step 3): only `doc` and JS built-ins are visible, and a non-string source is
// string-coerced. No timeout, as in CHT.
import { runInNewContext } from 'node:vm';

export function evaluate(source: unknown, doc: unknown): unknown {
  return runInNewContext(String(source), { doc }) as unknown;
}
