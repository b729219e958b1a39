import { HttpError } from '@cht-openmrs/common';
import { parsePatientPush, parseReportPush, parseShortcodeLink } from './payloads';

const problemsOf = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (error) {
    if (error instanceof HttpError && error.status === 400)
      return (error.details as { problems: string[] }).problems;
    throw error;
  }
  throw new Error('expected a 400');
};

describe('patient push', () => {
  it('reads the payload the CHT docs recipe sends', () => {
    const doc = {
      _id: '7590af23-1b1e-4e3b-9b7e-1c7d4b9d3a11',
      name: 'John Test',
      phone: '+254712345678',
      date_of_birth: '1980-06-06',
      sex: 'male',
      patient_id: '13985',
      parent: { _id: 'chw-area', parent: { _id: 'health-center', parent: { _id: 'district' } } },
    };
    expect(parsePatientPush({ doc })).toEqual({
      docId: doc._id,
      name: 'John Test',
      phone: '+254712345678',
      birthDate: '1980-06-06',
      sex: 'male',
      shortcode: '13985',
      lineage: ['chw-area', 'health-center', 'district'],
    });
  });

  it('takes the date of an ISO date-time birth date, as registration-created patients have', () => {
    expect(
      parsePatientPush({ doc: { _id: 'a', name: 'A', date_of_birth: '2020-01-02T00:00:00.000Z' } }).birthDate,
    ).toBe('2020-01-02');
  });

  it('names every invalid field in one 400', () => {
    expect(
      problemsOf(() =>
        parsePatientPush({ doc: { name: ' ', phone: 12, date_of_birth: '06/06/1980', sex: [] } }),
      ),
    ).toEqual([
      'doc._id: required',
      'doc.name: required',
      'doc.sex: expected text, got []',
      'doc.date_of_birth: expected a date (YYYY-MM-DD), got "06/06/1980"',
    ]);
    expect(problemsOf(() => parsePatientPush({ name: 'x' }))).toEqual([
      'doc: required, an object with the CHT person',
    ]);
  });
});

describe('patient id link', () => {
  it('reads the shortcode and the OpenMRS uuid', () => {
    expect(parseShortcodeLink({ doc: { _id: 'r1', patient_id: 12345, external_id: 'u-1' } })).toEqual({
      docId: 'r1',
      shortcode: '12345',
      openmrsUuid: 'u-1',
    });
    expect(problemsOf(() => parseShortcodeLink({ doc: {} }))).toEqual([
      'doc._id: required',
      'doc.patient_id: required',
      'doc.external_id: required',
    ]);
  });
});

describe('report push', () => {
  const base = { id: 'r-1', patient_uuid: 'p-1', reported_date: 1700000000000 };

  it('reads every value type and converts CHT strings to numbers', () => {
    const report = parseReportPush({
      ...base,
      form: 'height_weight',
      observations: [
        { code: 'a', valueString: 'text' },
        { code: 'b', valueCode: '1065AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
        { code: 'c', valueBoolean: 'yes' },
        { code: 'd', valueInteger: '3' },
        { code: 'e', valueDecimal: '72.5' },
        { code: 'f', valueDateTime: '2024-01-02' },
        { code: 'g', valueTime: '08:30' },
        { code: 'h', valueQuantity: { value: '36.6', unit: 'Cel' } },
      ],
    });
    expect(report).toMatchObject({
      id: 'r-1',
      patientRef: 'p-1',
      form: 'height_weight',
      reportedDate: '2023-11-14T22:13:20.000Z',
    });
    expect(report.observations.map((o) => o.value)).toEqual([
      { type: 'string', value: 'text' },
      { type: 'code', value: '1065AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
      { type: 'boolean', value: true },
      { type: 'integer', value: 3 },
      { type: 'decimal', value: 72.5 },
      { type: 'dateTime', value: '2024-01-02' },
      { type: 'time', value: '08:30:00' },
      { type: 'quantity', value: 36.6, unit: 'Cel' },
    ]);
  });

  it('omits observations whose valueCode is false or null, or that have no value, without failing', () => {
    const report = parseReportPush({
      ...base,
      observations: [
        { code: 'kept', valueString: 'x' },
        { code: 'no', valueCode: false },
        { code: 'null', valueCode: null },
        { code: 'blank' },
        null,
      ],
    });
    expect(report.observations.map((o) => o.code)).toEqual(['kept']);
    expect(report.omitted).toEqual([
      { code: 'no', reason: 'left out on purpose (valueCode is false)' },
      { code: 'null', reason: 'not answered (valueCode is null)' },
      { code: 'blank', reason: 'not answered (no value)' },
    ]);
  });

  it('accepts an ISO reported_date', () => {
    expect(parseReportPush({ ...base, reported_date: '2024-03-01T10:00:00+03:00' }).reportedDate).toBe(
      '2024-03-01T07:00:00.000Z',
    );
  });

  it('names every invalid field in one 400', () => {
    expect(
      problemsOf(() =>
        parseReportPush({
          patient_uuid: 'p',
          reported_date: 'yesterday',
          observations: [
            { valueString: 'x' },
            { code: 'n', valueDecimal: 'abc' },
            { code: 'two', valueString: 'x', valueInteger: 1 },
            { code: 't', valueTime: '25:00' },
            'weight',
          ],
        }),
      ),
    ).toEqual([
      'id: required',
      'reported_date: expected milliseconds since 1970 or an ISO date-time, got "yesterday"',
      'observations.0.code: required',
      'observations.1.valueDecimal: expected a number, got "abc"',
      'observations.2: has valueString and valueInteger; send exactly one value',
      'observations.3.valueTime: expected a time (HH:MM or HH:MM:SS), got "25:00"',
      'observations.4: expected an object with code and a value, got "weight"',
    ]);
  });
});
