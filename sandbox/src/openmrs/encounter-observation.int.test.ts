// §12.16–30 of openmrs-fhir2.md: visits, encounters and observations, against the running stand-in.
import type { Bundle, Encounter, Observation } from 'fhir/r4';
import {
  DANGER_SIGNS,
  diagnostics,
  encounterBody,
  FACILITY_VISIT,
  LMP,
  observationBody,
  PREGNANCY_STATUS,
  REFERRED,
  startKit,
  SYSTOLIC,
  visitBody,
  WEIGHT,
  YES,
  type Kit,
} from './test-support/openmrs-test-kit';

let kit: Kit;
beforeAll(async () => {
  kit = await startKit();
});
afterAll(() => kit.close());

describe('Encounter and Visit', () => {
  it('§12.16 POST a Home Visit: 201, tagged visit, status unknown, no period.end', async () => {
    const patient = await kit.patient();
    const response = await kit.fhir.post(
      '/Encounter',
      visitBody(patient.id ?? '', '2024-03-01T08:00:00+00:00'),
    );
    expect(response.status).toBe(201);
    const visit = response.data as Encounter;
    expect(visit.meta?.tag).toEqual([
      { system: 'http://fhir.openmrs.org/ext/encounter-tag', code: 'visit', display: 'Visit' },
    ]);
    expect(visit.status).toBe('unknown');
    expect(visit.period).toEqual({ start: '2024-03-01T08:00:00+00:00' });
    expect(visit.partOf).toBeUndefined();
  });

  it('§12.17 a second open visit overlaps (422); ending the first with period.end is 200', async () => {
    const patient = await kit.patient();
    const first = await kit.create(visitBody(patient.id ?? '', '2024-03-01T08:00:00+00:00'));
    const second = await kit.fhir.post(
      '/Encounter',
      visitBody(patient.id ?? '', '2024-03-02T08:00:00+00:00', undefined, FACILITY_VISIT),
    );
    expect(second.status).toBe(422);
    expect(diagnostics(second.data)).toBe(
      "'Visit #null' failed to validate with reason: startDatetime: This visit overlaps with another visit of the same patient.",
    );
    const ended = await kit.fhir.put(`/Encounter/${first.id}`, {
      ...first,
      period: { start: first.period?.start, end: '2024-03-01T09:00:00+00:00' },
    });
    expect(ended.status).toBe(200);
    expect((ended.data as Encounter).period?.end).toBe('2024-03-01T09:00:00+00:00');
    expect(
      (await kit.fhir.post('/Encounter', visitBody(patient.id ?? '', '2024-03-02T08:00:00+00:00'))).status,
    ).toBe(201);
  });

  it('§12.18 an encounter inside its visit is 201 with partOf and no end; outside the visit or in the future is 422', async () => {
    const patient = await kit.patient();
    const visit = await kit.create(
      visitBody(patient.id ?? '', '2024-04-01T08:00:00+00:00', '2024-04-01T10:00:00+00:00'),
    );
    const inside = await kit.fhir.post(
      '/Encounter',
      encounterBody(patient.id ?? '', '2024-04-01T08:30:00+00:00', visit.id),
    );
    expect(inside.status).toBe(201);
    expect((inside.data as Encounter).partOf).toEqual({
      reference: `Encounter/${visit.id}`,
      type: 'Encounter',
    });
    expect((inside.data as Encounter).period).toEqual({ start: '2024-04-01T08:30:00+00:00' });
    const outside = await kit.fhir.post(
      '/Encounter',
      encounterBody(patient.id ?? '', '2024-04-01T11:00:00+00:00', visit.id),
    );
    expect(outside.status).toBe(422);
    expect(diagnostics(outside.data)).toContain(
      'encounterDatetime: The encounter datetime should be between the visit start and stop dates.',
    );
    const future = await kit.fhir.post(
      '/Encounter',
      encounterBody(patient.id ?? '', '2999-01-01T00:00:00+00:00'),
    );
    expect(future.status).toBe(422);
    expect(diagnostics(future.data)).toContain(
      'encounterDatetime: The encounter datetime should be before the current date.',
    );
  });

  it('§12.19 no partOf means no visit (no auto-assignment); a PUT without partOf unlinks', async () => {
    const patient = await kit.patient();
    const visit = await kit.create(
      visitBody(patient.id ?? '', '2024-05-01T08:00:00+00:00', '2024-05-01T10:00:00+00:00'),
    );
    const loose = await kit.create(encounterBody(patient.id ?? '', '2024-05-01T08:30:00+00:00'));
    expect(loose.partOf).toBeUndefined();
    const linked = await kit.create(encounterBody(patient.id ?? '', '2024-05-01T08:45:00+00:00', visit.id));
    const { partOf: _p, ...withoutPartOf } = linked;
    const unlinked = await kit.fhir.put(`/Encounter/${linked.id}`, withoutPartOf);
    expect(unlinked.status).toBe(200);
    expect((unlinked.data as Encounter).partOf).toBeUndefined();
  });

  it('§12.20 no recognised type system, or both, is 400 "Invalid type of request"; an unknown type uuid is 422', async () => {
    const patient = await kit.patient();
    const none = {
      ...encounterBody(patient.id ?? '', '2024-01-01T00:00:00+00:00'),
      type: [{ coding: [{ system: 'http://x', code: 'y' }] }],
    };
    const both = {
      ...encounterBody(patient.id ?? '', '2024-01-01T00:00:00+00:00'),
      type: [...(visitBody('x', 'y').type ?? []), ...(encounterBody('x', 'y').type ?? [])],
    };
    for (const body of [none, both]) {
      const response = await kit.fhir.post('/Encounter', body);
      expect([response.status, diagnostics(response.data)]).toEqual([400, 'Invalid type of request']);
    }
    const unknownType = {
      ...encounterBody(patient.id ?? '', '2024-01-01T00:00:00+00:00'),
      type: [
        {
          coding: [
            {
              system: 'http://fhir.openmrs.org/code-system/encounter-type',
              code: '00000000-0000-0000-0000-000000000000',
            },
          ],
        },
      ],
    };
    const response = await kit.fhir.post('/Encounter', unknownType);
    expect(response.status).toBe(422);
    expect(diagnostics(response.data)).toContain('encounterType: Encounter type is Required');
  });

  it('§12.21 a Practitioner subject or a bare uuid is 500; an unknown patient is 422 "patient: Patient is Required"', async () => {
    const patient = await kit.patient();
    const base = encounterBody(patient.id ?? '', '2024-01-01T00:00:00+00:00');
    const practitioner = await kit.fhir.post('/Encounter', {
      ...base,
      subject: { reference: 'Practitioner/x' },
    });
    expect(practitioner.status).toBe(500);
    expect(diagnostics(practitioner.data)).toMatch(
      /^HAPI-0389: Failed to call access method: java.lang.IllegalArgumentException/,
    );
    const bare = await kit.fhir.post('/Encounter', { ...base, subject: { reference: patient.id } });
    expect(bare.status).toBe(500);
    const unknown = await kit.fhir.post('/Encounter', {
      ...base,
      subject: { reference: 'Patient/00000000-0000-0000-0000-000000000000' },
    });
    expect(unknown.status).toBe(422);
    expect(diagnostics(unknown.data)).toContain('patient: Patient is Required');
  });

  it('§12.22 Encounter search: visits then encounters, total = both; _tag narrows; an unknown tag is empty', async () => {
    const patient = await kit.patient();
    const encounter = await kit.create(encounterBody(patient.id ?? '', '2024-06-01T07:00:00+00:00'));
    const visit = await kit.create(
      visitBody(patient.id ?? '', '2024-06-01T08:00:00+00:00', '2024-06-01T09:00:00+00:00'),
    );
    const all = (await kit.fhir.get('/Encounter', { params: { subject: patient.id } })).data as Bundle;
    expect(all.entry?.map((e) => e.resource?.id)).toEqual([visit.id, encounter.id]);
    expect(all.total).toBe(2);
    const encountersOnly = (
      await kit.fhir.get('/Encounter', {
        params: { subject: patient.id, _tag: 'http://fhir.openmrs.org/ext/encounter-tag|encounter' },
      })
    ).data as Bundle;
    expect(encountersOnly.entry?.map((e) => e.resource?.id)).toEqual([encounter.id]);
    const foo = (await kit.fhir.get('/Encounter', { params: { subject: patient.id, _tag: 'foo' } }))
      .data as Bundle;
    expect(foo.total).toBe(0);
    expect(foo.entry ?? []).toEqual([]);
  });

  it('§12.23 GET /Encounter/<visit> reads the visit; deleting a visit voids its encounters and their obs', async () => {
    const patient = await kit.patient();
    const visit = await kit.create(
      visitBody(patient.id ?? '', '2024-07-01T08:00:00+00:00', '2024-07-01T10:00:00+00:00'),
    );
    expect(((await kit.fhir.get(`/Encounter/${visit.id}`)).data as Encounter).meta?.tag?.[0]?.code).toBe(
      'visit',
    );
    const encounter = await kit.create(
      encounterBody(patient.id ?? '', '2024-07-01T08:30:00+00:00', visit.id),
    );
    const obs = await kit.create(
      observationBody(
        patient.id ?? '',
        WEIGHT,
        { valueQuantity: { value: 60 } },
        { encounter: { reference: `Encounter/${encounter.id}` } },
      ),
    );
    expect((await kit.fhir.delete(`/Encounter/${visit.id}`)).status).toBe(200);
    expect((await kit.fhir.get(`/Encounter/${encounter.id}`)).status).toBe(410);
    expect((await kit.fhir.get(`/Observation/${obs.id}`)).status).toBe(410);
  });
});

describe('Observation', () => {
  let patientId: string;
  beforeAll(async () => {
    patientId = (await kit.patient()).id ?? '';
  });

  it('§12.24 numeric, coded, text, datetime and boolean obs are 201 with the matching value[x]; issued = lastUpdated', async () => {
    const cases: [string, Partial<Observation>, keyof Observation][] = [
      [WEIGHT, { valueQuantity: { value: 61.5, unit: 'kg' } }, 'valueQuantity'],
      [PREGNANCY_STATUS, { valueCodeableConcept: { coding: [{ code: YES }] } }, 'valueCodeableConcept'],
      [DANGER_SIGNS, { valueString: 'convulsions' }, 'valueString'],
      [LMP, { valueDateTime: '2024-04-01T00:00:00+00:00' }, 'valueDateTime'],
      [REFERRED, { valueBoolean: true }, 'valueBoolean'],
    ];
    for (const [concept, value, key] of cases) {
      const response = await kit.fhir.post('/Observation', observationBody(patientId, concept, value));
      expect([concept, response.status]).toEqual([concept, 201]);
      const obs = response.data as Observation;
      expect(obs[key]).toBeDefined();
      expect(Date.parse(obs.issued ?? '')).toBe(Date.parse(obs.meta?.lastUpdated ?? ''));
    }
    const weight = (await kit.create(
      observationBody(patientId, WEIGHT, { valueQuantity: { value: 61.5 } }),
    )) as Observation;
    expect(weight.valueQuantity).toEqual({
      value: 61.5,
      unit: 'kg',
      system: 'http://unitsofmeasure.org',
      code: 'kg',
    });
  });

  it('§12.25 a string on a numeric concept and a decimal on an integer concept are 422s', async () => {
    const text = await kit.fhir.post(
      '/Observation',
      observationBody(patientId, WEIGHT, { valueString: 'heavy' }),
    );
    expect(text.status).toBe(422);
    expect(diagnostics(text.data)).toBe(
      "'obs id is null' failed to validate with reason: valueNumeric: Cannot be empty or null",
    );
    const decimal = await kit.fhir.post(
      '/Observation',
      observationBody(patientId, SYSTOLIC, { valueQuantity: { value: 120.5 } }),
    );
    expect(decimal.status).toBe(422);
    expect(diagnostics(decimal.data)).toContain(
      'Assigning decimal value to numeric concept with "Allowed decimal" property set to false is not allowed.',
    );
  });

  it('§12.26 no status is 500, no effectiveDateTime 422, effectivePeriod 500, no subject 422', async () => {
    const valid = observationBody(patientId, WEIGHT, { valueQuantity: { value: 60 } });
    const { status: _s, ...noStatus } = valid;
    const missingStatus = await kit.fhir.post('/Observation', noStatus);
    expect(missingStatus.status).toBe(500);
    expect(diagnostics(missingStatus.data)).toContain('java.lang.NullPointerException');
    const { effectiveDateTime: _e, ...noEffective } = valid;
    const missingEffective = await kit.fhir.post('/Observation', noEffective);
    expect([missingEffective.status, diagnostics(missingEffective.data)]).toEqual([
      422,
      expect.stringContaining('obsDatetime: Cannot be empty or null'),
    ]);
    const period = await kit.fhir.post('/Observation', {
      ...noEffective,
      effectivePeriod: { start: '2024-01-01' },
    });
    expect(period.status).toBe(500);
    const { subject: _subject, ...noSubject } = valid;
    const missingSubject = await kit.fhir.post('/Observation', noSubject);
    expect([missingSubject.status, diagnostics(missingSubject.data)]).toEqual([
      422,
      expect.stringContaining('person: Cannot be empty or null'),
    ]);
  });

  it('§12.27 a LOINC-coded concept resolves; an unknown system is a concept 422', async () => {
    const loinc = await kit.fhir.post('/Observation', {
      ...observationBody(patientId, WEIGHT, { valueQuantity: { value: 60 } }),
      code: { coding: [{ system: 'http://loinc.org', code: '29463-7' }] },
    });
    expect(loinc.status).toBe(201);
    expect((loinc.data as Observation).code.coding?.[0]?.code).toBe(WEIGHT);
    const unknown = await kit.fhir.post('/Observation', {
      ...observationBody(patientId, WEIGHT, { valueQuantity: { value: 60 } }),
      code: { coding: [{ system: 'http://example.org/codes', code: '29463-7' }] },
    });
    expect([unknown.status, diagnostics(unknown.data)]).toEqual([
      422,
      expect.stringContaining('concept: Cannot be empty or null'),
    ]);
  });

  it('§12.28 an encounter reference to a visit uuid is dropped: the obs has no encounter', async () => {
    const visit = await kit.create(
      visitBody(patientId, '2023-01-01T08:00:00+00:00', '2023-01-01T09:00:00+00:00'),
    );
    const obs = await kit.create(
      observationBody(
        patientId,
        WEIGHT,
        { valueQuantity: { value: 60 } },
        { encounter: { reference: `Encounter/${visit.id}` } },
      ),
    );
    expect(obs.encounter).toBeUndefined();
  });

  it('§12.29 PUT and PATCH of a value answer a new id, status amended; the old id is 410; the new one is found by _lastUpdated', async () => {
    const obs = await kit.create(observationBody(patientId, WEIGHT, { valueQuantity: { value: 60 } }));
    const put = await kit.fhir.put(`/Observation/${obs.id}`, { ...obs, valueQuantity: { value: 62 } });
    expect(put.status).toBe(200);
    const replaced = put.data as Observation;
    expect(replaced.id).not.toBe(obs.id);
    expect(replaced.status).toBe('amended');
    expect((await kit.fhir.get(`/Observation/${obs.id}`)).status).toBe(410);
    const patched = await kit.fhir.patch(
      `/Observation/${replaced.id}`,
      { valueQuantity: { value: 63 } },
      {
        headers: { 'Content-Type': 'application/merge-patch+json' },
      },
    );
    expect(patched.status).toBe(200);
    expect(patched.data.id).not.toBe(replaced.id);
    const since = (
      await kit.fhir.get('/Observation', {
        params: { patient: patientId, _lastUpdated: `ge${obs.meta?.lastUpdated}`, _count: 100 },
      })
    ).data as Bundle;
    const ids = since.entry?.map((e) => e.resource?.id);
    expect(ids).toContain(patched.data.id);
    expect(ids).not.toContain(obs.id);
  });

  it('§12.30 a group obs naming saved members in hasMember is a 500 (a known gap of the module)', async () => {
    const member = await kit.create(observationBody(patientId, WEIGHT, { valueQuantity: { value: 60 } }));
    const group = await kit.fhir.post('/Observation', {
      ...observationBody(patientId, DANGER_SIGNS, { valueString: 'group' }),
      hasMember: [{ reference: `Observation/${member.id}` }],
    });
    expect(group.status).toBe(500);
    expect(diagnostics(group.data)).toContain('UnchangeableObjectException');
  });
});
