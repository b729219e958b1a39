// The configurator's readable report: each step and check on one line, then the problems to fix.
import type { StepLine } from './openmrs/identifier-types';
import type { CheckLine } from './openmrs/mapping-check';

export interface Report {
  sections: { title: string; steps: StepLine[] }[];
  checks?: { title: string; lines: CheckLine[] };
}

export function problemsOf(report: Report, check: boolean): string[] {
  const problems: string[] = [];
  for (const { steps } of report.sections) {
    for (const line of steps) {
      if (line.outcome === 'problem' || (check && line.outcome === 'missing'))
        problems.push(`${line.step}: ${line.detail}`);
    }
  }
  for (const line of report.checks?.lines ?? []) if (!line.ok) problems.push(`${line.entry}: ${line.detail}`);
  return problems;
}

export function formatReport(report: Report, check: boolean): string {
  const out: string[] = [];
  for (const { title, steps } of report.sections) {
    out.push(title);
    for (const line of steps) {
      const mark = line.outcome === 'problem' || (check && line.outcome === 'missing') ? '✗' : '✓';
      out.push(`  ${mark} ${line.outcome.padEnd(9)} ${line.step}: ${line.detail}`);
    }
  }
  if (report.checks) {
    out.push(report.checks.title);
    for (const line of report.checks.lines)
      out.push(`  ${line.ok ? '✓' : '✗'} ${line.entry} (${line.what}): ${line.detail}`);
  }
  const problems = problemsOf(report, check);
  out.push(
    problems.length === 0
      ? 'No problems.'
      : `${problems.length} problem(s) to fix:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
  );
  return out.join('\n');
}
