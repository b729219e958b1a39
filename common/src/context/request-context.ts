// The context of one inbound request: its correlation id and the outbound calls made while serving it.
// Kept in AsyncLocalStorage so that handlers never pass it around; the HTTP client records into it.
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { Orchestration } from '../mediator/orchestration';

/** Beyond this many, orchestrations are counted but not kept: a large sync run must not build a huge response. */
export const MAX_ORCHESTRATIONS = 200;

export interface RequestContext {
  readonly correlationId: string;
  readonly orchestrations: Orchestration[];
  droppedOrchestrations: number;
}

const storage = new AsyncLocalStorage<RequestContext>();

export function newRequestContext(correlationId: string = randomUUID()): RequestContext {
  return { correlationId, orchestrations: [], droppedOrchestrations: 0 };
}

export function runInContext<T>(context: RequestContext, fn: () => T): T {
  return storage.run(context, fn);
}

export function currentContext(): RequestContext | undefined {
  return storage.getStore();
}

/** Whether an orchestration made now would be kept (there is a request context with room in it). */
export function orchestrationWanted(): boolean {
  const context = storage.getStore();
  return context !== undefined && context.orchestrations.length < MAX_ORCHESTRATIONS;
}

export function recordOrchestration(orchestration: Orchestration): void {
  const context = storage.getStore();
  if (!context) return;
  if (context.orchestrations.length < MAX_ORCHESTRATIONS) context.orchestrations.push(orchestration);
  else context.droppedOrchestrations += 1;
}

/** Counts an exchange whose orchestration was not even made (see orchestrationWanted). */
export function countDroppedOrchestration(): void {
  const context = storage.getStore();
  if (context) context.droppedOrchestrations += 1;
}
