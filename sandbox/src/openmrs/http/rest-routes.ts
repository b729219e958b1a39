// The slice of OpenMRS REST v1 (/openmrs/ws/rest/v1) a configurator needs: session, identifier types
// (search and create), visit types, encounter types, locations and concepts. Representations follow
// the REST module's default/full shapes; errors its `{error:{message,code,…}}` body.
import { randomUUID } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import type { Database } from '../model/database';
import type { Concept, IdentifierType, NamedMetadata } from '../model/seed';
import type { Authenticator } from './auth';

export const REST_PATH = '/openmrs/ws/rest/v1';

const DATATYPE_UUIDS: Record<Concept['datatype'], string> = {
  Numeric: '8d4a4488-c2cc-11de-8d13-0010c6dffd0f',
  Coded: '8d4a48b6-c2cc-11de-8d13-0010c6dffd0f',
  Text: '8d4a4ab4-c2cc-11de-8d13-0010c6dffd0f',
  'N/A': '8d4a4c94-c2cc-11de-8d13-0010c6dffd0f',
  Date: '8d4a505e-c2cc-11de-8d13-0010c6dffd0f',
  Datetime: '8d5b2be0-c2cc-11de-8d13-0010c6dffd0f',
  Boolean: '8d4a5cca-c2cc-11de-8d13-0010c6dffd0f',
};

const IDENTIFIER_TYPE_PROPERTIES = [
  'name',
  'description',
  'format',
  'formatDescription',
  'required',
  'validator',
  'locationBehavior',
  'uniquenessBehavior',
  'retired',
];

class RestError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(String(body.message));
  }
}

const link = (req: Request, resource: string, uuid: string) => [
  {
    rel: 'self',
    uri: `${req.protocol}://${req.get('host')}${REST_PATH}/${resource}/${uuid}`,
    resourceAlias: resource,
  },
];

export function restRoutes(db: Database, auth: Authenticator): Router {
  const router = Router();
  const full = (req: Request) => req.query.v === 'full';

  const metadataRep = (req: Request, resource: string, item: NamedMetadata) =>
    full(req)
      ? {
          uuid: item.uuid,
          display: item.name,
          name: item.name,
          description: item.description ?? null,
          retired: Boolean(item.retired),
          links: link(req, resource, item.uuid),
          resourceVersion: '1.9',
        }
      : { uuid: item.uuid, display: item.name, links: link(req, resource, item.uuid) };

  const identifierTypeRep = (req: Request, type: IdentifierType, fullRep = full(req)) =>
    fullRep
      ? {
          uuid: type.uuid,
          display: type.name,
          name: type.name,
          description: type.description,
          format: type.format ?? null,
          formatDescription: type.formatDescription ?? null,
          required: type.required,
          validator: type.validator
            ? 'org.openmrs.module.idgen.validator.LuhnMod30IdentifierValidator'
            : null,
          locationBehavior: type.locationBehavior,
          uniquenessBehavior: type.uniquenessBehavior,
          retired: type.retired,
          links: link(req, 'patientidentifiertype', type.uuid),
          resourceVersion: '2.0',
        }
      : { uuid: type.uuid, display: type.name, links: link(req, 'patientidentifiertype', type.uuid) };

  const conceptRep = (req: Request, concept: Concept) => ({
    uuid: concept.uuid,
    display: concept.name,
    ...(full(req) || req.query.v === 'default' || req.query.v === undefined
      ? {
          name: {
            display: concept.name,
            name: concept.name,
            locale: 'en',
            conceptNameType: 'FULLY_SPECIFIED',
          },
          datatype: {
            uuid: DATATYPE_UUIDS[concept.datatype],
            display: concept.datatype,
            name: concept.datatype,
          },
          conceptClass: { display: concept.conceptClass, name: concept.conceptClass },
          answers: (concept.answers ?? []).map((answer) => ({
            uuid: answer,
            display: db.concept(answer)?.name,
          })),
          mappings: Object.entries(concept.mappings).map(([source, code]) => ({
            display: `${source}: ${code}`,
          })),
          retired: false,
        }
      : {}),
    links: link(req, 'concept', concept.uuid),
  });

  const notFound = () =>
    new RestError(404, { message: "Object with given uuid doesn't exist", code: null, detail: '' });

  type Handler = (req: Request, res: Response) => void;
  const handle =
    (handler: Handler): Handler =>
    (req, res) => {
      try {
        handler(req, res);
      } catch (error) {
        if (!(error instanceof RestError)) throw error;
        res.status(error.status).json({ error: { url: req.originalUrl, ...error.body } });
      }
    };

  router.get(
    '/session',
    handle((req, res) => {
      const user = auth.authenticate(req, res);
      const session = auth.session(req, res);
      res.json(
        user
          ? {
              sessionId: session.id,
              authenticated: true,
              user: {
                uuid: '45ce6c2e-dd5a-11e6-9d9c-0242ac150002',
                display: user,
                username: user,
                systemId: user,
              },
              locale: 'en_GB',
              allowedLocales: ['en', 'en_GB', 'es', 'fr'],
              sessionLocation: null,
              currentProvider: {
                uuid: 'f9badd80-ab76-11e2-9e96-0800200c9a66',
                display: 'UNKNOWN - Super User',
              },
            }
          : { sessionId: session.id, authenticated: false },
      );
    }),
  );
  router.delete('/session', (req, res) => {
    auth.logout(req, res);
    res.status(204).end();
  });
  router.use((req, res, next) => {
    if (auth.authenticate(req, res)) next();
    else
      res.status(401).json({
        error: {
          message: 'User is not logged in',
          code: 'org.openmrs.module.webservices.rest.web.RestUtil',
          detail: '',
        },
      });
  });

  const searchable = <T extends { name: string; retired?: boolean }>(items: T[], req: Request) => {
    const q = typeof req.query.q === 'string' ? req.query.q.toLowerCase() : undefined;
    return items.filter((item) => (q === undefined ? !item.retired : item.name.toLowerCase().includes(q)));
  };

  router.get(
    '/patientidentifiertype',
    handle((req, res) => {
      res.json({ results: searchable(db.tables.identifierTypes, req).map((t) => identifierTypeRep(req, t)) });
    }),
  );
  router.get(
    '/patientidentifiertype/:uuid',
    handle((req, res) => {
      const type = db.identifierType(String(req.params.uuid));
      if (!type) throw notFound();
      res.json(identifierTypeRep(req, type));
    }),
  );
  router.post(
    '/patientidentifiertype',
    handle((req, res) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const extra = Object.keys(body).filter((key) => !IDENTIFIER_TYPE_PROPERTIES.includes(key));
      if (extra.length) {
        throw new RestError(400, {
          message: `Some properties are not allowed to be set: ${extra.join(', ')}`,
          code: 'org.openmrs.module.webservices.rest.web.resource.impl.BaseDelegatingResource:775',
          detail: '',
        });
      }
      const name = typeof body.name === 'string' ? body.name.trim() : '';
      const fieldErrors: Record<string, { code: string; message: string }[]> = {};
      if (!name) fieldErrors.name = [{ code: 'error.name', message: 'Invalid name' }];
      else if (db.tables.identifierTypes.some((t) => t.name.toLowerCase() === name.toLowerCase()))
        fieldErrors.name = [
          {
            code: 'PatientIdentifierType.error.nameDuplicate',
            message: 'Patient identifier type name already in use',
          },
        ];
      if (Object.keys(fieldErrors).length) {
        throw new RestError(400, {
          message: '[Invalid Submission]',
          code: 'webservices.rest.error.invalid.submission',
          globalErrors: [],
          fieldErrors,
        });
      }
      const enumOf = <T extends string>(value: unknown, allowed: T[]): T | null =>
        allowed.includes(value as T) ? (value as T) : null;
      const type: IdentifierType = {
        uuid: randomUUID(),
        name,
        description: typeof body.description === 'string' ? body.description : '',
        ...(typeof body.format === 'string' ? { format: body.format } : {}),
        ...(typeof body.formatDescription === 'string' ? { formatDescription: body.formatDescription } : {}),
        required: body.required === true,
        locationBehavior: enumOf(body.locationBehavior, ['NOT_USED', 'REQUIRED']),
        uniquenessBehavior: enumOf(body.uniquenessBehavior, ['UNIQUE', 'NON_UNIQUE', 'LOCATION']),
        retired: false,
      };
      db.tables.identifierTypes.push(type);
      db.save();
      res.status(201).json(identifierTypeRep(req, type, true));
    }),
  );

  const metadata = (resource: string, items: () => NamedMetadata[]) => {
    router.get(
      `/${resource}`,
      handle((req, res) => {
        res.json({ results: searchable(items(), req).map((item) => metadataRep(req, resource, item)) });
      }),
    );
    router.get(
      `/${resource}/:uuid`,
      handle((req, res) => {
        const item = items().find((i) => i.uuid === req.params.uuid);
        if (!item) throw notFound();
        res.json(metadataRep(req, resource, item));
      }),
    );
  };
  metadata('visittype', () => db.visitTypes);
  metadata('encountertype', () => db.encounterTypes);
  metadata('location', () => db.locations);

  router.get(
    '/concept',
    handle((req, res) => {
      res.json({ results: searchable(db.concepts, req).map((c) => conceptRep(req, c)) });
    }),
  );
  router.get(
    '/concept/:uuid',
    handle((req, res) => {
      const concept = db.concept(String(req.params.uuid));
      if (!concept) throw notFound();
      res.json(conceptRep(req, concept));
    }),
  );
  return router;
}
