// The CHT API calls the configurator makes (reference cht.md §2.5; cht-core api/src/controllers
// credentials.js and settings.js): store a credential, read the app settings, merge into them.
import { isAxiosError, type AxiosInstance } from 'axios';
import { createHttpClient, type Logger } from '@cht-openmrs/common';

export type OutboundEntries = Record<string, unknown>;

export class ChtApi {
  readonly http: AxiosInstance;

  constructor(
    private readonly baseURL: string,
    private readonly username: string,
    password: string,
    allowSelfSigned: boolean,
    logger?: Logger,
  ) {
    this.http = createHttpClient({
      peer: 'CHT',
      baseURL,
      username,
      password,
      logger,
      retries: 1,
      allowSelfSigned,
    });
  }

  /** A 403 names the setting: the user logs in but lacks the rights this call needs. */
  private async refusedAs<T>(call: string, needs: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      if (!isAxiosError(error) || error.response?.status !== 403) throw error;
      const reason = (error.response.data as { error?: unknown } | undefined)?.error;
      const why = typeof reason === 'string' ? ` (${reason})` : '';
      throw new Error(
        `CHT_USERNAME: CHT at ${this.baseURL} answered 403 to ${call}${why}: user ${this.username} ${needs}`,
      );
    }
  }

  /** PUT /api/v1/credentials/:key (CouchDB admins only; CHT has no way to read it back). */
  async putCredential(key: string, value: string): Promise<void> {
    const path = `/api/v1/credentials/${encodeURIComponent(key)}`;
    await this.refusedAs(`PUT ${path}`, 'must be a CHT (CouchDB) admin', () =>
      this.http.put(path, value, { headers: { 'Content-Type': 'text/plain' } }),
    );
  }

  async settings(): Promise<Record<string, unknown>> {
    return (await this.http.get<Record<string, unknown>>('/api/v1/settings')).data;
  }

  /**
   * PUT /api/v1/settings: without `replaceTopLevel` CHT merges objects recursively; with it, the top-level
   * keys given replace CHT's (others stay).
   */
  async putSettings(body: Record<string, unknown>, replaceTopLevel: boolean): Promise<void> {
    await this.refusedAs(
      'PUT /api/v1/settings',
      'needs can_edit and can_configure (a CHT admin has them)',
      () =>
        this.http.put('/api/v1/settings', body, {
          params: replaceTopLevel ? { replace: 'true' } : undefined,
          headers: { 'Content-Type': 'application/json' },
        }),
    );
  }
}
