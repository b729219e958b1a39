// axios's exchange on the wire, made by undici (the engine of Node's own fetch) instead of node:http.
// axios stays what our code sees: config, interceptors, retries, AxiosError. A request through
// createHttpClient costs under half the CPU this way (78 against 206 µs, npm run http-client -w bench),
// which matters at SYNC_CONCURRENCY 32: through node:http, the mediator alone used about as many
// CPU-seconds as a back-fill's lower bound in seconds.
import axios, {
  AxiosError,
  AxiosHeaders,
  type AxiosAdapter,
  type AxiosResponse,
  type InternalAxiosRequestConfig,
} from 'axios';
import { EnvHttpProxyAgent, type Dispatcher } from 'undici';

export interface UndiciAdapterOptions {
  /** Connections to a peer, so requests in flight to it; the others wait, untimed, for one to be free. */
  maxInFlight?: number | undefined;
  /** Accept a self-signed TLS certificate. */
  allowSelfSigned?: boolean | undefined;
}

/** undici's codes for what axios's own transport names as these (callers and operators know those). */
const AXIOS_CODES: Record<string, string> = {
  UND_ERR_HEADERS_TIMEOUT: AxiosError.ECONNABORTED,
  UND_ERR_BODY_TIMEOUT: AxiosError.ECONNABORTED,
  UND_ERR_CONNECT_TIMEOUT: AxiosError.ETIMEDOUT,
  UND_ERR_SOCKET: 'ECONNRESET',
};

/** The URL axios would send to, base and path joined as axios joins them, without merging the config again. */
function urlOf(config: InternalAxiosRequestConfig): URL {
  const path = config.url ?? '';
  if (config.params !== undefined) return new URL(axios.getUri(config));
  if (!config.baseURL || /^([a-z][a-z\d+.-]*:)?\/\//i.test(path)) return new URL(path);
  return new URL(
    path ? `${config.baseURL.replace(/\/?\/$/, '')}/${path.replace(/^\/+/, '')}` : config.baseURL,
  );
}

function headersOf(config: InternalAxiosRequestConfig): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(config.headers.toJSON(true)))
    if (value !== undefined && value !== null) headers[name.toLowerCase()] = String(value);
  if (config.auth) {
    const { username, password } = config.auth;
    headers.authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  }
  return headers;
}

/** What axios's request transform left to send. */
function bodyOf(data: unknown, config: InternalAxiosRequestConfig): string | Buffer | undefined {
  if (data === undefined || data === null) return undefined;
  if (typeof data === 'string' || Buffer.isBuffer(data)) return data;
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  throw new AxiosError('a request body must be JSON, text or bytes', AxiosError.ERR_BAD_REQUEST, config);
}

function failure(error: unknown, config: InternalAxiosRequestConfig): AxiosError {
  if (error instanceof AxiosError) return error;
  // Not `instanceof Error`: Node's own errors come from another realm under test runners.
  const cause = (typeof error === 'object' && error !== null ? error : {}) as {
    code?: unknown;
    message?: unknown;
  };
  const raw = typeof cause.code === 'string' ? cause.code : undefined;
  const code = (raw && AXIOS_CODES[raw]) || raw;
  const message =
    code === AxiosError.ECONNABORTED
      ? `timeout of ${config.timeout}ms exceeded`
      : typeof cause.message === 'string'
        ? cause.message
        : String(error);
  return new AxiosError(message, code, config);
}

/** An axios adapter with connections of its own, kept alive. */
export function undiciAdapter(options: UndiciAdapterOptions = {}): AxiosAdapter {
  // Like axios's own transport, it goes through HTTP(S)_PROXY when set (and not for NO_PROXY hosts).
  const dispatcher = new EnvHttpProxyAgent({
    ...(options.maxInFlight !== undefined ? { connections: options.maxInFlight } : {}),
    ...(options.allowSelfSigned ? { connect: { rejectUnauthorized: false } } : {}),
  });
  return async (config: InternalAxiosRequestConfig): Promise<AxiosResponse> => {
    const url = urlOf(config);
    // undici times from when the request is written: time spent waiting for a connection is not counted.
    const timeout = config.timeout ?? 0;
    let answer: Dispatcher.ResponseData;
    let data: string | Buffer;
    try {
      answer = await dispatcher.request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: (config.method ?? 'get').toUpperCase() as Dispatcher.HttpMethod,
        headers: headersOf(config),
        body: bodyOf(config.data, config),
        headersTimeout: timeout,
        bodyTimeout: timeout,
        ...(config.signal ? { signal: config.signal as AbortSignal } : {}),
      });
      data =
        config.responseType === 'arraybuffer'
          ? Buffer.from(await answer.body.arrayBuffer())
          : await answer.body.text();
    } catch (error) {
      throw failure(error, config);
    }
    const response: AxiosResponse = {
      data,
      status: answer.statusCode,
      statusText: '',
      headers: new AxiosHeaders(answer.headers as Record<string, string | string[]>),
      config,
      request: {},
    };
    if (!config.validateStatus || config.validateStatus(answer.statusCode)) return response;
    throw new AxiosError(
      `Request failed with status code ${answer.statusCode}`,
      answer.statusCode < 500 ? AxiosError.ERR_BAD_REQUEST : AxiosError.ERR_BAD_RESPONSE,
      config,
      response.request,
      response,
    );
  };
}
