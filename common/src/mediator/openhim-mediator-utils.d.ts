// Types for openhim-mediator-utils 0.4.0 (it ships none). Only what we call.
declare module 'openhim-mediator-utils' {
  import type { EventEmitter } from 'node:events';

  export interface OpenHimApiOptions {
    apiURL: string;
    username: string;
    password: string;
    trustSelfSigned?: boolean;
    urn?: string;
  }
  export function registerMediator(
    options: OpenHimApiOptions,
    config: object,
    callback: (error?: Error) => void,
  ): void;
  export function fetchConfig(
    options: OpenHimApiOptions,
    callback: (error: Error | null, config?: Record<string, unknown>) => void,
  ): void;
  export function activateHeartbeat(options: OpenHimApiOptions, intervalMs?: number): EventEmitter;
  export function deactivateHeartbeat(): void;
}
