// The mapping file is read again when it changes; a file with problems is not used and is named.
import { mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadMapping } from '@cht-openmrs/common';
import type { SyncContext } from './sync/context';
import { MappingFile } from './sync-runner';

const ORIGINAL = join(__dirname, '..', 'mapping.json');

function write(file: string, text: string, secondsLater: number) {
  writeFileSync(file, text);
  const at = new Date(Date.now() + secondsLater * 1000);
  utimesSync(file, at, at);
}

describe('MappingFile', () => {
  it('reads the file again when it changed, and keeps the last good mapping when it has problems', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'mapping-file-')), 'mapping.json');
    write(file, readFileSync(ORIGINAL, 'utf8'), 0);
    const context = { mapping: loadMapping(file) } as Pick<SyncContext, 'mapping'> as SyncContext;
    const mapping = new MappingFile(file);
    expect(mapping.refresh(context)).toBe(false);

    const changed = JSON.parse(readFileSync(ORIGINAL, 'utf8'));
    changed.chtToOpenmrs.forms.referral.visitDurationMinutes = 45;
    write(file, JSON.stringify(changed), 10);
    expect(mapping.refresh(context)).toBe(true);
    expect(context.mapping.chtToOpenmrs.forms.referral?.visitDurationMinutes).toBe(45);

    write(file, '{ "chtToOpenmrs": ', 20);
    expect(mapping.refresh(context)).toBe(false);
    expect(mapping.problem).toContain('cannot read it as JSON');
    expect(context.mapping.chtToOpenmrs.forms.referral?.visitDurationMinutes).toBe(45);
  });
});
