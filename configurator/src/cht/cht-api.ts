// The CHT API calls the configurator makes (reference cht.md §2.5; cht-core api/src/controllers
// credentials.js and settings.js): store a credential, read the app settings, merge into them.
import type { AxiosInstance } from 'axios';
import { createHttpClient, type Logger } from '@cht-openmrs/common';

export type OutboundEntries = Record<string, unknown>;

export class ChtApi {
  readonly http: AxiosInstance;

  constructor(
    baseURL: string,
    username: string,
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

  /** PUT /api/v1/credentials/:key (CouchDB admins only; CHT has no way to read it back). */
  async putCredential(key: string, value: string): Promise<void> {
    await this.http.put(`/api/v1/credentials/${encodeURIComponent(key)}`, value, {
      headers: { 'Content-Type': 'text/plain' },
    });
  }

  async settings(): Promise<Record<string, unknown>> {
    return (await this.http.get<Record<string, unknown>>('/api/v1/settings')).data;
  }

  /**
   * PUT /api/v1/settings: without `replaceTopLevel` CHT merges objects recursively; with it, the top-level
   * keys given replace CHT's (others stay).
   */
  async putSettings(body: Record<string, unknown>, replaceTopLevel: boolean): Promise<void> {
    await this.http.put('/api/v1/settings', body, {
      params: replaceTopLevel ? { replace: 'true' } : undefined,
      headers: { 'Content-Type': 'application/json' },
    });
  }
}
