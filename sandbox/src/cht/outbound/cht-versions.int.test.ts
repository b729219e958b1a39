// Version-dependent outbound behaviour over real HTTP (reference cht.md §1.6, §1.8, §6.3, §6.5,
// §6.6, §6.8): the stand-in emulating CHT 4.10 (the interop stack's pin) and 4.18.
import { type Harness, outboundTo, startHarness } from '../test-support/harness';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const report = (id: string, fields: Record<string, unknown> = {}) => ({
  _id: id,
  type: 'data_record',
  form: 'T',
  fields,
});
const tasks = async () => (await h.cht.outbound()).tasks.map((task) => task.queue);

it('§6.3: the request is version-appropriate: 4.10 sends only request\'s headers (no user-agent), 4.18 "CHT/<v>"', async () => {
  h = await startHarness((rx) => ({ cfg: outboundTo(rx, '/x', { id: 'doc._id' }) }), {
    chtVersion: '4.10.0',
  });
  await h.save(report('ua1'));
  expect(h.rx.received[0]?.headers).toEqual({
    host: h.rx.url.replace('http://', ''),
    accept: 'application/json',
    'content-type': 'application/json',
    'content-length': String('{"id":"ua1"}'.length),
    connection: 'close',
  });
  await h.close();
  h = await startHarness((rx) => ({ cfg: outboundTo(rx, '/x', { id: 'doc._id' }) }), {
    chtVersion: '4.18.0',
  });
  await h.save(report('ua2'));
  expect(h.rx.received[0]?.headers['user-agent']).toMatch(/^CHT\/4\.18\.0 \(\w+,\w+\)$/);
});

it('§6.5: on ≤4.16 a 302 is a failure (not followed) and a 200 with invalid JSON is a success', async () => {
  h = await startHarness(
    (rx) => ({
      redirect: outboundTo(rx, '/r', { id: 'doc._id' }),
      badJson: outboundTo(rx, '/j', { id: 'doc._id' }),
    }),
    {
      chtVersion: '4.10.0',
    },
  );
  h.rx.reply({ status: 302, headers: { location: '/final' }, body: '' }, '/r');
  h.rx.reply({ status: 200, contentType: 'application/json', body: 'not json' }, '/j');
  await h.save(report('v1'));
  expect(h.rx.received.map((r) => r.url)).toEqual(['/r', '/j']);
  expect(await tasks()).toEqual([['redirect']]);
});

it('§6.8: on 4.10 the second of two successful configs is queued again and duplicated on the next retry run', async () => {
  h = await startHarness(
    (rx) => ({
      patient: outboundTo(rx, '/patient', { id: 'doc._id' }),
      FHIR_practitioner: outboundTo(rx, '/practitioner', { id: 'doc._id' }),
    }),
    { chtVersion: '4.10.0' },
  );
  await h.save(report('dup'));
  expect(await tasks()).toEqual([['FHIR_practitioner']]);
  await h.cht.retryPass();
  await h.cht.retryPass();
  expect(h.rx.received.map((r) => r.url)).toEqual(['/patient', '/practitioner', '/practitioner']);
  expect(await tasks()).toEqual([]);
});

it('§6.6: on 4.10–4.11 a renamed config clears its queue entry instead of staying stuck', async () => {
  h = await startHarness((rx) => ({ old: outboundTo(rx, '/x', { id: 'doc._id' }) }), {
    chtVersion: '4.10.0',
  });
  h.rx.reply({ status: 500 });
  await h.save(report('gone'));
  expect(await tasks()).toEqual([['old']]);
  const settings = (await h.call('GET', '/api/v1/settings')).json as { outbound: Record<string, unknown> };
  await h.call('PUT', '/api/v1/settings?replace=true', {
    body: { ...settings, outbound: { renamed: settings.outbound.old } },
  });
  await h.cht.retryPass();
  expect(await tasks()).toEqual([]);
  expect(h.rx.received).toHaveLength(1);
});

it('§6.12: records get a uuid v4 id on 4.x', async () => {
  h = await startHarness(() => ({}), { chtVersion: '4.10.0' });
  const answer = await h.call('POST', '/api/v2/records', {
    body: { _meta: { form: 'INTEROP_FOLLOW_UP' }, patient_uuid: 'p' },
  });
  expect((answer.json as { id: string }).id).toMatch(
    /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
  );
});
