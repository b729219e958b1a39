import Database from 'better-sqlite3';
import { GroupCommit } from './group-commit';

let db: Database.Database;
let writes: GroupCommit;
const insert = (value: string) => () => db.prepare('INSERT INTO item (value) VALUES (?)').run(value);
const stored = () => db.prepare('SELECT value FROM item ORDER BY value').pluck().all();

beforeEach(() => {
  db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  db.exec(`CREATE TABLE item (value TEXT NOT NULL);
    CREATE TABLE parent (id INTEGER PRIMARY KEY);
    CREATE TABLE child (parent INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED);`);
  writes = new GroupCommit(db);
});
afterEach(() => db.close());

it('commits the writes started in the same turn of the event loop together, then resolves each', async () => {
  const pending = [writes.run(insert('a')), writes.run(insert('b'))];
  expect(db.inTransaction).toBe(true);
  await Promise.all(pending);
  expect(db.inTransaction).toBe(false);
  expect(stored()).toEqual(['a', 'b']);
});

it('undoes only the rows of a write that fails; the others of its group are committed', async () => {
  const first = writes.run(insert('a'));
  const failing = () =>
    writes.run(() => {
      insert('half')();
      throw new Error('refused');
    });
  expect(failing).toThrow('refused');
  const last = writes.run(insert('b'));
  await Promise.all([first, last]);
  expect(stored()).toEqual(['a', 'b']);
});

it('rejects every write of the group when the commit itself fails, and keeps none of them', async () => {
  const pending = [
    writes.run(insert('a')),
    writes.run(() => db.prepare('INSERT INTO child (parent) VALUES (42)').run()),
  ];
  const outcomes = await Promise.allSettled(pending);
  expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
  expect(String((outcomes[0] as PromiseRejectedResult).reason)).toMatch(/FOREIGN KEY constraint failed/);
  expect(db.inTransaction).toBe(false);
  expect(stored()).toEqual([]);
});

it('starts a new group for writes after a commit', async () => {
  await writes.run(insert('a'));
  const next = writes.run(insert('b'));
  expect(db.inTransaction).toBe(true);
  await next;
  expect(stored()).toEqual(['a', 'b']);
});
