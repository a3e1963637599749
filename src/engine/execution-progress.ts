/**
 * In-process news of running executions, for the live progress stream
 * (`GET /v1/executions/{id}/events`): a run publishes after each saved page and when it
 * ends; the route subscribes. It only hears runs of this process: with several nodes on
 * one PostgreSQL the route also reads the execution row now and then (see the route).
 */
import { EventEmitter } from 'node:events';
import type { Counts, DryRunCounts, ExecutionStatus } from '../domain/executions.js';

/** One piece of news about an execution. */
export interface ProgressEvent {
  readonly status: ExecutionStatus;
  /** Pages saved so far. */
  readonly pages: number;
  readonly counts: Counts | DryRunCounts;
}

/** A publish/subscribe channel per execution id. */
export class ExecutionProgress {
  readonly #emitter = new EventEmitter();

  constructor() {
    // Every open stream is one listener; many people may watch runs at once.
    this.#emitter.setMaxListeners(0);
  }

  /** Tells every subscriber of `executionId`. */
  publish(executionId: string, event: ProgressEvent): void {
    this.#emitter.emit(executionId, event);
  }

  /** Calls `listener` with each event of `executionId`; returns the function that stops it. */
  subscribe(executionId: string, listener: (event: ProgressEvent) => void): () => void {
    this.#emitter.on(executionId, listener);
    return () => this.#emitter.off(executionId, listener);
  }
}
