/**
 * The execution record of one attempt of a durable job (a PUSH delivery, an automation
 * run): its id, derived so that a recovery finds the attempt it closes, and what an
 * attempt whose process died is recorded with.
 */
import { createHash } from 'node:crypto';

/**
 * The execution id of attempt `attempt` of job `jobId`, the same every time: the job id's
 * time prefix (a UUIDv7's milliseconds), then a hash of the job and attempt. Time-ordered
 * like every other id, so these records append to the executions index.
 */
export function attemptExecutionId(jobId: string, attempt: number): string {
  const hex = createHash('sha256').update(`${jobId}:${attempt}`).digest('hex');
  return `${jobId.slice(0, 13)}-7${hex.slice(0, 3)}-8${hex.slice(3, 6)}-${hex.slice(6, 18)}`;
}

/** The error of an attempt whose process stopped before it finished. */
export const INTERRUPTED = Object.freeze({ message: 'interrupted: the process running this attempt stopped before it finished' });
