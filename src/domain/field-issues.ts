/**
 * A problem with one field of a record: `path` is slash-separated from the record's
 * root (`teamAllocations/0/fte`), `message` is a whole sentence that starts with it.
 */
export interface FieldIssue {
  readonly path: string;
  readonly message: string;
}

/** An issue whose message names the field: `issue('fte', 'must be at most 1')`. */
export function issue(path: string, text: string): FieldIssue {
  return { path, message: path === '' ? `the record ${text}` : `${path} ${text}` };
}
