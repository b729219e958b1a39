// The one way our services call other systems (FHIR server, OpenMRS, CHT, OpenHIM).
// Each call: a timeout, retries with backoff where a retry is safe, one log line, and one OpenHIM
// orchestration recorded into the request being served (see context/request-context.ts).
import axios, { type AxiosError, type AxiosInstance, type InternalAxiosRequestConfig } from 'axios';
import axiosRetry, { exponentialDelay } from 'axios-retry';
import {
  countDroppedOrchestration,
  orchestrationWanted,
  recordOrchestration,
} from '../context/request-context';
import { orchestrationOf } from '../mediator/orchestration';
import type { Logger } from '../logging/logger';
import { undiciAdapter } from './undici-adapter';

declare module 'axios' {
  interface AxiosRequestConfig {
    /** Safe to repeat (e.g. a conditional create). GET, HEAD, OPTIONS, PUT and DELETE are anyway. */
    idempotent?: boolean;
  }
  interface InternalAxiosRequestConfig {
    startedAt?: Date;
  }
}

export interface HttpClientOptions {
  /** The peer's name in logs and orchestrations, e.g. "FHIR", "OpenMRS", "CHT". */
  peer: string;
  baseURL: string;
  username?: string | undefined;
  password?: string | undefined;
  /** How long an answer may take once the request is sent (checked about every half second). */
  timeoutMs?: number;
  /** Attempts after the first one, for requests that are safe to repeat. */
  retries?: number;
  /** Base of the exponential backoff between retries. */
  retryDelayMs?: number;
  headers?: Record<string, string>;
  logger?: Logger | undefined;
  /** Accept a self-signed TLS certificate. Certificates are verified unless an operator says so. */
  allowSelfSigned?: boolean;
  /**
   * At most this many requests in flight to the peer; the rest wait their turn (the time waiting does
   * not count against the timeout). Connections are kept alive.
   */
  maxInFlight?: number;
}

const IDEMPOTENT_METHODS = new Set(['get', 'head', 'options', 'put', 'delete']);

/**
 * HAPI answers 409 HAPI-0823 to the loser of two writes of one resource that commit at once. Written
 * again, it simply comes second, unless it named the version it meant to replace (If-Match): that
 * conflict is its caller's to resolve.
 */
function lostVersionRace(error: AxiosError): boolean {
  const ifMatch = error.config?.headers?.['If-Match'];
  return (
    error.response?.status === 409 && !ifMatch && JSON.stringify(error.response.data).includes('HAPI-0823')
  );
}

/** A refused connection never reached the server, so even a POST may be sent again. */
export function isRetryable(error: AxiosError): boolean {
  if (axios.isCancel(error)) return false;
  if (error.code === 'ECONNREFUSED') return true;
  const status = error.response?.status;
  const transient = status === undefined ? true : status >= 500 || status === 429 || lostVersionRace(error);
  if (!transient) return false;
  const config = error.config;
  return Boolean(
    config && (config.idempotent || IDEMPOTENT_METHODS.has((config.method ?? 'get').toLowerCase())),
  );
}

export function createHttpClient(options: HttpClientOptions): AxiosInstance {
  const { peer, logger } = options;
  const client = axios.create({
    baseURL: options.baseURL,
    timeout: options.timeoutMs ?? 30_000,
    headers: options.headers,
    // Peers' APIs answer, they do not redirect: a redirect is an answer like any other.
    maxRedirects: 0,
    adapter: undiciAdapter(options),
    auth:
      options.username !== undefined
        ? { username: options.username, password: options.password ?? '' }
        : undefined,
  });

  const record = (config: InternalAxiosRequestConfig, outcome: Parameters<typeof orchestrationOf>[3]) => {
    // A large run makes thousands of requests: beyond what is kept, a success costs nothing to record.
    if (!outcome.error && !orchestrationWanted() && !logger?.isLevelEnabled('debug'))
      return countDroppedOrchestration();
    const startedAt = config.startedAt ?? new Date();
    const orchestration = orchestrationOf(peer, config, startedAt, outcome);
    recordOrchestration(orchestration);
    const status = orchestration.response?.status;
    const line = {
      peer,
      method: orchestration.request.method,
      url: `${orchestration.request.path}${orchestration.request.querystring ? `?${orchestration.request.querystring}` : ''}`,
      status,
      ms: Date.now() - startedAt.getTime(),
    };
    if (outcome.error) {
      logger?.warn(
        { ...line, error: orchestration.error?.message, body: orchestration.response?.body.slice(0, 500) },
        `${peer} ${line.method} ${line.url} failed`,
      );
    } else {
      logger?.debug(line, `${peer} ${line.method} ${line.url} -> ${status}`);
    }
  };

  client.interceptors.request.use((config) => {
    config.startedAt = new Date();
    return config;
  });
  client.interceptors.response.use(
    (response) => {
      record(response.config, { response });
      return response;
    },
    (error: AxiosError) => {
      if (error.config) record(error.config, { error });
      return Promise.reject(error);
    },
  );

  axiosRetry(client, {
    retries: options.retries ?? 3,
    retryDelay: (attempt, error) => exponentialDelay(attempt, error, options.retryDelayMs ?? 250),
    retryCondition: isRetryable,
    shouldResetTimeout: true,
    onRetry: (attempt, error, config) =>
      logger?.info(
        { peer, attempt, method: config.method, url: config.url, error: error.message },
        `${peer}: retrying`,
      ),
  });
  return client;
}
