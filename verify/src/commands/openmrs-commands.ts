// What clinic staff do in OpenMRS, through its FHIR API: register a patient (address naming a CHT place
// by [place_id], by exact name, by a name two places share, or none), edit one, record a completed visit.
import fc from 'fast-check';
import type { Encounter, Observation, Patient } from 'fhir/r4';
import { openmrsFactories } from '@cht-openmrs/sandbox';
import { addPerson, recordEdit, type Model } from '../model/model';
import * as values from '../model/values';
import { personAt, resolveIds, type Real } from './real';

type Cmd = fc.AsyncCommand<Model, Real>;
type Placement = 'placeId' | 'exactName' | 'sharedName' | 'none';

/** OpenMRS visit types: the two the mapping sends to CHT, and Home (not sent). */
const VISIT_TYPES = {
  facility: { uuid: '7b0f5697-27e3-40c4-8bae-f4049abfb4ed', mapped: true },
  opd: { uuid: '287463d3-2233-4c69-9851-5841a1f5e109', mapped: true },
  home: { uuid: openmrsFactories.HOME_VISIT, mapped: false },
};

class RegisterOpenmrsPatient implements Cmd {
  constructor(
    readonly patient: { given: string; family: string; sex: string; birthDate: string; phone: string },
    readonly placement: Placement,
    readonly area: number,
  ) {}
  check = () => true;
  async run(model: Model, real: Real) {
    const area = real.places.areas[this.area % real.places.areas.length];
    const address5 = {
      placeId: `${area?.name} [${area?.placeId}]`,
      exactName: area?.name,
      sharedName: real.places.sharedName,
      none: undefined,
    }[this.placement];
    const body = openmrsFactories.patientWith(
      { type: 'ID Card', value: `VRF-${model.persons.length + 1}` },
      {
        name: [{ given: [this.patient.given], family: this.patient.family }],
        gender: this.patient.sex as Patient['gender'],
        birthDate: this.patient.birthDate,
        ...(this.patient.phone ? { telecom: [{ system: 'phone', value: this.patient.phone }] } : {}),
        ...(address5 ? { address: [openmrsFactories.addressWith({ address5 })] } : {}),
      },
    );
    const { resource } = await real.world.openmrsFhir.create(body);
    const { given, family, sex, birthDate, phone } = this.patient;
    addPerson(
      model,
      {
        origin: 'openmrs',
        openmrsUuid: resource.id as string,
        placeable: this.placement === 'placeId' || this.placement === 'exactName',
      },
      { name: `${given} ${family}`, sex, birthDate, phone },
    );
  }
  toString = () =>
    `openmrs: register patient ${JSON.stringify(this.patient)} placed by ${this.placement} (area ${this.area})`;
}

class EditOpenmrsPatient implements Cmd {
  constructor(
    readonly index: number,
    readonly change: { name?: { given: string; family: string }; sex?: string; birthDate: string },
  ) {}
  check = (model: Readonly<Model>) => model.persons.length > 0;
  async run(model: Model, real: Real) {
    const person = personAt(model, this.index);
    if (!person) return;
    await resolveIds(real, person);
    if (!person.openmrsUuid) return; // not in OpenMRS (yet)
    const current = await real.world.openmrsFhir.read('Patient', person.openmrsUuid);
    // An edit OpenMRS records on the patient itself (its birth date, and the sex when asked): name or
    // phone edits alone do not move its lastUpdated (documented), so they travel with such an edit.
    const birthDate =
      this.change.birthDate === current.birthDate ? shiftDay(this.change.birthDate) : this.change.birthDate;
    const next: Patient = {
      ...current,
      birthDate,
      ...(this.change.sex ? { gender: this.change.sex as Patient['gender'] } : {}),
      ...(this.change.name
        ? {
            name: [
              { ...current.name?.[0], given: [this.change.name.given], family: this.change.name.family },
            ],
          }
        : {}),
    };
    await real.world.openmrsFhir.update<Patient>(next);
    // Only what really changed is an edit: writing the value a field already holds edits nothing.
    const name = this.change.name && `${this.change.name.given} ${this.change.name.family}`;
    const currentName = [...(current.name?.[0]?.given ?? []), current.name?.[0]?.family].join(' ');
    recordEdit(model, person, 'openmrs', {
      birthDate,
      ...(this.change.sex && this.change.sex !== current.gender ? { sex: this.change.sex } : {}),
      ...(name && name !== currentName ? { name } : {}),
    });
  }
  toString = () => `openmrs: edit patient #${this.index} ${JSON.stringify(this.change)}`;
}

function shiftDay(date: string): string {
  const next = new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000);
  return next.toISOString().slice(0, 10);
}

class CompleteVisit implements Cmd {
  constructor(
    readonly index: number,
    readonly type: keyof typeof VISIT_TYPES,
    readonly start: number,
    readonly weights: number[],
  ) {}
  check = (model: Readonly<Model>) => model.persons.length > 0;
  async run(model: Model, real: Real) {
    const person = personAt(model, this.index);
    if (!person) return;
    await resolveIds(real, person);
    if (!person.openmrsUuid) return;
    const type = VISIT_TYPES[this.type];
    const start = new Date(this.start).toISOString();
    const end = new Date(this.start + 45 * 60_000).toISOString();
    const create = async <T extends Encounter | Observation>(body: T) =>
      (await real.world.openmrsFhir.create(body)).resource;
    let visit: Encounter;
    try {
      visit = await create(openmrsFactories.visitBody(person.openmrsUuid, start, end, type.uuid));
    } catch {
      return; // OpenMRS refuses a visit overlapping another of the patient's: the clerk picks another time
    }
    const encounter = await create(
      openmrsFactories.encounterBody(
        person.openmrsUuid,
        new Date(this.start + 10 * 60_000).toISOString(),
        visit.id,
      ),
    );
    for (const weight of this.weights) {
      await create(
        openmrsFactories.observationBody(
          person.openmrsUuid,
          openmrsFactories.WEIGHT,
          { valueQuantity: { value: weight } },
          {
            encounter: { reference: `Encounter/${encounter.id}`, type: 'Encounter' },
            effectiveDateTime: encounter.period?.start as string,
          },
        ),
      );
    }
    model.visits.push({
      uuid: visit.id as string,
      personKey: person.key,
      mapped: type.mapped,
      observations: this.weights.length,
    });
  }
  toString = () =>
    `openmrs: completed ${this.type} visit of #${this.index} at ${new Date(this.start).toISOString()} weights ${JSON.stringify(this.weights)}`;
}

/** A visit still open (no end) with one encounter and a weight, as a clinic records during the visit. */
class EncounterInOpenVisit implements Cmd {
  constructor(
    readonly index: number,
    readonly start: number,
  ) {}
  check = (model: Readonly<Model>) => model.persons.length > 0;
  async run(model: Model, real: Real) {
    const person = personAt(model, this.index);
    if (!person) return;
    await resolveIds(real, person);
    if (!person.openmrsUuid) return;
    const create = async <T extends Encounter | Observation>(body: T) =>
      (await real.world.openmrsFhir.create(body)).resource;
    let visit: Encounter;
    try {
      const body = openmrsFactories.visitBody(person.openmrsUuid, new Date(this.start).toISOString());
      visit = await create({
        ...body,
        type: [{ coding: [{ system: openmrsFactories.VISIT_TYPE_SYSTEM, code: VISIT_TYPES.opd.uuid }] }],
      });
    } catch {
      return; // it would overlap another visit: OpenMRS refuses it
    }
    const at = new Date(this.start + 5 * 60_000).toISOString();
    const encounter = await create(openmrsFactories.encounterBody(person.openmrsUuid, at, visit.id));
    await create(
      openmrsFactories.observationBody(
        person.openmrsUuid,
        openmrsFactories.WEIGHT,
        { valueQuantity: { value: 64 } },
        { encounter: { reference: `Encounter/${encounter.id}`, type: 'Encounter' }, effectiveDateTime: at },
      ),
    );
    // Not completed: it stays in OpenMRS only.
    model.visits.push({ uuid: visit.id as string, personKey: person.key, mapped: false, observations: 1 });
  }
  toString = () =>
    `openmrs: an encounter in an open OPD visit of #${this.index} from ${new Date(this.start).toISOString()}`;
}

export const openmrsCommands = [
  fc
    .tuple(
      fc.record({
        given: values.given,
        family: values.family,
        sex: values.sex,
        birthDate: values.birthDate,
        phone: values.phone,
      }),
      fc.constantFrom<Placement>('placeId', 'exactName', 'sharedName', 'none'),
      fc.nat(1),
    )
    .map(([p, placement, area]) => new RegisterOpenmrsPatient(p, placement, area)),
  fc
    .tuple(
      fc.nat(),
      fc.record({
        name: fc.option(values.openmrsName, { nil: undefined }),
        sex: fc.option(values.sex, { nil: undefined }),
        birthDate: values.birthDate,
      }),
    )
    .map(([i, change]) => new EditOpenmrsPatient(i, change)),
  fc
    .tuple(
      fc.nat(),
      fc.constantFrom<keyof typeof VISIT_TYPES>('facility', 'opd', 'home'),
      fc.integer({ min: 0, max: 200 }).map((h) => Date.UTC(2023, 2, 1, 6) + h * 3 * 3600_000),
      fc.array(
        fc.integer({ min: 30, max: 1200 }).map((n) => n / 10),
        { maxLength: 2 },
      ),
    )
    .map(([i, type, start, weights]) => new CompleteVisit(i, type, start, weights)),
  fc
    .tuple(
      fc.nat(),
      fc.integer({ min: 0, max: 4 * 24 }).map((h) => Date.UTC(2024, 5, 1) + h * 3600_000),
    )
    .map(([i, start]) => new EncounterInOpenVisit(i, start)),
];
