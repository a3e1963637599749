/**
 * A problem with one field of a record: `path` is slash-separated from the record's
 * root (`teamAllocations/0/fte`), `message` is a whole sentence that starts with it.
 * Where the record sits in a request, the API puts it under its part
 * ({@link underRoot}: `body/teamAllocations/0/fte`), so every 400 names fields alike.
 */
export interface FieldIssue {
  readonly path: string;
  readonly message: string;
}

/** An issue whose message names the field: `issue('fte', 'must be at most 1')`. */
export function issue(path: string, text: string): FieldIssue {
  return { path, message: path === '' ? `the record ${text}` : `${path} ${text}` };
}

/**
 * The same issues placed under `root` (`body`, `query`, `data`): paths and the start
 * of their messages say `root/path`; the record itself (path `''`) becomes `root`.
 *
 * @example underRoot('body', [issue('email', 'is required')]) // → [{ path: 'body/email', message: 'body/email is required' }]
 */
export function underRoot<T extends FieldIssue>(root: string, issues: readonly T[]): T[] {
  return issues.map((item) => {
    const path = item.path === '' ? root : `${root}/${item.path}`;
    const lead = item.path === '' ? 'the record ' : `${item.path} `;
    const message = item.message.startsWith(lead) ? `${path} ${item.message.slice(lead.length)}` : `${path}: ${item.message}`;
    return { ...item, path, message };
  });
}
