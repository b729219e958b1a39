// The FHIR R4 endpoint at /openmrs/ws/fhir2/R4: HAPI's routing, headers and OperationOutcomes
// (openmrs-fhir2.md §2, §7, §8) around the stand-in's resources and paged searches.
import { Router, type Request, type Response } from 'express';
import type { CapabilityStatement, OperationOutcome, Resource } from 'fhir/r4';
import { FhirProblem, internalError } from '../fhir/errors';
import { withLists } from '../fhir/lists';
import type { PagedSearches } from '../fhir/paging';
import {
  isResourceType,
  RESOURCE_TYPES,
  type OpenmrsResources,
  type PatchFormat,
  type ResourceType,
} from '../fhir/resources';
import { parseSearch, type SearchParams } from '../fhir/search';
import { sendContainerError, type Authenticator } from './auth';

export const FHIR_PATH = '/openmrs/ws/fhir2/R4';
const FHIR_JSON = 'application/fhir+json;charset=utf-8';
const POWERED_BY = 'HAPI FHIR 5.7.9 REST Server (FHIR Server; FHIR 4.0.1/R4); OpenMRS FHIR Server';

export interface FhirRouteDeps {
  resources: OpenmrsResources;
  searches: PagedSearches;
  auth: Authenticator;
  onError: (error: unknown) => void;
}

/** `scheme://host[:port]/openmrs/ws/fhir2/R4` from the request, X-Forwarded-* honoured (§2). */
export function serverBase(req: Request): string {
  const header = (name: string) => req.get(name)?.split(',')[0]?.trim();
  const proto = header('x-forwarded-proto') ?? req.protocol;
  let host = header('x-forwarded-host') ?? req.get('host') ?? 'localhost';
  const port = header('x-forwarded-port');
  if (port) {
    const isDefault = (proto === 'http' && port === '80') || (proto === 'https' && port === '443');
    host = `${host.replace(/:\d+$/, '')}${isDefault ? '' : `:${port}`}`;
  }
  return `${proto}://${host}${FHIR_PATH}`;
}

const outcome = (problem: FhirProblem): OperationOutcome => ({
  resourceType: 'OperationOutcome',
  issue: [{ severity: 'error', code: problem.issueCode as 'processing', diagnostics: problem.diagnostics }],
});

function sendResource(res: Response, status: number, resource: Resource, cache = false): void {
  const version = resource.meta?.versionId;
  if (version) res.set('ETag', `W/"${version}"`);
  if (resource.meta?.lastUpdated) res.set('Last-Modified', new Date(resource.meta.lastUpdated).toUTCString());
  if (cache) res.set('Cache-Control', 'no-store');
  res.status(status).type(FHIR_JSON).send(JSON.stringify(resource));
}

function parseBody(req: Request, type: ResourceType): Resource {
  const text = typeof req.body === 'string' ? req.body : '';
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new FhirProblem(
      400,
      `HAPI-0450: Failed to parse request body as JSON resource. Error was: HAPI-1861: Failed to parse JSON encoded FHIR content: ${(error as Error).message}`,
    );
  }
  const resourceType = (body as { resourceType?: unknown } | null)?.resourceType;
  if (resourceType !== type) {
    throw new FhirProblem(
      400,
      `HAPI-0450: Failed to parse request body as JSON resource. Error was: HAPI-1838: Incorrect resource type found, expected "${type}" but found "${String(resourceType)}"`,
    );
  }
  return withLists(body as Resource);
}

function searchParams(req: Request): SearchParams {
  return [...new URL(req.originalUrl, 'http://x').searchParams.entries()].filter(
    ([name]) => !['_format', '_pretty'].includes(name),
  );
}

function capabilityStatement(base: string): CapabilityStatement {
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: new Date().toISOString(),
    publisher: 'Not provided',
    kind: 'instance',
    software: { name: 'OpenMRS FHIR Server', version: '5.7.9' },
    implementation: { description: 'OpenMRS FHIR Server', url: base },
    fhirVersion: '4.0.1',
    format: ['application/fhir+xml', 'application/fhir+json'],
    rest: [
      {
        mode: 'server',
        resource: RESOURCE_TYPES.map((type) => ({
          type,
          profile: `http://hl7.org/fhir/StructureDefinition/${type}`,
          interaction: ['read', 'create', 'update', 'patch', 'delete', 'search-type'].map((code) => ({
            code: code as 'read',
          })),
        })),
      },
    ],
  };
}

function unsupported(req: Request, type: string): FhirProblem {
  return new FhirProblem(
    400,
    `HAPI-0303: Invalid request: The FHIR endpoint on this server does not know how to handle ${req.method} operation[${type}] with parameters [[]]`,
    'not-supported',
  );
}

export function fhirRoutes({ resources, searches, auth, onError }: FhirRouteDeps): Router {
  const router = Router();
  const resourceType = (type: string): ResourceType => {
    if (isResourceType(type)) return type;
    throw new FhirProblem(
      404,
      `HAPI-0302: Unknown resource type '${type}' - Server knows how to handle: [${[...RESOURCE_TYPES].sort().join(', ')}]`,
      'not-supported',
    );
  };
  type Handler = (req: Request, res: Response) => void;
  const handle =
    (handler: Handler): Handler =>
    (req, res) => {
      try {
        res.set('X-Powered-By', POWERED_BY);
        handler(req, res);
      } catch (error) {
        const problem =
          error instanceof FhirProblem
            ? error
            : internalError((error as Error).name, (error as Error).message);
        if (!(error instanceof FhirProblem)) onError(error);
        res
          .status(problem.status)
          .type(FHIR_JSON)
          .send(JSON.stringify(outcome(problem)));
      }
    };

  router.get(
    ['/metadata', '/.well-known/{*rest}'],
    handle((req, res) => {
      sendResource(res, 200, capabilityStatement(serverBase(req)));
    }),
  );
  router.use((req, res, next) => {
    if (auth.authenticate(req, res)) next();
    else sendContainerError(res, 401, 'Not authenticated');
  });

  router.get(
    '/',
    handle((req, res) => {
      const key = String(req.query._getpages ?? '');
      if (!key)
        throw new FhirProblem(400, 'HAPI-0303: Invalid request: no resource type given', 'not-supported');
      const offset = Number.parseInt(String(req.query._getpagesoffset ?? '0'), 10) || 0;
      const count =
        req.query._count === undefined ? undefined : Number.parseInt(String(req.query._count), 10);
      const self = `${serverBase(req)}${req.originalUrl.slice(req.originalUrl.indexOf('?'))}`;
      sendResource(res, 200, searches.next(serverBase(req), key, offset, count, self), true);
    }),
  );
  router.get(
    '/:type',
    handle((req, res) => {
      const type = resourceType(String(req.params.type));
      sendResource(res, 200, searches.first(serverBase(req), parseSearch(type, searchParams(req))), true);
    }),
  );
  router.get(
    '/:type/:id',
    handle((req, res) => {
      const resource = resources.read(resourceType(String(req.params.type)), String(req.params.id));
      const etag = `W/"${resource.meta?.versionId}"`;
      if (resource.meta?.versionId && req.get('if-none-match') === etag) {
        res.status(304).set('ETag', etag).end();
        return;
      }
      sendResource(res, 200, resource, true);
    }),
  );
  router.post(
    '/:type',
    handle((req, res) => {
      const type = resourceType(String(req.params.type));
      const created = resources.create(type, parseBody(req, type));
      const location = `${serverBase(req)}/${type}/${created.id}`;
      res.set({ Location: location, 'Content-Location': location });
      sendResource(res, 201, created);
    }),
  );
  router.put(
    '/:type/:id',
    handle((req, res) => {
      const type = resourceType(String(req.params.type));
      sendResource(res, 200, resources.update(type, String(req.params.id), parseBody(req, type)));
    }),
  );
  router.patch(
    '/:type/:id',
    handle((req, res) => {
      const type = resourceType(String(req.params.type));
      const contentType = req.get('content-type') ?? '';
      const format: PatchFormat | undefined = contentType.includes('json-patch')
        ? 'json-patch'
        : contentType.includes('merge-patch')
          ? 'merge-patch'
          : undefined;
      if (!format)
        throw new FhirProblem(400, 'HAPI-1266: Invalid Content-Type for PATCH operation: ' + contentType);
      let patch: unknown;
      try {
        patch = JSON.parse(String(req.body));
      } catch (error) {
        throw new FhirProblem(
          400,
          `HAPI-1861: Failed to parse JSON encoded patch: ${(error as Error).message}`,
        );
      }
      sendResource(res, 200, resources.patch(type, String(req.params.id), format, patch));
    }),
  );
  router.delete(
    '/:type/:id',
    handle((req, res) => {
      resources.delete(resourceType(String(req.params.type)), String(req.params.id));
      const deleted: OperationOutcome = {
        resourceType: 'OperationOutcome',
        issue: [
          {
            severity: 'information',
            code: 'informational',
            details: {
              coding: [
                {
                  system: 'http://terminology.hl7.org/CodeSystem/operation-outcome',
                  code: 'MSG_DELETED',
                  display: 'This resource has been deleted',
                },
              ],
              text: 'This resource has been deleted',
            },
          },
        ],
      };
      res.status(200).type(FHIR_JSON).send(JSON.stringify(deleted));
    }),
  );
  router.all(
    ['/:type', '/:type/:id'],
    handle((req) => {
      throw unsupported(req, String(req.params.type));
    }),
  );
  return router;
}
