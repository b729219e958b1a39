// The channel API of core v8.5.0 (openhim.md §3.2; core@v8.5.0:src/api/channels.js): create with
// the API's checks (201, no id returned), read, update, delete (soft when transactions exist) and the
// manual polling trigger. Polling channels are scheduled on create and update, unscheduled on
// disable and delete.
import { nullDereference } from '../model/errors';
import {
  isMaxBodyDaysValid,
  isPathValid,
  isTimeoutValid,
  MAX_BODY_AGE_MESSAGE,
  methodProblem,
  PATH_MESSAGE,
  primaryRouteProblem,
  PRIORITY_MESSAGE,
  TIMEOUT_MESSAGE,
} from '../model/channel-rules';
import { assertObjectId } from '../model/object-id';
import { buildDocument, isPlainObject, setFields, validateDocument } from '../model/schema';
import { models } from '../model/schemas';
import type { Channel, User } from '../model/types';
import type { State } from '../store/state';
import { type ApiReply, auditFields, describe, isAdmin, json, requireAdmin, statusOnly, text } from './reply';

/** What the channel API needs from the polling scheduler. */
export interface PollingRegistry {
  register(channel: Channel): void;
  remove(channelId: string): void;
  /** One poll of the channel now, as `POST /channels/:id/trigger` asks core's polling server. */
  trigger(channel: Channel): Promise<boolean>;
}

export interface ChannelDeps {
  state: State;
  now: () => number;
  polling: PollingRegistry;
}

const enabled = (channel: Channel) => !channel.status || channel.status === 'enabled';

export class ChannelService {
  constructor(private readonly deps: ChannelDeps) {}

  private get channels() {
    return this.deps.state.channels;
  }

  private viewable(user: User): Channel[] {
    return isAdmin(user)
      ? this.channels.all()
      : this.channels.find((c) => c.txViewAcl.some((group) => user.groups.includes(group)));
  }

  list(user: User): ApiReply {
    return json(this.viewable(user));
  }

  get(user: User, id: string): ApiReply {
    let channel: Channel | undefined;
    try {
      channel = this.channels.findById(assertObjectId(id, 'Channel'));
    } catch (error) {
      return text(500, `Could not fetch channel by Id '${id}' via the API: ${describe(error)}`);
    }
    if (channel && !isAdmin(user) && !channel.txViewAcl.some((group) => user.groups.includes(group)))
      return text(403, `Access denied to channel with Id: '${id}'.`);
    if (!channel) return text(404, `We could not find a channel with Id:'${id}'.`);
    return json(channel);
  }

  /** POST /channels: the API's checks in core's order, then the model's; 201 "Channel successfully created". */
  add(user: User, body: unknown): ApiReply {
    requireAdmin(user, 'addChannel');
    const data = isPlainObject(body)
      ? { ...body, updatedBy: auditFields(user) }
      : { updatedBy: auditFields(user) };
    const built = buildDocument(models.Channel, data, this.deps.now);
    const doc = built.doc as unknown as Channel;
    const problem = apiProblem(built.doc, data);
    if (problem) return text(400, problem);
    if (built.error) return text(400, `Could not add channel via the API: ${describe(built.error)}`);
    try {
      this.channels.save(doc);
    } catch (error) {
      return text(400, `Could not add channel via the API: ${describe(error)}`);
    }
    if (doc.type === 'polling' && enabled(doc)) this.deps.polling.register(doc);
    return text(201, 'Channel successfully created');
  }

  /** PUT /channels/:id: core's checks on the body and on the merged channel; 200. Unknown id: 500. */
  update(user: User, id: string, body: unknown): ApiReply {
    requireAdmin(user, 'updateChannel');
    const data: Record<string, unknown> = isPlainObject(body) ? { ...body } : {};
    data.updatedBy = auditFields(user);
    // Core dereferences the channel before its try block: a missing one is Koa's bare 500.
    const existing = this.channels.findById(assertObjectId(id, 'Channel'));
    if (!existing) throw nullDereference('set');
    const merged = setFields(models.Channel, existing, data, this.deps.now);

    const typeGiven = typeof data.type === 'string' && data.type.trim() !== '';
    const methodsEmpty = !Array.isArray(data.methods) || data.methods.length === 0;
    if (typeGiven && methodsEmpty) {
      if (data.type !== 'http') data.methods = [];
    } else {
      const problem = methodProblem({ type: merged.type, methods: merged.methods });
      if (problem) return text(400, problem);
    }
    if (!isTimeoutValid(data)) return text(400, TIMEOUT_MESSAGE);
    delete data._id;
    if (!isPathValid(data.routes)) return text(400, PATH_MESSAGE);
    if (typeof data.priority === 'number' && data.priority < 1) return text(400, PRIORITY_MESSAGE);
    if (data.routes !== undefined && data.routes !== null) {
      const problem = primaryRouteProblem(data.routes);
      if (problem) return text(400, problem);
    }
    if (!isTimeoutValid(merged)) return text(400, TIMEOUT_MESSAGE);
    if (!isMaxBodyDaysValid(merged)) return text(400, MAX_BODY_AGE_MESSAGE);

    let saved: Channel;
    try {
      const next = setFields(models.Channel, existing, data, this.deps.now);
      if (
        data.maxBodyAgeDays !== undefined &&
        existing.maxBodyAgeDays !== undefined &&
        data.maxBodyAgeDays !== existing.maxBodyAgeDays
      )
        delete next.lastBodyCleared;
      saved = this.channels.save(validateDocument(models.Channel, next, this.deps.now) as unknown as Channel);
    } catch (error) {
      return text(500, `Could not update channel by id: ${id} via the API: ${describe(error)}`);
    }
    if (saved.type === 'polling') {
      if (enabled(saved)) this.deps.polling.register(saved);
      else this.deps.polling.remove(saved._id);
    }
    return text(200, 'The channel was successfully updated');
  }

  /** DELETE /channels/:id: removed, or `status: deleted` when transactions reference it; 200. */
  remove(user: User, id: string): ApiReply {
    requireAdmin(user, 'removeChannel');
    try {
      const channelId = assertObjectId(id, 'Channel');
      const referenced = this.deps.state.transactions.count((t) => t.channelID === channelId) > 0;
      let channel: Channel | undefined;
      if (!referenced) channel = this.channels.remove(channelId);
      else {
        const existing = this.channels.findById(channelId);
        if (!existing) throw nullDereference('set');
        const next = setFields(models.Channel, existing, { status: 'deleted', updatedBy: auditFields(user) });
        channel = this.channels.save(
          validateDocument(models.Channel, next, this.deps.now) as unknown as Channel,
        );
      }
      if (!channel) throw nullDereference('type');
      if (channel.type === 'polling') this.deps.polling.remove(channel._id);
      return text(200, 'The channel was successfully deleted');
    } catch (error) {
      return text(500, `Could not remove channel by id: ${id} via the API: ${describe(error)}`);
    }
  }

  /** POST /channels/:id/trigger: one poll now; 200 when the route answered 2xx, else 500. */
  async trigger(user: User, id: string): Promise<ApiReply> {
    requireAdmin(user, 'removeChannel');
    let channel: Channel | undefined;
    try {
      channel = this.channels.findById(assertObjectId(id, 'Channel'));
    } catch (error) {
      return text(500, `Could not fetch channel by Id '${id}' via the API: ${describe(error)}`);
    }
    if (!channel) return text(404, `We could not find a channel with Id:'${id}'.`);
    const ok = await this.deps.polling.trigger(channel);
    return statusOnly(ok ? 200 : 500);
  }
}

/** The API's checks before saving a new channel, in core's order; the message, or undefined. */
function apiProblem(channel: Record<string, unknown>, raw: Record<string, unknown>): string | undefined {
  if (!isPathValid(channel.routes)) return PATH_MESSAGE;
  if (typeof channel.priority === 'number' && channel.priority < 1) return PRIORITY_MESSAGE;
  const methods = methodProblem(channel);
  if (methods) return methods;
  if (!isTimeoutValid(channel)) return TIMEOUT_MESSAGE;
  const primaries = primaryRouteProblem(channel.routes);
  if (primaries) return primaries;
  if (!isMaxBodyDaysValid(raw)) return MAX_BODY_AGE_MESSAGE;
  return undefined;
}
