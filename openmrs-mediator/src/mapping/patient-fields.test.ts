import type { Patient } from 'fhir/r4';
import { loadMapping } from '@cht-openmrs/common';
import { join } from 'node:path';
import { fieldsInCht, fieldsInOpenmrs, winners, type LastSynced } from './patient-fields';
import { patientUpdateForOpenmrs } from './patients';

const mapping = loadMapping(join(__dirname, '..', '..', 'mapping.json'));
const last: LastSynced = {
  cht: { name: 'Amina Wanjiru', phone: '+254700000001', gender: 'female', birthDate: '1990-01-01' },
  openmrs: { name: 'Amina Wanjiru', phone: '+254700000001', gender: 'female', birthDate: '1990' },
};

describe('winners', () => {
  it('gives each field to the side that edited it, and none to fields nobody edited', () => {
    const won = winners(
      {
        cht: { ...last.cht, phone: '+254700000002' },
        openmrs: { ...last.openmrs, gender: 'male' },
      },
      last,
      'cht',
    );
    expect(won).toEqual({ name: 'none', phone: 'cht', gender: 'openmrs', birthDate: 'none' });
  });

  it('gives a field both sides edited to the later edit; a tie to OpenMRS', () => {
    const edits = {
      cht: { ...last.cht, name: 'Amina Otieno' },
      openmrs: { ...last.openmrs, name: 'Amina Kamau' },
    };
    const at = (chtAt: string, openmrsAt: string) =>
      winners({ ...edits, chtAt, openmrsAt }, last, 'cht').name;
    expect(at('2024-01-01T10:00:01Z', '2024-01-01T10:00:00Z')).toBe('cht');
    expect(at('2024-01-01T10:00:00Z', '2024-01-01T10:00:01+00:00')).toBe('openmrs');
    expect(at('2024-01-01T10:00:00Z', '2024-01-01T13:00:00+03:00')).toBe('openmrs');
  });

  it('lets the side the change came from win when nothing was synced before', () => {
    const edits = { cht: last.cht ?? {}, openmrs: { ...last.openmrs, name: 'X' } };
    expect(winners(edits, undefined, 'cht').name).toBe('cht');
    expect(winners(edits, undefined, 'openmrs').name).toBe('openmrs');
  });
});

describe('fields in each side’s terms', () => {
  it('reads an estimated OpenMRS birth year as the full date CHT keeps', () => {
    const copy: Patient = { resourceType: 'Patient', name: [{ text: 'Ali  Hassan' }], birthDate: '1990' };
    expect(fieldsInCht(copy)).toEqual({ name: 'Ali Hassan', birthDate: '1990-01-01' });
    const openmrs: Patient = {
      resourceType: 'Patient',
      name: [{ given: ['Ali', 'Musa'], family: 'Hassan', text: 'Ali Musa Hassan' }],
      gender: 'male',
      birthDate: '1990',
    };
    expect(fieldsInOpenmrs(openmrs)).toEqual({ name: 'Ali Musa Hassan', gender: 'male', birthDate: '1990' });
  });
});

describe('patientUpdateForOpenmrs', () => {
  const current: Patient = {
    resourceType: 'Patient',
    id: 'omrs-1',
    name: [{ id: 'n1', given: ['Amina'], family: 'Wanjiru' }],
    telecom: [{ id: 't1', value: '+254700000001' }],
    gender: 'female',
    extension: [
      {
        url: 'http://fhir.openmrs.org/ext/person-attribute',
        extension: [
          { url: 'http://fhir.openmrs.org/ext/person-attribute-type', valueString: 'Telephone Number' },
          { url: 'http://fhir.openmrs.org/ext/person-attribute-value', valueString: '+254700000001' },
        ],
      },
    ],
  };
  const fromCht: Patient = {
    resourceType: 'Patient',
    name: [{ text: 'Amina Otieno', given: ['Amina'], family: 'Otieno' }],
    telecom: [{ system: 'phone', value: '+254700000002' }],
    gender: 'male',
  };

  it('leaves out the person attributes read, which OpenMRS would apply over the new telecom', () => {
    const body = patientUpdateForOpenmrs(current, fromCht, mapping);
    expect(body.telecom).toEqual([{ id: 't1', value: '+254700000002' }]);
    expect(body.extension).toBeUndefined();
  });

  it('changes only the fields it is given', () => {
    const body = patientUpdateForOpenmrs(current, fromCht, mapping, ['phone']);
    expect(body).toMatchObject({ gender: 'female', name: current.name });
    expect(body.telecom).toEqual([{ id: 't1', value: '+254700000002' }]);
  });
});
