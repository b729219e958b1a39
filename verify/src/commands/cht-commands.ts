// What CHT users do: register a person, edit one, submit a report (mapped forms, an unmapped one, blank
// answers, an answer OpenMRS refuses), all through CHT's API so that outbound push runs as configured.
import fc from 'fast-check';
import { addPerson, recordEdit, type Model } from '../model/model';
import * as values from '../model/values';
import { JSON_BODY, personAt, resolveIds, sentinel, type Real } from './real';

type Cmd = fc.AsyncCommand<Model, Real>;

class RegisterChtPerson implements Cmd {
  constructor(
    readonly person: { name: string; phone: string; sex: string; birthDate: string; area: number },
    /** Registered through the app (undefined) or imported with an id of this style. */
    readonly importedAs?: string,
  ) {}
  check = () => true;
  async run(model: Model, real: Real) {
    const area = real.places.areas[this.person.area % real.places.areas.length];
    const body = {
      name: this.person.name,
      type: 'person',
      role: 'patient',
      sex: this.person.sex,
      date_of_birth: this.person.birthDate,
      ...(this.person.phone ? { phone: this.person.phone } : {}),
      place: area?.id,
    };
    let chtId: string;
    if (this.importedAs === undefined) {
      const { status, data } = await real.world.chtApi.post('/api/v1/people', body, JSON_BODY);
      if (status !== 200) throw new Error(`CHT refused the person: ${status} ${JSON.stringify(data)}`);
      chtId = data.id as string;
    } else {
      // An import (e.g. cht-conf csv-to-docs) writes the document with an id of its own.
      chtId = values.reportId(this.importedAs, model.persons.length).replace('report', 'person');
      const doc = { ...body, _id: chtId, place: undefined, parent: area?.lineage, reported_date: Date.now() };
      const { status, data } = await real.world.chtApi.put(
        `/medic/${encodeURIComponent(chtId)}`,
        doc,
        JSON_BODY,
      );
      if (status !== 201) throw new Error(`CHT refused the person: ${status} ${JSON.stringify(data)}`);
    }
    await sentinel(real.world);
    const { name, phone, sex, birthDate } = this.person;
    addPerson(model, { origin: 'cht', chtId, placeable: true }, { name, phone, sex, birthDate });
  }
  toString = () =>
    `cht: register person ${JSON.stringify(this.person)}${this.importedAs ? ` (imported, ${this.importedAs} id)` : ''}`;
}

const CHT_KEYS = { name: 'name', phone: 'phone', sex: 'sex', birthDate: 'date_of_birth' } as const;

class EditChtPerson implements Cmd {
  constructor(
    readonly index: number,
    readonly change: { field: keyof typeof CHT_KEYS; value: string },
  ) {}
  check = (model: Readonly<Model>) => model.persons.length > 0;
  async run(model: Model, real: Real) {
    const person = personAt(model, this.index);
    if (!person) return;
    await resolveIds(real, person);
    if (!person.chtId) return; // not in CHT (yet): nobody can edit it there
    const current = await real.world.chtApi.get(`/medic/${encodeURIComponent(person.chtId)}`);
    if (current.status !== 200) throw new Error(`CHT lost person ${person.chtId}: ${current.status}`);
    const doc = { ...current.data, [CHT_KEYS[this.change.field]]: this.change.value };
    const { status, data } = await real.world.chtApi.put(
      `/medic/${encodeURIComponent(person.chtId)}`,
      doc,
      JSON_BODY,
    );
    if (status !== 201 && status !== 200)
      throw new Error(`CHT refused the edit: ${status} ${JSON.stringify(data)}`);
    await sentinel(real.world);
    recordEdit(model, person, 'cht', { [this.change.field]: this.change.value });
  }
  toString = () => `cht: edit person #${this.index} ${JSON.stringify(this.change)}`;
}

type Form = 'height_weight' | 'referral' | 'pregnancy_home_visit' | 'invalid_weight';

class SubmitReport implements Cmd {
  constructor(
    readonly index: number,
    readonly form: Form,
    readonly idStyle: string,
    readonly at: number,
    readonly answers: Record<string, string>,
  ) {}
  check = (model: Readonly<Model>) => model.persons.length > 0;
  async run(model: Model, real: Real) {
    const person = personAt(model, this.index);
    if (!person) return;
    await resolveIds(real, person);
    if (!person.chtId) return; // a CHW reports only about persons CHT has
    const id = values.reportId(this.idStyle, model.reports.length);
    const form = this.form === 'invalid_weight' ? 'height_weight' : this.form;
    const doc = {
      _id: id,
      type: 'data_record',
      form,
      content_type: 'xml',
      reported_date: this.at,
      fields: { patient_uuid: person.chtId, ...this.answers },
    };
    const { status, data } = await real.world.chtApi.put(`/medic/${encodeURIComponent(id)}`, doc, JSON_BODY);
    if (status !== 201) throw new Error(`CHT refused the report: ${status} ${JSON.stringify(data)}`);
    await sentinel(real.world);
    model.reports.push({
      id,
      personKey: person.key,
      mapped: form !== 'pregnancy_home_visit',
      observations: values.answered(this.answers),
      invalid: this.form === 'invalid_weight',
      at: this.at,
    });
  }
  toString = () =>
    `cht: report ${this.form} about #${this.index} at ${new Date(this.at).toISOString()} (${this.idStyle} id) ${JSON.stringify(this.answers)}`;
}

/** Another report about the person of the latest one: at the same home visit, or hours later. */
function followUp(index: number, minutes: number, answers: Record<string, string>) {
  return {
    check: (model: Readonly<Model>) => model.reports.length > 0,
    async run(model: Model, real: Real) {
      const last = model.reports[model.reports.length - 1 - (index % model.reports.length)];
      const person = last && model.persons.find((p) => p.key === last.personKey);
      if (!last || !person) return;
      await new SubmitReport(person.key, 'referral', 'plain', last.at + minutes * 60_000, answers).run(
        model,
        real,
      );
    },
    toString: () => `cht: a referral ${minutes} minutes after report #-${index} ${JSON.stringify(answers)}`,
  };
}

export const chtCommands = [
  fc
    .record({
      name: values.chtName,
      phone: values.phone,
      sex: values.sex,
      birthDate: values.birthDate,
      area: fc.nat(1),
    })
    .map((p) => new RegisterChtPerson(p)),
  fc
    .tuple(
      fc.record({
        name: values.chtName,
        phone: values.phone,
        sex: values.sex,
        birthDate: values.birthDate,
        area: fc.nat(1),
      }),
      values.reportIdStyle,
    )
    .map(([p, style]) => new RegisterChtPerson(p, style)),
  fc
    .tuple(
      fc.nat(),
      fc.oneof(
        values.chtName.map((value) => ({ field: 'name' as const, value })),
        values.phone.filter(Boolean).map((value) => ({ field: 'phone' as const, value })),
        values.sex.map((value) => ({ field: 'sex' as const, value })),
        values.birthDate.map((value) => ({ field: 'birthDate' as const, value })),
      ),
    )
    .map(([i, change]) => new EditChtPerson(i, change)),
  fc
    .tuple(fc.nat(), values.reportIdStyle, values.reportTime, values.heightWeight)
    .map(([i, style, at, answers]) => new SubmitReport(i, 'height_weight', style, at, answers)),
  fc
    .tuple(fc.nat(), values.reportIdStyle, values.reportTime, values.referral)
    .map(([i, style, at, answers]) => new SubmitReport(i, 'referral', style, at, answers)),
  fc
    .tuple(fc.nat(), values.reportTime)
    .map(
      ([i, at]) =>
        new SubmitReport(i, 'pregnancy_home_visit', 'plain', at, { lmp: '2024-03-01', anc_visits: '2' }),
    ),
  fc
    .tuple(fc.nat(), values.reportIdStyle, values.reportTime)
    .map(([i, style, at]) => new SubmitReport(i, 'invalid_weight', style, at, { weight: '750', height: '' })),
  fc
    .tuple(
      fc.nat(3),
      fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 120, max: 600 })),
      values.referral,
    )
    .map(([i, minutes, answers]) => followUp(i, minutes, answers)),
];
