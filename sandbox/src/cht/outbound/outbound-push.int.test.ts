// Outbound push of the CHT stand-in over real HTTP (reference cht.md §6.1–§6.11): docs are written
// through the API or /medic, Sentinel runs, and a loopback receiver records what CHT sends.
import { createServer } from 'node:net';
import { call } from '../test-support/client';
import { type Harness, outboundTo, startHarness } from '../test-support/harness';
import type { Receiver } from '../test-support/receiver';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const report = (fields: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  type: 'data_record',
  form: 'TEST',
  reported_date: 1700000000000,
  fields,
  ...extra,
});

async function tasks() {
  return (await h.cht.outbound()).tasks;
}

async function hierarchy() {
  const dh = (await h.call('POST', '/api/v1/places', { body: { type: 'district_hospital', name: 'DH' } }))
    .json as {
    id: string;
  };
  const hc = (
    await h.call('POST', '/api/v1/places', { body: { type: 'health_center', name: 'HC', parent: dh.id } })
  ).json as { id: string };
  const clinic = (
    await h.call('POST', '/api/v1/places', {
      body: {
        type: 'clinic',
        name: 'Clinic A',
        parent: hc.id,
        contact: { name: 'Mary CHW', phone: '+254700000001' },
      },
    })
  ).json as { id: string; contact: { id: string } };
  await h.cht.sentinelPass();
  return { dh: dh.id, hc: hc.id, clinic: clinic.id, chw: clinic.contact.id };
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('§6.1 relevance on the hydrated doc', () => {
  it('§6.1: relevant_to sees doc.parent.name, doc.contact.parent._id and doc.patient._id', async () => {
    h = await startHarness((rx) => ({
      byParent: outboundTo(
        rx,
        '/parent',
        { id: 'doc._id' },
        { relevant_to: "doc.parent && doc.parent.name === 'Clinic A'" },
      ),
      byContact: outboundTo(
        rx,
        '/contact',
        { id: 'doc._id' },
        {
          relevant_to:
            "doc.type === 'data_record' && doc.contact.parent.name === 'Clinic A' && doc.contact.parent.parent.name === 'HC'",
        },
      ),
      byPatient: outboundTo(
        rx,
        '/patient',
        { id: 'doc._id', name: 'doc.patient.name' },
        { relevant_to: 'doc.patient && doc.patient._id === doc.fields.patient_uuid' },
      ),
    }));
    const ids = await hierarchy();
    const person = (await h.call('POST', '/api/v1/people', { body: { name: 'Pat', place: ids.clinic } }))
      .json as { id: string };
    await h.cht.sentinelPass();
    await h.save(
      report(
        { patient_uuid: person.id },
        { _id: 'r1', contact: { _id: ids.chw, parent: { _id: ids.clinic } } },
      ),
    );

    expect(h.rx.bodies('/parent')).toEqual(expect.arrayContaining([{ id: person.id }, { id: ids.chw }]));
    expect(h.rx.bodies('/contact')).toEqual([{ id: 'r1' }]);
    expect(h.rx.bodies('/patient')).toEqual([{ id: 'r1', name: 'Pat' }]);
  });

  it('§6.1: doc.patient and doc.place resolve from shortcodes (fields.patient_id, fields.place_id)', async () => {
    h = await startHarness((rx) => ({
      subjects: outboundTo(rx, '/subjects', {
        patient: 'doc.patient._id',
        patientParent: 'doc.patient.parent.name',
        place: 'doc.place._id',
        placeParent: 'doc.place.parent.name',
      }),
    }));
    const ids = await hierarchy();
    const person = (await h.call('POST', '/api/v1/people', { body: { name: 'Pat', place: ids.clinic } }))
      .json as { id: string };
    await h.cht.sentinelPass();
    const patientId = (await h.get(person.id)).patient_id;
    const placeId = (await h.get(ids.clinic)).place_id;
    await h.save(report({ patient_id: patientId, place_id: placeId }, { _id: 'r-short' }));
    expect(h.rx.bodies('/subjects')).toEqual([
      { patient: person.id, patientParent: 'Clinic A', place: ids.clinic, placeParent: 'HC' },
    ]);
  });

  it('§6.1: a relevant_to that throws on a doc gives no push and no task for any config', async () => {
    h = await startHarness((rx) => ({
      always: outboundTo(rx, '/always', { id: 'doc._id' }, { relevant_to: 'true' }),
      throws: outboundTo(rx, '/throws', { id: 'doc._id' }, { relevant_to: 'doc.fields.x === 1' }),
    }));
    const person = (await h.call('POST', '/api/v1/people', { body: { name: 'No fields', type: 'person' } }))
      .json as {
      id: string;
    };
    await h.cht.sentinelPass();
    expect(h.rx.received).toEqual([]);
    expect(await tasks()).toEqual([]);
    // The transition error is saved only because shortcode generation changed the doc in that pass.
    const saved = await h.get(person.id);
    expect(saved.patient_id).toMatch(/^\d{5}$/);
    expect(saved.errors).toEqual([
      {
        code: "mark_for_outbound_error'",
        message: expect.stringContaining('Transition error on mark_for_outbound'),
      },
    ]);
    await h.save(report({ x: 1 }, { _id: 'r2' }));
    expect(h.rx.bodies('/always')).toEqual([{ id: 'r2' }]);
    expect(h.rx.bodies('/throws')).toEqual([{ id: 'r2' }]);
  });
});

describe('§6.2 mapping edge cases', () => {
  it('§6.2: numeric segments build arrays with null holes; false/null kept; optional undefined omitted; expr:true works', async () => {
    h = await startHarness((rx) => ({
      obs: outboundTo(rx, '/obs', {
        'observations.0.code': { expr: "'A'" },
        'observations.0.valueCode': 'doc.fields.flag',
        'observations.2.code': { expr: "'C'" },
        nothing: 'doc.fields.empty',
        absent: { path: 'doc.fields.missing', optional: true },
        active: { expr: true } as unknown as { expr: string },
        'doc._id': 'doc._id',
      }),
    }));
    await h.save(report({ flag: false, empty: null }, { _id: 'm1' }));
    expect(h.rx.received.map((r) => r.body)).toEqual([
      '{"observations":[{"code":"A","valueCode":false},null,{"code":"C"}],"nothing":null,"active":true,"doc":{"_id":"m1"}}',
    ]);
  });

  it('§6.2: a required path that is missing fails the whole push and creates a task', async () => {
    h = await startHarness((rx) => ({
      cfg: outboundTo(rx, '/x', { id: 'doc._id', name: 'doc.fields.name' }),
    }));
    await h.save(report({}, { _id: 'm2' }));
    expect(h.rx.received).toEqual([]);
    expect((await tasks()).map((t) => [t._id, t.queue])).toEqual([['task:outbound:m2', ['cfg']]]);
    const attempt = (await h.cht.outbound('m2')).attempts[0];
    expect(attempt?.error).toContain("cannot find 'doc.fields.name' on source document");
  });

  it('§6.2: an expr that throws fails the whole push and creates a task', async () => {
    h = await startHarness((rx) => ({
      cfg: outboundTo(rx, '/x', { id: 'doc._id', bad: { expr: 'doc.fields.a.b.c' } }),
    }));
    await h.save(report({}, { _id: 'm3' }));
    expect(h.rx.received).toEqual([]);
    expect((await tasks()).map((t) => t.queue)).toEqual([['cfg']]);
    expect((await h.cht.outbound('m3')).attempts[0]?.error).toContain("Mapping error for 'cfg/bad' JS error");
  });
});

describe('§6.3 the exact request', () => {
  it('§6.3: POST to the joined URL with JSON headers, Basic auth from the stored credential, UA, compact body in mapping order; retry body identical', async () => {
    h = await startHarness((rx) => ({
      basic: outboundTo(
        rx,
        '/mediator/cht/encounter?src=cht',
        { z: 'doc.fields.z', a: 'doc.fields.a', id: 'doc._id' },
        {
          destination: {
            base_url: `${rx.url}/`,
            path: '/mediator/cht/encounter?src=cht',
            auth: { type: 'BASIC', username: 'interop-client', password_key: 'openhim1' },
          },
        },
      ),
    }));
    await h.call('PUT', '/api/v1/credentials/openhim1', { body: 's3cret', contentType: 'text/plain' });
    h.rx.reply({ status: 503 });
    await h.save(report({ z: 1, a: 'two' }, { _id: 'q1' }));
    h.rx.reply({ status: 200 });
    await h.cht.retryPass();

    expect(h.rx.received).toHaveLength(2);
    const [immediate, retry] = h.rx.received;
    expect(immediate?.method).toBe('POST');
    expect(immediate?.url).toBe('/mediator/cht/encounter?src=cht');
    expect(immediate?.body).toBe('{"z":1,"a":"two","id":"q1"}');
    expect(immediate?.headers).toMatchObject({
      'content-type': 'application/json',
      accept: 'application/json',
      authorization: `Basic ${Buffer.from('interop-client:s3cret').toString('base64')}`,
      'user-agent': expect.stringMatching(/^Community Health Toolkit\/5\.2\.0 \(\w+,\w+\)$/),
    });
    expect(retry?.body).toBe(immediate?.body);
    expect(retry?.headers.authorization).toBe(immediate?.headers.authorization);
    expect(await tasks()).toEqual([]);
  });

  it('§6.3: header auth sends the stored value verbatim; only Authorization is accepted', async () => {
    h = await startHarness((rx) => ({
      token: outboundTo(
        rx,
        '/token',
        { id: 'doc._id' },
        {
          destination: {
            base_url: rx.url,
            path: '/token',
            auth: { type: 'header', name: 'Authorization', value_key: 'tok' },
          },
        },
      ),
      other: outboundTo(
        rx,
        '/other',
        { id: 'doc._id' },
        {
          destination: {
            base_url: rx.url,
            path: '/other',
            auth: { type: 'header', name: 'X-Api-Key', value_key: 'tok' },
          },
        },
      ),
    }));
    await h.call('PUT', '/api/v1/credentials/tok', { body: 'Token abc123', contentType: 'text/plain' });
    await h.save(report({}, { _id: 'q2' }));
    expect(h.rx.received.map((r) => [r.url, r.headers.authorization])).toEqual([['/token', 'Token abc123']]);
    expect((await tasks()).map((t) => t.queue)).toEqual([['other']]);
  });
});

it('§6.3: muso-sih auth logs in with a form-encoded POST first, then pushes with ?token=', async () => {
  h = await startHarness((rx) => ({
    muso: outboundTo(
      rx,
      '/push',
      { id: 'doc._id' },
      {
        destination: {
          base_url: rx.url,
          path: '/push',
          auth: { type: 'muso-sih', username: 'cht', password_key: 'muso', path: '/login' },
        },
      },
    ),
  }));
  await h.call('PUT', '/api/v1/credentials/muso', { body: 'm-pass', contentType: 'text/plain' });
  h.rx.reply({ body: '{"statut":200,"data":{"username_token":"t0k"}}' }, '/login');
  await h.save(report({}, { _id: 'muso1' }));
  expect(h.rx.received.map((r) => [r.method, r.url, r.headers['content-type'], r.body])).toEqual([
    ['POST', '/login', 'application/x-www-form-urlencoded', 'login=cht&password=m-pass'],
    ['POST', '/push?token=t0k', 'application/json', '{"id":"muso1"}'],
  ]);
});

it('§6.4: a missing credential queues the push, which succeeds on a later run once the credential is PUT', async () => {
  h = await startHarness((rx) => ({
    cfg: outboundTo(
      rx,
      '/x',
      { id: 'doc._id' },
      {
        destination: {
          base_url: rx.url,
          path: '/x',
          auth: { type: 'basic', username: 'u', password_key: 'later' },
        },
      },
    ),
  }));
  await h.save(report({}, { _id: 'c1' }));
  expect(h.rx.received).toEqual([]);
  expect((await h.cht.outbound('c1')).attempts[0]?.error).toContain(
    "Credentials for 'later' have not been configured",
  );
  await h.cht.retryPass();
  expect(h.rx.received).toEqual([]);
  const put = await h.call('PUT', '/api/v1/credentials/later', { body: 'pw', contentType: 'text/plain' });
  expect(put.json).toEqual({ ok: true });
  await h.cht.retryPass();
  expect(h.rx.received.map((r) => r.headers.authorization)).toEqual([
    `Basic ${Buffer.from('u:pw').toString('base64')}`,
  ]);
  expect(await tasks()).toEqual([]);
});

describe('§6.5 success classification', () => {
  const single = (rx: Receiver) => ({ cfg: outboundTo(rx, '/x', { id: 'doc._id' }) });

  it.each([200, 201, 204])('§6.5: %i is success: done, nothing queued', async (status) => {
    h = await startHarness(single);
    h.rx.reply(status === 204 ? { status, contentType: '', body: '' } : { status });
    await h.save(report({}, { _id: `s${status}` }));
    expect(h.rx.received).toHaveLength(1);
    expect(await tasks()).toEqual([]);
    expect((await h.cht.outbound()).completed[0]?.completed_tasks?.[0]).toMatchObject({
      type: 'outbound',
      name: 'cfg',
    });
  });

  it.each([400, 404, 409, 500])('§6.5: %i is a failure: queued', async (status) => {
    h = await startHarness(single);
    h.rx.reply({ status, body: '{"error":"no"}' });
    await h.save(report({}, { _id: `f${status}` }));
    expect(h.rx.received).toHaveLength(1);
    expect((await tasks()).map((t) => t.queue)).toEqual([['cfg']]);
  });

  it('§6.5: a response slower than the timeout (10 s in CHT; configurable) is a failure: queued', async () => {
    h = await startHarness(single, { outboundTimeoutMs: 150 });
    h.rx.reply({ delayMs: 1000 });
    await h.save(report({}, { _id: 'slow' }));
    expect(h.rx.received).toHaveLength(1);
    expect((await tasks()).map((t) => t.queue)).toEqual([['cfg']]);
  });

  it('§6.5: connection refused is a failure: queued', async () => {
    const port = await closedPort();
    h = await startHarness(() => ({
      cfg: {
        relevant_to: 'true',
        destination: { base_url: `http://127.0.0.1:${port}`, path: '/x' },
        mapping: { id: 'doc._id' },
      },
    }));
    await h.save(report({}, { _id: 'refused' }));
    expect((await tasks()).map((t) => t.queue)).toEqual([['cfg']]);
  });

  it('§6.5: 200 with content-type application/json and an empty body is a failure (≥4.17): queued', async () => {
    h = await startHarness(single);
    h.rx.reply({ status: 200, contentType: 'application/json', body: '' });
    await h.save(report({}, { _id: 'empty' }));
    expect(h.rx.received).toHaveLength(1);
    expect((await tasks()).map((t) => t.queue)).toEqual([['cfg']]);
  });

  it('§6.5: 302 is followed as a GET without body (≥4.17): success when the final status is 2xx', async () => {
    h = await startHarness(single);
    h.rx.reply({ status: 302, headers: { location: '/final' }, body: '' }, '/x');
    h.rx.reply({ status: 200, body: '{"ok":true}' }, '/final');
    await h.save(report({}, { _id: 'redirect' }));
    expect(h.rx.received.map((r) => [r.method, r.url, r.body])).toEqual([
      ['POST', '/x', '{"id":"redirect"}'],
      ['GET', '/final', ''],
    ]);
    expect(await tasks()).toEqual([]);
  });
});

describe('§6.6 retry loop', () => {
  it('§6.6: the task doc has CHT shape and is retried on every interval, forever while failing', async () => {
    h = await startHarness((rx) => ({ cfg: outboundTo(rx, '/x', { id: 'doc._id' }) }), {
      retryIntervalMs: 60,
    });
    h.rx.reply({ status: 500 });
    await h.save(report({}, { _id: 'loop' }));
    expect(await tasks()).toEqual([
      {
        _id: 'task:outbound:loop',
        _rev: expect.any(String),
        type: 'task:outbound',
        created: expect.any(Number),
        doc_id: 'loop',
        queue: ['cfg'],
      },
    ]);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(h.rx.received.length).toBeGreaterThanOrEqual(4);
    expect((await tasks()).map((t) => t.queue)).toEqual([['cfg']]);
  });

  it('§6.6: the retry sends the current doc and does not re-check relevant_to', async () => {
    h = await startHarness((rx) => ({
      cfg: outboundTo(rx, '/x', { id: 'doc._id', v: 'doc.fields.v' }, { relevant_to: 'doc.fields.v === 1' }),
    }));
    h.rx.reply({ status: 500 });
    const first = await h.save(report({ v: 1 }, { _id: 'cur' }));
    await h.save({ ...report({ v: 2 }), _id: 'cur', _rev: first.rev });
    expect(h.rx.received).toHaveLength(1);
    h.rx.reply({ status: 200 });
    await h.cht.retryPass();
    expect(h.rx.bodies('/x')).toEqual([
      { id: 'cur', v: 1 },
      { id: 'cur', v: 2 },
    ]);
    expect(await tasks()).toEqual([]);
  });

  it('§6.6: when the doc is deleted the task is deleted', async () => {
    h = await startHarness((rx) => ({ cfg: outboundTo(rx, '/x', { id: 'doc._id' }) }));
    h.rx.reply({ status: 500 });
    const saved = await h.save(report({}, { _id: 'gone' }));
    expect(await tasks()).toHaveLength(1);
    expect((await h.call('DELETE', `/medic/gone?rev=${saved.rev}`)).status).toBe(200);
    await h.cht.sentinelPass();
    await h.cht.retryPass();
    expect(await tasks()).toEqual([]);
    expect(h.rx.received).toHaveLength(1);
  });

  it('§6.6: a renamed config leaves its queue entry stuck forever (≥4.12)', async () => {
    h = await startHarness((rx) => ({ old: outboundTo(rx, '/x', { id: 'doc._id' }) }));
    h.rx.reply({ status: 500 });
    await h.save(report({}, { _id: 'renamed' }));
    const settings = (await h.call('GET', '/api/v1/settings')).json as Record<string, unknown> & {
      outbound: Record<string, unknown>;
    };
    const renamed = { ...settings, outbound: { renamed: settings.outbound.old } };
    expect((await h.call('PUT', '/api/v1/settings?replace=1', { body: renamed })).json).toEqual({
      success: true,
      updated: true,
    });
    h.rx.reply({ status: 200 });
    await h.cht.retryPass();
    await h.cht.retryPass();
    expect(h.rx.received).toHaveLength(1);
    expect((await tasks()).map((t) => t.queue)).toEqual([['old']]);
  });
});

describe('§6.7 dedup', () => {
  it('§6.7: re-saving with an unchanged payload sends nothing; changing a mapped field sends again', async () => {
    h = await startHarness((rx) => ({ cfg: outboundTo(rx, '/x', { id: 'doc._id', v: 'doc.fields.v' }) }));
    const first = await h.save(report({ v: 1, other: 'a' }, { _id: 'dd' }));
    const second = await h.save({ ...report({ v: 1, other: 'b' }), _id: 'dd', _rev: first.rev });
    expect(h.rx.received).toHaveLength(1);
    const third = await h.save({ ...report({ v: 2, other: 'b' }), _id: 'dd', _rev: second.rev });
    await h.save({ ...report({ v: 1, other: 'b' }), _id: 'dd', _rev: third.rev });
    expect(h.rx.bodies('/x')).toEqual([
      { id: 'dd', v: 1 },
      { id: 'dd', v: 2 },
      { id: 'dd', v: 1 },
    ]);
  });

  it('§6.7: a mapping with doc._rev pushes on every revision, including the patient_id follow-up write', async () => {
    h = await startHarness((rx) => ({
      cfg: outboundTo(
        rx,
        '/x',
        { id: 'doc._id', rev: 'doc._rev', pid: 'doc.patient_id' },
        { relevant_to: "doc.type === 'person'" },
      ),
    }));
    const person = (await h.call('POST', '/api/v1/people', { body: { name: 'Rev' } })).json as {
      id: string;
      rev: string;
    };
    await h.cht.sentinelPass();
    const saved = await h.get(person.id);
    const bodies = h.rx.bodies('/x') as { rev: string; pid: string }[];
    expect(bodies.map((b) => b.rev)).toEqual([person.rev, saved._rev]);
    expect(bodies.every((b) => b.pid === saved.patient_id)).toBe(true);
  });

  it('§6.7: a mapping with new Date() pushes on every write even when nothing else changed', async () => {
    h = await startHarness((rx) => ({
      cfg: outboundTo(rx, '/x', { id: 'doc._id', at: { expr: 'new Date().toISOString() + Math.random()' } }),
    }));
    const first = await h.save(report({}, { _id: 'clock' }));
    await h.save({ ...report({}), _id: 'clock', _rev: first.rev });
    expect(h.rx.received).toHaveLength(2);
  });

  it('§6.7: the API-path push has no _rev; Sentinel then pushes again once the record is saved', async () => {
    h = await startHarness((rx) => ({
      cfg: outboundTo(
        rx,
        '/x',
        { id: 'doc._id', rev: { path: 'doc._rev', optional: true } },
        { relevant_to: "doc.form === 'INTEROP_FOLLOW_UP'" },
      ),
    }));
    const created = (
      await h.call('POST', '/api/v2/records', {
        body: { _meta: { form: 'interop_follow_up' }, patient_uuid: 'p1' },
      })
    ).json as { id: string };
    expect(h.rx.bodies('/x')).toEqual([{ id: created.id }]);
    await h.cht.sentinelPass();
    const saved = await h.get(created.id);
    expect(h.rx.bodies('/x')).toEqual([{ id: created.id }, { id: created.id, rev: saved._rev }]);
  });
});

describe('§6.8 multi-config docs', () => {
  it('§6.8: two relevant configs that succeed are each pushed once (≥4.19: no duplicate 5 min later)', async () => {
    h = await startHarness((rx) => ({
      patient: outboundTo(rx, '/patient', { id: 'doc._id' }),
      FHIR_practitioner: outboundTo(rx, '/practitioner', {
        id: 'doc._id',
        active: { expr: true } as unknown as { expr: string },
      }),
    }));
    await h.save(report({}, { _id: 'multi' }));
    await h.cht.retryPass();
    expect(h.rx.received.map((r) => r.url)).toEqual(['/patient', '/practitioner']);
    expect(await tasks()).toEqual([]);
  });

  it('§6.8: an existing task blocks queuing of newly failing configs', async () => {
    h = await startHarness((rx) => ({
      a: outboundTo(rx, '/a', { id: 'doc._id' }),
      b: outboundTo(rx, '/b', { id: 'doc._id', v: 'doc.fields.v' }),
    }));
    h.rx.reply({ status: 500 }, '/a');
    const first = await h.save(report({ v: 1 }, { _id: 'blocked' }));
    expect((await tasks()).map((t) => t.queue)).toEqual([['a']]);
    h.rx.reply({ status: 500 }, '/b');
    await h.save({ ...report({ v: 2 }), _id: 'blocked', _rev: first.rev });
    expect(h.rx.bodies('/b')).toEqual([
      { id: 'blocked', v: 1 },
      { id: 'blocked', v: 2 },
    ]);
    expect((await tasks()).map((t) => t.queue)).toEqual([['a']]);
  });

  it('§6.8: queue-order removal bug: A fails and B succeeds on retry → A is removed, then lost', async () => {
    h = await startHarness((rx) => ({
      A: outboundTo(rx, '/a', { id: 'doc._id' }),
      B: outboundTo(rx, '/b', { id: 'doc._id' }),
    }));
    h.rx.reply({ status: 500 });
    await h.save(report({}, { _id: 'lost' }));
    expect((await tasks()).map((t) => t.queue)).toEqual([['A', 'B']]);
    h.rx.reply({ status: 200 }, '/b');
    await h.cht.retryPass();
    expect((await tasks()).map((t) => t.queue)).toEqual([['B']]);
    await h.cht.retryPass();
    expect(await tasks()).toEqual([]);
    h.rx.reply({ status: 200 }, '/a');
    await h.cht.retryPass();
    expect(h.rx.received.map((r) => r.url)).toEqual(['/a', '/b', '/a', '/b']);
  });
});

describe('§6.9 cron', () => {
  const hoursAway = (hours: number) => {
    const at = new Date(Date.now() + hours * 3600_000);
    return `${at.getMinutes()} ${at.getHours()} * * *`;
  };

  it('§6.9: not due → queued without an attempt; once due the scheduler pushes it', async () => {
    h = await startHarness((rx) => ({
      cfg: outboundTo(rx, '/x', { id: 'doc._id' }, { cron: hoursAway(12) }),
    }));
    await h.save(report({}, { _id: 'cron' }));
    await h.cht.retryPass();
    expect(h.rx.received).toEqual([]);
    expect((await tasks()).map((t) => t.queue)).toEqual([['cfg']]);
    await h.call('PUT', '/api/v1/settings', { body: { outbound: { cfg: { cron: hoursAway(0) } } } });
    await h.cht.retryPass();
    expect(h.rx.bodies('/x')).toEqual([{ id: 'cron' }]);
    expect(await tasks()).toEqual([]);
  });

  it('§6.9: an invalid cron is never due', async () => {
    h = await startHarness((rx) => ({
      cfg: outboundTo(rx, '/x', { id: 'doc._id' }, { cron: 'every minute' }),
    }));
    await h.save(report({}, { _id: 'badcron' }));
    await h.cht.retryPass();
    expect(h.rx.received).toEqual([]);
    expect((await tasks()).map((t) => t.queue)).toEqual([['cfg']]);
  });
});

it('§6.10: a report can be pushed before its patient; a consumer answering 200 "Patient not found" drops it', async () => {
  h = await startHarness((rx) => ({
    patient: outboundTo(rx, '/patient', { id: 'doc._id' }, { relevant_to: "doc.type === 'person'" }),
    encounter: outboundTo(
      rx,
      '/encounter',
      { patient_uuid: 'doc.fields.patient_uuid' },
      { relevant_to: "doc.form === 'INTEROP_FOLLOW_UP'" },
    ),
  }));
  const known = new Set<string>();
  h.rx.reply({ status: 500 }, '/patient');
  h.rx.reply((req) => {
    const { patient_uuid } = JSON.parse(req.body) as { patient_uuid: string };
    return known.has(patient_uuid)
      ? { status: 201 }
      : { status: 200, body: '{"message":"Patient not found"}' };
  }, '/encounter');
  const person = (await h.call('POST', '/api/v1/people', { body: { name: 'Later' } })).json as { id: string };
  await h.cht.sentinelPass();
  await h.call('POST', '/api/v2/records', {
    body: { _meta: { form: 'INTEROP_FOLLOW_UP' }, patient_uuid: person.id },
  });
  // The patient push failed on create and again on the patient_id follow-up revision.
  expect(h.rx.received.map((r) => r.url)).toEqual(['/patient', '/patient', '/encounter']);
  h.rx.reply((req) => {
    known.add((JSON.parse(req.body) as { id: string }).id);
    return { status: 200 };
  }, '/patient');
  await h.cht.retryPass();
  await h.cht.retryPass();
  // The encounter counted as delivered: it is never sent again although the patient now exists.
  expect(h.rx.received.map((r) => r.url)).toEqual(['/patient', '/patient', '/encounter', '/patient']);
  expect(await tasks()).toEqual([]);
});

describe('§6.11 synchronous records path', () => {
  it('§6.11: the records response waits for the push; a callback sees the registered person but not the report', async () => {
    h = await startHarness((rx) => ({
      ids: outboundTo(
        rx,
        '/ids',
        { id: 'doc._id', pid: 'doc.patient_id' },
        { relevant_to: "doc.form === 'INTEROP_PATIENT'" },
      ),
    }));
    const ids = await hierarchy();
    const clinic = await h.get(ids.clinic);
    const seen: { person: number; report: number }[] = [];
    h.rx.reply(async (req) => {
      const { id } = JSON.parse(req.body) as { id: string };
      const found = await call(h.cht.url, 'POST', '/medic/_find', {
        body: { selector: { source_id: id, type: 'person' }, fields: ['_id'] },
      });
      const reportDoc = await call(h.cht.url, 'GET', `/medic/${id}`);
      seen.push({ person: (found.json as { docs: unknown[] }).docs.length, report: reportDoc.status });
      return { status: 200, delayMs: 300 };
    }, '/ids');
    const started = Date.now();
    const answer = await h.call('POST', '/api/v2/records', {
      body: {
        _meta: { form: 'INTEROP_PATIENT' },
        patient_name: 'Baby',
        age_in_days: 3,
        external_id: 'E1',
        location_id: clinic.place_id,
      },
    });
    expect(answer.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(seen).toEqual([{ person: 1, report: 404 }]);
  });

  it('§6.11: a client that times out before the push ends still gets its record created', async () => {
    h = await startHarness((rx) => ({ slow: outboundTo(rx, '/slow', { id: 'doc._id' }) }));
    h.rx.reply({ delayMs: 500 });
    const aborted = fetch(`${h.cht.url}/api/v2/records`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from('medic:password').toString('base64')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ _meta: { form: 'INTEROP_FOLLOW_UP' }, patient_uuid: 'p9' }),
      signal: AbortSignal.timeout(100),
    });
    await expect(aborted).rejects.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 700));
    const found = await h.call('POST', '/medic/_find', { body: { selector: { form: 'INTEROP_FOLLOW_UP' } } });
    expect((found.json as { docs: { fields: unknown }[] }).docs.map((d) => d.fields)).toEqual([
      { patient_uuid: 'p9' },
    ]);
  });
});
