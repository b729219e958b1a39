// The client API of core v8.5.0 (openhim.md §4; core@v8.5.0:src/api/clients.js): create (201, no id,
// 409 when the clientID is used as a role), read by `_id` or clientID, update, delete. Full documents
// are returned, password hash and salt included, as core does.
import { nullDereference } from '../model/errors';
import { assertObjectId } from '../model/object-id';
import { castUpdate, createDocument, isPlainObject } from '../model/schema';
import { models } from '../model/schemas';
import type { Client, User } from '../model/types';
import type { State } from '../store/state';
import { type ApiReply, json, requireAdmin, text } from './reply';

/** Core hides a client's custom token id and says only that one is set. */
function shown(client: Client): Record<string, unknown> {
  const { customTokenID, ...rest } = client;
  return customTokenID ? { ...rest, customTokenSet: true } : rest;
}

const roleConflict = (clientID: string) =>
  text(
    409,
    `A role name conflicts with clientID '${clientID}'. A role name cannot be the same as a clientID.`,
  );

export class ClientService {
  constructor(
    private readonly state: State,
    private readonly now: () => number,
  ) {}

  list(user: User): ApiReply {
    requireAdmin(user, 'getClients');
    return json(this.state.clients.all().map(shown));
  }

  /** GET /clients/:id (or by clientID with ?byNamedClientID=true); `clientName` needs no admin. */
  get(user: User, id: string, byClientID: boolean, property?: string): ApiReply {
    if (property !== undefined && property !== 'clientName')
      return text(404, `The property (${property}) you are trying to retrieve is not found.`);
    if (property === undefined) requireAdmin(user, 'findClientById');
    let client: Client | undefined;
    try {
      client = byClientID
        ? this.state.clients.findOne((c) => c.clientID === id)
        : this.state.clients.findById(assertObjectId(id, 'Client'));
    } catch (error) {
      return text(500, (error as Error).message);
    }
    if (!client) return text(404, `Client with id ${id} could not be found.`);
    return json(property ? { name: client.name } : shown(client));
  }

  byDomain(user: User, domain: string): ApiReply {
    requireAdmin(user, 'findClientByDomain');
    const client = this.state.clients.findOne((c) => c.clientDomain === domain);
    if (!client) return text(404, `Could not find client with clientDomain ${domain}`);
    return json(client);
  }

  add(user: User, body: unknown): ApiReply {
    requireAdmin(user, 'addClient');
    const data = isPlainObject(body) ? body : {};
    if (data.clientID) {
      const clientID = String(data.clientID);
      const usedAsRole =
        this.state.channels.count((c) => c.allow.includes(clientID)) > 0 ||
        this.state.clients.count((c) => c.roles.includes(clientID)) > 0;
      if (usedAsRole) return roleConflict(clientID);
      // Core calls roles.includes before its try block: without roles it is Koa's bare 500.
      if (!Array.isArray(data.roles)) throw nullDereference('includes', 'undefined');
      if (data.roles.includes(clientID))
        return text(400, `ClientID '${clientID}' cannot be the same as a role name.`);
    }
    try {
      this.state.clients.save(createDocument(models.Client, data, this.now) as unknown as Client);
    } catch (error) {
      return text(400, (error as Error).message);
    }
    return text(201, 'Client successfully created');
  }

  update(user: User, id: string, body: unknown): ApiReply {
    requireAdmin(user, 'updateClient');
    const data: Record<string, unknown> = isPlainObject(body) ? { ...body } : {};
    delete data._id;
    if (data.clientID) {
      const clientID = String(data.clientID);
      if (this.state.clients.count((c) => c.roles.includes(clientID)) > 0) return roleConflict(clientID);
    }
    try {
      const changes = castUpdate(models.Client, data, this.now);
      this.state.clients.update(
        assertObjectId(id, 'Client'),
        (client) => ({ ...client, ...changes }) as Client,
      );
    } catch (error) {
      return text(500, (error as Error).message);
    }
    return text(200, 'Successfully updated client.');
  }

  remove(user: User, id: string): ApiReply {
    requireAdmin(user, 'removeClient');
    try {
      this.state.clients.remove(assertObjectId(id, 'Client'));
    } catch (error) {
      return text(500, (error as Error).message);
    }
    return text(200, `Successfully removed client with ID ${id}`);
  }
}
