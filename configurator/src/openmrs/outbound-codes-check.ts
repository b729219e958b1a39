// Checks that every observation code CHT's outbound push sends (cht-config's `observations.N.code`
// entries) is one the mapping can place: listed for its form, or a concept uuid under a "by-code" rule,
// and then a concept OpenMRS has. A code nothing places is skipped by the sync on every report.
import { formMapping, isConceptUuid, type Mapping } from '@cht-openmrs/common';
import type { Lookup, CheckLine } from './mapping-check';

interface OutboundConfig {
  relevant_to?: string;
  destination?: { path?: string };
  mapping?: Record<string, string | { expr?: string; path?: string }>;
}

export interface SentCode {
  entry: string;
  form: string | undefined;
  code: string;
}

/** The literal codes the outbound configs for reports send, with the form each config is relevant to. */
export function sentCodes(outbound: Record<string, OutboundConfig>): SentCode[] {
  const codes: SentCode[] = [];
  for (const [name, config] of Object.entries(outbound)) {
    if (!config.destination?.path?.endsWith('/cht/encounter')) continue;
    const form = /doc\.form\s*===?\s*'([^']+)'/.exec(config.relevant_to ?? '')?.[1];
    for (const [key, source] of Object.entries(config.mapping ?? {})) {
      if (!/^observations\.\d+\.code$/.test(key)) continue;
      const expr = typeof source === 'string' ? undefined : source.expr;
      const literal = expr && /^\s*'([^']*)'\s*$/.exec(expr)?.[1];
      if (literal) codes.push({ entry: `outbound.${name}.mapping.${key}`, form, code: literal });
    }
  }
  return codes;
}

export async function checkOutboundCodes(
  mapping: Mapping,
  outbound: Record<string, OutboundConfig>,
  lookup: Lookup,
): Promise<CheckLine[]> {
  const lines: CheckLine[] = [];
  for (const { entry, form, code } of sentCodes(outbound)) {
    const rule = formMapping(mapping, form);
    const listed = rule?.observations[code];
    if (listed) {
      lines.push({
        entry,
        what: 'observation code',
        ok: true,
        detail: `${code} → concept ${listed.concept}`,
      });
      continue;
    }
    if (rule?.unlisted !== 'by-code' || !isConceptUuid(code)) {
      const why = rule
        ? `form ${form ?? '(none)'} does not list it`
        : `no mapping for form ${form ?? '(none)'}`;
      lines.push({
        entry,
        what: 'observation code',
        ok: false,
        detail: `code ${code} cannot be placed (${why}, and it is not a concept uuid a "by-code" rule could send): add it to chtToOpenmrs.forms.${form ?? '*'}.observations or send a concept uuid`,
      });
      continue;
    }
    const concept = await lookup('concept', code);
    const ok = Boolean(concept && !concept.retired);
    lines.push({
      entry,
      what: 'observation code',
      ok,
      detail: ok
        ? `${code} → concept ${concept?.display ?? code} (by code)`
        : `no concept ${code} in OpenMRS`,
    });
  }
  return lines;
}
