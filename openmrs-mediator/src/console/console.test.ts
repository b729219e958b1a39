// The console's pure parts: escaping, error kinds and fixes, progress estimates, and every view escaping
// what it shows (record fields come from CHWs and OpenMRS users).
import { errorKind, fixFor, stepOf } from './failure-text';
import type { FailureRow } from './failure-rows';
import { matching } from './failure-rows';
import { failuresPage } from './failures-view';
import { escapeHtml, html } from './html';
import { runAt } from './lineage-records';
import { lineagePage } from './lineage-view';
import { overviewPage } from './overview-view';
import { estimate, RunProgress } from './run-progress';

const EVIL = `<script>alert("x")</script>' onmouseover='x`;

describe('html', () => {
  it('escapes every interpolated value, and keeps nested html as it is', () => {
    const inner = html`<b>${EVIL}</b>`;
    const out = html`<p title="${EVIL}">${inner}${[EVIL, 1]}${null}${undefined}${false}</p>`.text;
    expect(out).not.toContain('<script>');
    expect(out).toContain('<b>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39; onmouseover=&#39;x</b>');
    expect(out).toContain('title="&lt;script&gt;');
    expect(out).toMatch(/x1<\/p>$/);
    expect(escapeHtml('a&b`')).toBe('a&amp;b&#96;');
  });
});

describe('failure text', () => {
  const error =
    'Encounter/cht-r1: Observation/cht-obs-1 (5088AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA): concept 5088AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA is coded, got 38.5; expected an answer concept uuid';

  it('groups errors that differ only in ids and values', () => {
    const other = error.replace(/cht-r1/g, 'cht-r2').replace('38.5', '39');
    expect(errorKind(other)).toBe(errorKind(error));
    expect(errorKind(error)).toContain('concept <concept> is coded, got N');
  });

  it('names the step and the fix the error implies', () => {
    expect(stepOf('encounters-to-openmrs')).toContain('CHT report → OpenMRS');
    expect(fixFor(error)).toContain('mapping file');
    expect(fixFor('Patient/1 is not in OpenMRS yet')).toContain("patient's own item");
    expect(fixFor('OpenMRS answered 422: Identifier 123 already in use')).toContain('OpenMRS holds');
    expect(fixFor('something new')).toContain('Read the error');
  });
});

describe('progress', () => {
  it('counts each stream of the current run, and estimates the end from the rate', () => {
    let now = Date.parse('2024-01-01T00:00:00Z');
    const progress = new RunProgress(() => now);
    progress.runStarted('2024-01-01T00:00:00.000Z');
    progress.streamStarted('patients-to-openmrs', '1970-01-01T00:00:00Z');
    for (let i = 0; i < 10; i += 1) progress.itemDone('patients-to-openmrs', i === 0 ? 'failed' : 'created');
    now += 5000;
    const current = progress.snapshot().current;
    expect(current).toMatchObject({ stream: 'patients-to-openmrs', done: 10, failed: 1 });
    expect(estimate(current!, 30, now)).toEqual({
      done: 10,
      remaining: 20,
      rate: 2,
      estimatedEnd: '2024-01-01T00:00:15.000Z',
    });
    progress.runEnded();
    expect(progress.snapshot().running).toBe(false);
    expect(progress.snapshot().current).toBeUndefined();
  });
});

const row: FailureRow = {
  id: 'task-1',
  state: 'parked',
  stream: 'encounters-to-openmrs',
  step: stepOf('encounters-to-openmrs'),
  focus: 'Encounter/cht-r1',
  attempts: 8,
  nextAttempt: '2024-01-01T00:00:00Z',
  error: EVIL,
  kind: errorKind(EVIL),
  fix: fixFor(EVIL),
  person: { name: EVIL, chtDocumentId: `doc"${EVIL}`, openmrsUuid: 'u-1' },
  report: { form: EVIL, chtDocumentId: 'r1' },
};

describe('views escape what they show', () => {
  it('failures', () => {
    const page = failuresPage({
      rows: [row],
      total: 1,
      query: EVIL,
      unplaced: [{ fhirId: 'p', name: EVIL, reason: EVIL, address: EVIL }],
      notice: EVIL,
    });
    expect(page).not.toContain('<script>alert');
    expect(page).not.toContain("' onmouseover='");
    expect(page).toContain('href="/console/lineage?id=doc%22%3Cscript%3E');
  });

  it('overview', () => {
    const page = overviewPage({
      peers: [{ peer: EVIL, url: EVIL, ok: false, problem: EVIL, checkedAt: EVIL }],
      runs: [
        {
          startedAt: EVIL,
          outcome: 'ran',
          complete: false,
          streams: { [EVIL]: { error: EVIL } },
          trigger: EVIL,
        },
      ],
      cursors: { [EVIL]: EVIL },
      queue: { queued: 0, waiting: 0, parked: 1 },
      unplaced: 0,
      mapping: { file: EVIL, loadedAt: EVIL, problem: EVIL },
      progress: { stream: EVIL, estimate: { done: 1 }, startedAt: EVIL },
    });
    expect(page).not.toContain('<script>alert');
    expect(page).toContain('http-equiv="refresh"');
  });

  it('lineage', () => {
    const page = lineagePage({
      query: EVIL,
      records: [
        {
          kind: 'patient',
          title: EVIL,
          origin: EVIL,
          steps: [
            {
              system: 'CHT',
              what: EVIL,
              id: EVIL,
              status: EVIL,
              detail: EVIL,
              transactions: [{ id: EVIL, note: EVIL }],
            },
          ],
          related: [{ label: EVIL, id: EVIL }],
        },
      ],
    });
    expect(page).not.toContain('<script>alert');
    expect(page).not.toContain("' onmouseover='");
  });

  it('finds rows by any word of the person, ids, form or error', () => {
    expect(matching([row], 'SCRIPT r1')).toHaveLength(1);
    expect(matching([row], 'nobody')).toHaveLength(0);
  });
});

describe('lineage: which run wrote a version', () => {
  const runs = [
    { startedAt: '2024-01-01T00:01:00.000Z', durationMs: 2000, transactionId: '6b1579f12548b7f2ea2a9493' },
    { startedAt: '2024-01-01T00:00:00.000Z', durationMs: 500, trigger: 'console' },
  ];

  it('names the OpenHIM transaction of the run whose time covers the version, or says why it cannot', () => {
    expect(runAt(runs, '2024-01-01T00:01:01.500Z')).toEqual([
      { id: '6b1579f12548b7f2ea2a9493', time: '2024-01-01T00:01:00.000Z' },
    ]);
    expect(runAt(runs, '2024-01-01T00:00:00.200Z')[0]?.note).toContain('from console');
    expect(runAt(runs, '2023-12-31T00:00:00Z')[0]?.note).toContain('older than the run history');
    expect(runAt(runs, undefined)).toEqual([]);
  });
});
