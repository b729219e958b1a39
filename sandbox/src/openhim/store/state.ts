// Everything the stand-in keeps, as core keeps it in MongoDB: one collection per model. Optionally
// written to a JSON file after each change (for the demo) and read back at start-up.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Channel, Client, ContactGroup, Mediator, Passport, Transaction, User } from '../model/types';
import { Collection } from './collection';

export interface StateSnapshot {
  users?: User[];
  passports?: Passport[];
  clients?: Client[];
  channels?: Channel[];
  mediators?: Mediator[];
  contactGroups?: ContactGroup[];
  transactions?: Transaction[];
}

export class State {
  private dirty = false;
  private timer: NodeJS.Timeout | undefined;

  readonly users: Collection<User>;
  readonly passports: Collection<Passport>;
  readonly clients: Collection<Client>;
  readonly channels: Collection<Channel>;
  readonly mediators: Collection<Mediator>;
  readonly contactGroups: Collection<ContactGroup>;
  readonly transactions: Collection<Transaction>;

  constructor(private readonly file?: string) {
    const changed = () => this.changed();
    this.users = new Collection<User>('users', [{ field: 'email', key: (u) => u.email }], changed);
    this.passports = new Collection<Passport>('passports', [], changed);
    this.clients = new Collection<Client>(
      'clients',
      [
        { field: 'clientID', key: (c) => c.clientID },
        { field: 'customTokenID', key: (c) => c.customTokenID, sparse: true },
      ],
      changed,
    );
    this.channels = new Collection<Channel>('channels', [{ field: 'name', key: (c) => c.name }], changed);
    this.mediators = new Collection<Mediator>('mediators', [{ field: 'urn', key: (m) => m.urn }], changed);
    this.contactGroups = new Collection<ContactGroup>(
      'contactgroups',
      [{ field: 'group', key: (g) => g.group }],
      changed,
    );
    this.transactions = new Collection<Transaction>('transactions', [], changed);
    if (file && existsSync(file)) this.restore(JSON.parse(readFileSync(file, 'utf8')) as StateSnapshot);
  }

  private restore(snapshot: StateSnapshot): void {
    this.users.load(snapshot.users ?? []);
    this.passports.load(snapshot.passports ?? []);
    this.clients.load(snapshot.clients ?? []);
    this.channels.load(snapshot.channels ?? []);
    this.mediators.load(snapshot.mediators ?? []);
    this.contactGroups.load(snapshot.contactGroups ?? []);
    this.transactions.load(snapshot.transactions ?? []);
  }

  snapshot(): StateSnapshot {
    return {
      users: this.users.all(),
      passports: this.passports.all(),
      clients: this.clients.all(),
      channels: this.channels.all(),
      mediators: this.mediators.all(),
      contactGroups: this.contactGroups.all(),
      transactions: this.transactions.all(),
    };
  }

  private changed(): void {
    if (!this.file) return;
    this.dirty = true;
    // Writes are coalesced: one write at most every 200 ms.
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, 200);
  }

  /** Writes the state file now if anything changed (atomically: a temporary file, then rename). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.file || !this.dirty) return;
    this.dirty = false;
    mkdirSync(dirname(this.file), { recursive: true });
    const temporary = `${this.file}.tmp`;
    writeFileSync(temporary, JSON.stringify(this.snapshot()));
    renameSync(temporary, this.file);
  }
}
