/** The API's error answers as an Error, and the field messages of a 400 keyed by input name. */

/** One problem of a 400, as the API reports it. */
export interface Issue {
  readonly path: string;
  readonly message: string;
  readonly line?: number;
  readonly column?: number;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: readonly Issue[];

  constructor(status: number, body: unknown) {
    const error = (body as { error?: { code?: string; message?: string; details?: Issue[] } } | undefined)?.error;
    super(error?.message ?? `the server answered ${status}`);
    this.status = status;
    this.code = error?.code ?? 'HY_UNKNOWN';
    this.details = error?.details ?? [];
  }
}

/**
 * The input a detail's path concerns: `body/name` → `name`, `body/schedule/interval` →
 * `schedule.interval` (form inputs are named as the API's fields).
 */
export function fieldOf(path: string): string {
  return path.replace(/^(body|query|params)\/?/, '').split('/').join('.');
}

/** Field messages by input name; a message without a path is under `''`. */
export function fieldErrors(error: unknown): Record<string, string> {
  if (!(error instanceof ApiError)) return error ? { '': error instanceof Error ? error.message : String(error) } : {};
  const out: Record<string, string> = {};
  for (const issue of error.details) {
    const field = fieldOf(issue.path);
    out[field] = out[field] ? `${out[field]}; ${issue.message}` : issue.message;
  }
  if (error.details.length === 0) out[''] = error.message;
  return out;
}

/** The answer's data, or throws its {@link ApiError}: what react-query functions return. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.error !== undefined || !result.response.ok) throw new ApiError(result.response.status, result.error);
  return result.data as T;
}
