// Items a sync could not finish, kept on the FHIR server as Tasks (design.md §4): focus (what to
// sync), attempts, next attempt, last error. A failed item is retried with exponential backoff and
// parked as `failed` after a limit, visible and replayable by an operator. An item waiting for a
// dependency (an encounter whose patient is not linked yet) is `on-hold` until the patient arrives.
// One Task per stream and item: conditional create by identifier, so nothing is queued twice. The item
// is named by a logical reference (an identifier), not a literal one: it may be an OpenMRS record that
// is not on the FHIR server, and a server checking referential integrity would refuse the Task.
import type { Reference, Task } from 'fhir/r4';
import {
  FhirClient,
  FhirVersionConflictError,
  NAMESPACE,
  searchValue,
  tokenValue,
} from '@cht-openmrs/common';

const TASK_IDENTIFIER_SYSTEM = `${NAMESPACE}/identifier/sync-task`;
const ITEM_SYSTEM = `${NAMESPACE}/identifier/sync-item`;
export const STREAM_SYSTEM = `${NAMESPACE}/code-system/sync-stream`;
/** A token with the stream system and any code: every stream's Tasks. */
const ANY_STREAM = `${searchValue(STREAM_SYSTEM)}|`;
const ATTEMPTS = 'attempts';
const NEXT_ATTEMPT = 'next-attempt';

export interface RetryPolicy {
  maxAttempts: number;
  baseDelaySeconds: number;
  maxDelaySeconds: number;
}

export interface QueuedItem {
  task: Task;
  stream: string;
  focus: string;
  attempts: number;
  nextAttempt: string;
  lastError: string;
}

function inputOf(task: Task, name: string) {
  return task.input?.find((i) => i.type.text === name);
}

export function toItem(task: Task): QueuedItem {
  return {
    task,
    stream: task.code?.coding?.find((c) => c.system === STREAM_SYSTEM)?.code ?? '',
    focus: task.focus?.identifier?.value ?? task.focus?.display ?? task.focus?.reference ?? '',
    attempts: inputOf(task, ATTEMPTS)?.valueInteger ?? 0,
    nextAttempt: inputOf(task, NEXT_ATTEMPT)?.valueDateTime ?? task.authoredOn ?? '',
    lastError: task.statusReason?.text ?? '',
  };
}

/** Seconds before attempt n+1 after n failures: base · 2^(n−1), capped. */
export function backoffSeconds(attempts: number, policy: RetryPolicy): number {
  return Math.min(policy.baseDelaySeconds * 2 ** Math.max(0, attempts - 1), policy.maxDelaySeconds);
}

export class RetryQueue {
  constructor(
    protected readonly fhir: FhirClient,
    protected readonly policy: RetryPolicy,
  ) {}

  /**
   * The queue for one run: every stream's open items read once (one search), kept up to date with what
   * the run itself writes, so that streams and wake-ups ask the FHIR server nothing more.
   */
  async forRun(): Promise<RunQueue> {
    return new RunQueue(this.fhir, this.policy, await this.open());
  }

  /** Records one more failure of the item: retried later, or parked once the attempts are used up. */
  async failed(stream: string, focus: string, error: string, now = new Date()): Promise<QueuedItem> {
    return this.change(stream, focus, (current) => {
      const attempts = current.attempts + 1;
      const parked = attempts >= this.policy.maxAttempts;
      const next = new Date(now.getTime() + backoffSeconds(attempts, this.policy) * 1000).toISOString();
      return this.task(stream, focus, parked ? 'failed' : 'requested', attempts, next, error, current.task);
    });
  }

  /** Holds the item until the patient is linked (see `wake`), without spending attempts. */
  async waitFor(stream: string, focus: string, patient: Reference, reason: string): Promise<QueuedItem> {
    return this.change(stream, focus, (current) => ({
      ...this.task(
        stream,
        focus,
        'on-hold',
        current.attempts,
        new Date().toISOString(),
        reason,
        current.task,
      ),
      for: patient,
    }));
  }

  /** The item succeeded: it leaves the queue. */
  async done(item: QueuedItem): Promise<void> {
    await this.fhir.update(
      { ...item.task, status: 'completed' },
      { ifMatch: item.task.meta?.versionId ?? '1' },
    );
  }

  /** The stream's open items (queued, waiting or parked), or every stream's. */
  async open(stream = ''): Promise<QueuedItem[]> {
    const tasks = await this.fhir.searchAll('Task', {
      status: 'requested,on-hold,failed',
      code: stream ? tokenValue(STREAM_SYSTEM, stream) : ANY_STREAM,
      _count: 100,
    });
    return tasks.map(toItem);
  }

  /** Makes the items held for this patient due now. Returns them as they now are. */
  async wake(patient: Reference): Promise<QueuedItem[]> {
    const held = await this.fhir.searchAll('Task', { status: 'on-hold', subject: patient.reference ?? '' });
    return Promise.all(held.map((task) => this.awaken(task)));
  }

  protected async awaken(task: Task): Promise<QueuedItem> {
    const { resource } = await this.fhir.modifyFrom(task, (current) => {
      if (current.status !== 'on-hold') return undefined; // replayed or done meanwhile
      const item = toItem(current);
      const now = new Date().toISOString();
      return this.task(item.stream, item.focus, 'requested', item.attempts, now, item.lastError, current);
    });
    return toItem(resource);
  }

  /** An operator's replay of a parked item: due now, attempts counted afresh. */
  async replay(taskId: string): Promise<QueuedItem> {
    const task = await this.fhir.read('Task', taskId);
    const item = toItem(task);
    const { resource } = await this.fhir.update(
      this.task(item.stream, item.focus, 'requested', 0, new Date().toISOString(), item.lastError, task),
      { ifMatch: task.meta?.versionId ?? '1' },
    );
    return toItem(resource);
  }

  /** The item's open Task (queued, waiting or parked), if any. */
  async find(stream: string, focus: string): Promise<QueuedItem | undefined> {
    const [task] = await this.fhir.findByIdentifier('Task', TASK_IDENTIFIER_SYSTEM, `${stream}|${focus}`);
    return task && task.status !== 'completed' ? toItem(task) : undefined;
  }

  async list(status: Task['status'][]): Promise<QueuedItem[]> {
    return (
      await this.fhir.searchAll('Task', {
        status: status.join(','),
        code: ANY_STREAM,
        _count: 100,
      })
    ).map(toItem);
  }

  async counts(): Promise<Record<'queued' | 'waiting' | 'parked', number>> {
    const count = async (status: string) => {
      const bundle = await this.fhir.search('Task', { status, _summary: 'count', _total: 'accurate' });
      return bundle.total ?? 0;
    };
    const [queued, waiting, parked] = await Promise.all([
      count('requested'),
      count('on-hold'),
      count('failed'),
    ]);
    return { queued, waiting, parked };
  }

  protected async change(
    stream: string,
    focus: string,
    next: (current: QueuedItem) => Task,
  ): Promise<QueuedItem> {
    const key = `${stream}|${focus}`;
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const [existing] = await this.fhir.findByIdentifier('Task', TASK_IDENTIFIER_SYSTEM, key);
      const current =
        existing && existing.status !== 'completed' ? toItem(existing) : emptyItem(stream, focus, existing);
      const task = next(current);
      try {
        const { resource } = existing
          ? await this.fhir.update(task, { ifMatch: existing.meta?.versionId ?? '1' })
          : await this.fhir.createOnce(task, TASK_IDENTIFIER_SYSTEM, key);
        return toItem(resource);
      } catch (error) {
        if (!(error instanceof FhirVersionConflictError)) throw error;
      }
    }
    throw new Error(`could not record the ${stream} task for ${focus}: other writers kept changing it`);
  }

  protected task(
    stream: string,
    focus: string,
    status: Task['status'],
    attempts: number,
    next: string,
    error: string,
    base?: Task,
  ): Task {
    return {
      ...(base ?? {}),
      resourceType: 'Task',
      identifier: [{ system: TASK_IDENTIFIER_SYSTEM, value: `${stream}|${focus}` }],
      status,
      intent: 'order',
      code: { coding: [{ system: STREAM_SYSTEM, code: stream }], text: stream },
      focus: { identifier: { system: ITEM_SYSTEM, value: focus }, display: focus },
      authoredOn: base?.authoredOn ?? new Date().toISOString(),
      lastModified: new Date().toISOString(),
      statusReason: { text: error.slice(0, 2000) },
      input: [
        { type: { text: ATTEMPTS }, valueInteger: attempts },
        { type: { text: NEXT_ATTEMPT }, valueDateTime: next },
      ],
    };
  }
}

function emptyItem(stream: string, focus: string, completed: Task | undefined): QueuedItem {
  // A completed Task of the same item is reused, with attempts counted afresh.
  return { task: completed ?? ({} as Task), stream, focus, attempts: 0, nextAttempt: '', lastError: '' };
}

/** The queue as one run sees it (`RetryQueue.forRun`). */
export class RunQueue extends RetryQueue {
  private readonly items = new Map<string, QueuedItem>();

  constructor(fhir: FhirClient, policy: RetryPolicy, open: QueuedItem[]) {
    super(fhir, policy);
    for (const item of open) this.items.set(`${item.stream}|${item.focus}`, item);
  }

  override async open(stream = ''): Promise<QueuedItem[]> {
    return [...this.items.values()].filter((item) => !stream || item.stream === stream);
  }

  override async wake(patient: Reference): Promise<QueuedItem[]> {
    const held = [...this.items.values()].filter(
      (item) => item.task.status === 'on-hold' && item.task.for?.reference === patient.reference,
    );
    return Promise.all(held.map(async (item) => this.keep(await this.awaken(item.task))));
  }

  protected override async change(
    stream: string,
    focus: string,
    next: (current: QueuedItem) => Task,
  ): Promise<QueuedItem> {
    return this.keep(await super.change(stream, focus, next));
  }

  override async done(item: QueuedItem): Promise<void> {
    await super.done(this.items.get(`${item.stream}|${item.focus}`) ?? item);
    this.items.delete(`${item.stream}|${item.focus}`);
  }

  private keep(item: QueuedItem): QueuedItem {
    this.items.set(`${item.stream}|${item.focus}`, item);
    return item;
  }
}
