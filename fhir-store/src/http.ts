// The FHIR REST API over the repository: routes only translate HTTP to calls and results to responses
// (`application/fhir+json`, ETag, Location, Last-Modified, OperationOutcome errors as HAPI gives them).
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { Bundle, Parameters, Resource } from 'fhir/r4';
import { basicAuth, type Logger } from '@cht-openmrs/common';
import type { Bundles } from './bundles';
import { capabilityStatement } from './capability';
import { FhirStoreError, invalid } from './errors';
import type { GroupCommit } from './group-commit';
import type { Repository, WriteResult } from './repository';
import type { Searches } from './search';

export interface HttpOptions {
  /** Public base URL (e.g. behind a proxy); default: taken from the request. */
  baseUrl?: string | undefined;
  username?: string | undefined;
  password?: string | undefined;
}

const FHIR_JSON = 'application/fhir+json;charset=utf-8';

function sendResource(res: Response, status: number, resource: Resource, base?: string): void {
  const version = resource.meta?.versionId;
  if (version) res.setHeader('ETag', `W/"${version}"`);
  if (resource.meta?.lastUpdated)
    res.setHeader('Last-Modified', new Date(resource.meta.lastUpdated).toUTCString());
  if (base && version) {
    const location = `${base}/${resource.resourceType}/${resource.id}/_history/${version}`;
    res.setHeader('Location', location);
    res.setHeader('Content-Location', location);
  }
  res.status(status).type(FHIR_JSON).send(JSON.stringify(resource));
}

function sendWrite(res: Response, result: WriteResult, base: string): void {
  sendResource(res, result.status, result.resource, base);
}

function queryOf(req: Request): URLSearchParams {
  const at = req.originalUrl.indexOf('?');
  return new URLSearchParams(at >= 0 ? req.originalUrl.slice(at + 1) : '');
}

export function createFhirApp(
  repository: Repository,
  searches: Searches,
  bundles: Bundles,
  writes: GroupCommit,
  logger: Logger,
  options: HttpOptions,
): Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  const base = (req: Request) => options.baseUrl ?? `${req.protocol}://${req.get('host')}/fhir`;
  const versionOf = (header: string | undefined) =>
    header?.match(/^W\/"(.+)"$/)?.[1] ?? header?.replace(/"/g, '');

  app.get('/fhir/metadata', (req, res) => {
    res.type(FHIR_JSON).send(JSON.stringify(capabilityStatement(base(req))));
  });
  if (options.username) app.use('/fhir', basicAuth(options.username, options.password ?? '', 'fhir-store'));
  app.use(
    express.json({
      type: ['application/json', 'application/fhir+json', 'application/json+fhir'],
      limit: '50mb',
    }),
  );
  app.use(express.urlencoded({ extended: false }));

  app.get('/fhir', (req, res) => {
    const query = queryOf(req);
    if (!query.get('_getpages'))
      throw invalid('0302', 'Unknown request: GET on the server base needs _getpages');
    sendResource(res, 200, searches.getPage(query, base(req)));
  });
  app.post('/fhir', async (req, res) => {
    const representation = /return=representation/.test(req.get('Prefer') ?? '');
    const bundle = req.body as Bundle;
    sendResource(res, 200, await writes.run(() => bundles.process(bundle, base(req), representation)));
  });
  app.post('/fhir/:type/_search', (req, res) => {
    const query = queryOf(req);
    for (const [key, value] of Object.entries(req.body as Record<string, string>)) query.append(key, value);
    sendResource(res, 200, searches.search(req.params.type, query, base(req)));
  });
  app.get('/fhir/:type', (req, res) => {
    sendResource(res, 200, searches.search(req.params.type, queryOf(req), base(req)));
  });
  app.post('/fhir/:type', async (req, res) => {
    const resource = req.body as Resource;
    if (resource?.resourceType !== req.params.type)
      throw invalid(
        '0450',
        `Resource type of the body (${resource?.resourceType}) is not ${req.params.type}`,
      );
    sendWrite(res, await writes.run(() => repository.create(resource, req.get('If-None-Exist'))), base(req));
  });
  app.put('/fhir/:type', async (req, res) => {
    const { type } = req.params;
    const result = await writes.run(() =>
      repository.conditionalUpdate(type, queryOf(req), req.body as Resource),
    );
    sendWrite(res, result, base(req));
  });
  app.get('/fhir/:type/:id', (req, res) => {
    sendResource(res, 200, repository.read(req.params.type, req.params.id));
  });
  app.put('/fhir/:type/:id', async (req, res) => {
    const { type, id } = req.params;
    const result = await writes.run(() =>
      repository.update(type, id, req.body as Resource, versionOf(req.get('If-Match'))),
    );
    sendWrite(res, result, base(req));
  });
  app.delete('/fhir/:type/:id', async (req, res) => {
    const { type, id } = req.params;
    res.type(FHIR_JSON).send(JSON.stringify(await writes.run(() => repository.delete(type, id))));
  });
  app.post('/fhir/:type/:id/:operation', async (req, res) => {
    const { type, id, operation } = req.params;
    if (operation !== '$meta-delete')
      throw invalid(
        '0308',
        `Invalid request: The FHIR endpoint on this server does not know how to handle POST operation[${type}/${id}/${operation}]`,
      );
    const remove = (req.body as Parameters).parameter?.find((p) => p.name === 'meta')?.valueMeta ?? {};
    const meta = await writes.run(() => repository.metaDelete(type, id, remove));
    res
      .type(FHIR_JSON)
      .send(JSON.stringify({ resourceType: 'Parameters', parameter: [{ name: 'return', valueMeta: meta }] }));
  });
  app.get('/fhir/:type/:id/_history', (req, res) => {
    sendResource(res, 200, repository.history(req.params.type, req.params.id, base(req)));
  });
  app.get('/fhir/:type/:id/_history/:version', (req, res) => {
    sendResource(res, 200, repository.vread(req.params.type, req.params.id, req.params.version));
  });

  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const parseFailure = (error as { type?: string }).type === 'entity.parse.failed';
    const known =
      error instanceof FhirStoreError
        ? error
        : parseFailure
          ? invalid(
              '0450',
              `Failed to parse request body as JSON resource. Error was: ${(error as Error).message}`,
            )
          : new FhirStoreError(
              500,
              '0000',
              error instanceof Error ? error.message : String(error),
              'exception',
            );
    if (known.status >= 500) logger.error({ err: error }, 'fhir-store failed');
    res.status(known.status).type(FHIR_JSON).send(JSON.stringify(known.outcome()));
  });
  return app;
}
