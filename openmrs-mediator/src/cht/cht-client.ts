// The calls the sync makes to CHT, through its API only (cht.md §2): people and records are created
// through the API, places are listed with `GET /api/v1/place`, and documents are read and updated
// through the API's /medic proxy. CHT demands Content-Type exactly `application/json` (§2.0).
import type { AxiosInstance } from 'axios';
import { createHttpClient, type HttpClientOptions } from '@cht-openmrs/common';

export interface ChtDoc {
  _id: string;
  _rev?: string;
  [field: string]: unknown;
}

export interface ChtPlace extends ChtDoc {
  name?: string;
  place_id?: string;
}

const JSON_ONLY = { 'Content-Type': 'application/json' };

export class ChtClient {
  readonly http: AxiosInstance;

  constructor(options: Omit<HttpClientOptions, 'peer'>) {
    this.http = createHttpClient({
      ...options,
      peer: 'CHT',
      headers: { Accept: 'application/json', ...options.headers },
    });
  }

  /** `POST /api/v1/people`: the person is created under `place` (a place uuid). */
  async createPerson(person: Record<string, unknown>): Promise<string> {
    const { data } = await this.http.post<{ id: string }>('/api/v1/people', person, { headers: JSON_ONLY });
    return data.id;
  }

  /** `POST /api/v2/records` with `_meta.form`: the report's id. */
  async createRecord(record: Record<string, unknown>): Promise<string> {
    const { data } = await this.http.post<{ success: boolean; id: string }>('/api/v2/records', record, {
      headers: JSON_ONLY,
    });
    return data.id;
  }

  async getDoc(id: string): Promise<ChtDoc> {
    return (await this.http.get<ChtDoc>(`/medic/${encodeURIComponent(id)}`)).data;
  }

  async putDoc(doc: ChtDoc): Promise<void> {
    await this.http.put(`/medic/${encodeURIComponent(doc._id)}`, doc, { headers: JSON_ONLY });
  }

  /** Documents matching a Mango selector (at most `limit`). */
  async find(selector: Record<string, unknown>, limit = 2): Promise<ChtDoc[]> {
    const { data } = await this.http.post<{ docs: ChtDoc[] }>(
      '/medic/_find',
      { selector, limit },
      { headers: JSON_ONLY },
    );
    return data.docs;
  }

  /** Every place of a contact type, page by page (`GET /api/v1/place?type=`, CHT 4.12+). */
  async *places(type: string, pageSize = 100): AsyncGenerator<ChtPlace[]> {
    let cursor: string | null | undefined;
    do {
      const params: Record<string, string | number> = { type, limit: pageSize };
      if (cursor) params.cursor = cursor;
      const { data } = await this.http.get<{ data: ChtPlace[]; cursor: string | null }>('/api/v1/place', {
        params,
      });
      yield data.data;
      cursor = data.cursor;
    } while (cursor);
  }
}
