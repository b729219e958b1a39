// The mediator API of core v8.5.0 (openhim.md §2.2–§2.4; core@v8.5.0:src/api/mediators.js):
// registration with its semver rules, heartbeats with config push, config updates, and installing
// a mediator's default channels. Registration never touches channels; installing skips the channel
// API's checks and (faithfully) does not schedule polling channels.
import semver from 'semver';
import {
  assertConfig,
  assertConfigDefs,
  maskPasswords,
  restoreMaskedPasswords,
} from '../model/mediator-rules';
import { castUpdate, createDocument, isPlainObject } from '../model/schema';
import { models } from '../model/schemas';
import type { Channel, Mediator, User } from '../model/types';
import type { State } from '../store/state';
import { type ApiReply, auditFields, describe, json, noBody, requireAdmin, statusOnly, text } from './reply';

export interface MediatorDeps {
  state: State;
  now: () => number;
  /** Called for each installed polling channel when installs are scheduled ("fixed" mode, §8.17). */
  installedPollingChannel?: (channel: Channel) => void;
}

const byUrn = (urn: string) => (m: Mediator) => m.urn === urn;

export class MediatorService {
  constructor(private readonly deps: MediatorDeps) {}

  private get mediators() {
    return this.deps.state.mediators;
  }

  list(user: User): ApiReply {
    requireAdmin(user, 'getAllMediators');
    // Core calls maskPasswords on the array, so nothing is masked here (openhim.md §2.3).
    return json(this.mediators.all());
  }

  get(user: User, urn: string): ApiReply {
    requireAdmin(user, 'getMediator');
    const mediator = this.mediators.findOne(byUrn(urn));
    if (!mediator) return statusOnly(404);
    return json({ ...mediator, config: maskPasswords(mediator.configDefs, mediator.config) });
  }

  /** POST /mediators: 201 on insert, on a higher version (update) and on an equal or lower one (no-op). */
  register(user: User, body: unknown): ApiReply {
    requireAdmin(user, 'addMediator');
    const mediator = isPlainObject(body) ? body : {};
    try {
      if (!mediator.urn) throw validation('URN is required');
      if (typeof mediator.version !== 'string' || !semver.valid(mediator.version))
        throw validation('Version is required. Must be in SemVer form x.y.z');
      if (mediator.configDefs) {
        try {
          assertConfigDefs(mediator.configDefs);
          if (mediator.config !== undefined && mediator.config !== null)
            assertConfig(mediator.configDefs as [], mediator.config);
        } catch (error) {
          throw validation((error as Error).message);
        }
      }
      const existing = this.mediators.findOne(byUrn(String(mediator.urn)));
      if (existing) {
        if (semver.gt(mediator.version, existing.version)) this.upgrade(existing, mediator);
      } else {
        if (!Array.isArray(mediator.endpoints) || mediator.endpoints.length < 1)
          throw validation('At least 1 endpoint is required');
        this.mediators.save(createDocument(models.Mediator, mediator, this.deps.now) as unknown as Mediator);
      }
      return statusOnly(201);
    } catch (error) {
      const status = (error as Error).name === 'ValidationError' ? 400 : 500;
      return text(status, `Could not add Mediator via the API: ${describe(error)}`);
    }
  }

  /** findByIdAndUpdate(existing, body): given fields replace stored ones; stored config values win. */
  private upgrade(existing: Mediator, body: Record<string, unknown>) {
    const changes = castUpdate(models.Mediator, body, this.deps.now);
    if (isPlainObject(changes.config) && existing.config) {
      const config = { ...changes.config };
      for (const key of Object.keys(config))
        if (existing.config[key] !== undefined && existing.config[key] !== null)
          config[key] = existing.config[key];
      changes.config = config;
    }
    this.mediators.save({ ...existing, ...changes, _id: existing._id } as Mediator);
  }

  remove(user: User, urn: string): ApiReply {
    requireAdmin(user, 'removeMediator');
    const mediator = this.mediators.findOne(byUrn(urn));
    if (mediator) this.mediators.remove(mediator._id);
    return text(200, `Mediator with urn ${urn} has been successfully removed by ${user.email}`);
  }

  /** POST /mediators/:urn/heartbeat (openhim.md §2.4): '' / the config / "OK". */
  heartbeat(user: User, urn: string, body: unknown): ApiReply {
    requireAdmin(user, 'removeMediator');
    const mediator = this.mediators.findOne(byUrn(urn));
    if (!mediator) return statusOnly(404);
    const beat = isPlainObject(body) ? body : {};
    if (beat.uptime === undefined || beat.uptime === null) return statusOnly(400);
    const uptime = Number(beat.uptime);
    if (Number.isNaN(uptime))
      return text(
        500,
        `Could not process mediator heartbeat (urn: ${urn}): CastError: Cast to Number failed for value "${String(beat.uptime)}" (type ${typeof beat.uptime}) at path "_uptime" for model "Mediator"`,
      );
    const changed =
      mediator._configModifiedTS !== undefined &&
      mediator._lastHeartbeat !== undefined &&
      Date.parse(mediator._configModifiedTS) > Date.parse(mediator._lastHeartbeat);
    const reply: ApiReply =
      changed || beat.config === true
        ? mediator.config === undefined
          ? noBody(200)
          : json(mediator.config)
        : text(200, '');
    this.mediators.save({
      ...mediator,
      _lastHeartbeat: new Date(this.deps.now()).toISOString(),
      _uptime: uptime,
    });
    return reply;
  }

  /** PUT /mediators/:urn/config: the whole config; masked passwords restored, then checked. */
  setConfig(user: User, urn: string, body: unknown): ApiReply {
    requireAdmin(user, 'removeMediator');
    const mediator = this.mediators.findOne(byUrn(urn));
    if (!mediator) return text(404, 'No mediator found for this urn.');
    const config = restoreMaskedPasswords(mediator.configDefs, body, mediator.config);
    try {
      assertConfig(mediator.configDefs, config);
    } catch (error) {
      return text(400, (error as Error).message);
    }
    this.mediators.save({
      ...mediator,
      config: isPlainObject(config) ? config : {},
      _configModifiedTS: new Date(this.deps.now()).toISOString(),
    });
    return statusOnly(200);
  }

  /** POST /mediators/:urn/channels: `[]`/no body installs all, names install those; 201. */
  installChannels(user: User, urn: string, body: unknown): ApiReply {
    requireAdmin(user, 'removeMediator');
    const mediator = this.mediators.findOne(byUrn(urn));
    if (!mediator) return text(404, 'No mediator found for this urn.');
    const names = Array.isArray(body) ? body.map(String) : [];
    let chosen = mediator.defaultChannelConfig;
    if (names.length > 0) {
      chosen = chosen.filter((channel) => names.includes(channel.name));
      if (chosen.length < names.length)
        return text(
          400,
          `Could not load mediator default channel config, one or more channels in the request body not found in the mediator config (urn: ${urn})`,
        );
    }
    // Core saves them all at once (Promise.all): each save succeeds or fails on its own.
    let firstError: unknown;
    for (const stored of chosen) {
      try {
        const { _id: _dropped, ...channel } = stored;
        const routes = channel.routes.map(({ _id: _routeId, ...route }) => route);
        const doc = createDocument(
          models.Channel,
          { ...channel, routes, updatedBy: auditFields(user) },
          this.deps.now,
        ) as unknown as Channel;
        const saved = this.deps.state.channels.save(doc);
        if (saved.type === 'polling' && saved.status === 'enabled')
          this.deps.installedPollingChannel?.(saved);
      } catch (error) {
        firstError ??= error;
      }
    }
    if (firstError)
      return text(
        500,
        `Could not load mediator default channel config (urn: ${urn}): ${describe(firstError)}`,
      );
    return statusOnly(201);
  }
}

function validation(message: string): Error {
  const error = new Error(message);
  error.name = 'ValidationError';
  return error;
}
