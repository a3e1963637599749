/**
 * A stand-in for an external HR system, on a real local HTTPS server: the same people
 * served page-, cursor- and offset-paginated, plus endpoints that fail on a chosen
 * page. PULL tests point hooks at https://hr.example.test through the egress test
 * settings (loopback only).
 */
import type { ServerResponse } from 'node:http';
import type { ProcessEgressOptions as EgressOptions } from '../../src/sandbox/index.js';
import { startHttpsServer, type ReceivedRequest, type TestHttpsServer } from './https-server.js';

export const HR_HOST = 'hr.example.test';

export interface Person {
  uid: string;
  given: string;
  family: string;
  mail: string;
}

export interface HrApi {
  readonly server: TestHttpsServer;
  /** The people served, in order; tests change them between syncs. */
  people: Person[];
  /** `/page` never answers this page while set (a sync stuck mid-run). */
  hangOnPage?: number;
  /** The egress settings that reach this server as https://hr.example.test. */
  readonly egress: EgressOptions;
  close(): Promise<void>;
}

/** `count` people with ids `P-1`… */
export function makePeople(count: number, prefix = 'P'): Person[] {
  return Array.from({ length: count }, (_, i) => ({
    uid: `${prefix}-${i + 1}`,
    given: `Given${i + 1}`,
    family: `Family${i + 1}`,
    mail: `person${i + 1}@hr.example.test`,
  }));
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(body));
}

export async function startHrApi(people: Person[] = makePeople(25)): Promise<HrApi> {
  const api = { people } as { people: Person[]; hangOnPage?: number };
  const handler = (req: ReceivedRequest, res: ServerResponse) => {
    const url = new URL(req.url, `https://${HR_HOST}`);
    const q = (name: string, fallback: number) => Number(url.searchParams.get(name) ?? fallback);
    const all = api.people;
    switch (url.pathname) {
      case '/page': {
        const page = q('page', 1);
        const size = q('size', 10);
        const slice = all.slice((page - 1) * size, page * size);
        const failOn = url.searchParams.get('failOn');
        if (failOn !== null && Number(failOn) === page) return json(res, 500, { error: 'boom' });
        if (url.searchParams.get('hangOn') === String(page) || api.hangOnPage === page) return; // never answers
        return json(res, 200, { people: slice, next: page * size < all.length ? page + 1 : null });
      }
      case '/cursor': {
        const start = url.searchParams.get('cursor') ? all.findIndex((p) => p.uid === url.searchParams.get('cursor')) : 0;
        const items = all.slice(start, start + 7);
        const nextCursor = start + 7 < all.length ? all[start + 7]!.uid : null;
        return json(res, 200, { items, nextCursor });
      }
      case '/offset': {
        const offset = q('offset', 0);
        const limit = q('limit', 8);
        return json(res, 200, { items: all.slice(offset, offset + limit), total: all.length });
      }
      default:
        return json(res, 404, { error: 'no such endpoint' });
    }
  };
  const server = await startHttpsServer(HR_HOST, handler);
  return Object.assign(api, {
    server,
    egress: { allowPrivate: true, connectTo: [{ host: HR_HOST, port: 443, address: '127.0.0.1', toPort: server.port }], ca: server.ca },
    close: () => server.close(),
  });
}

/** The mapping every hook below uses: HR person → employee. */
const toEmployee = `(p) => ({ externalId: p.uid, data: { firstName: p.given, lastName: p.family, email: p.mail } })`;

/** Hook sources, one per pagination style. `query` adds query parameters to every call (e.g. `failOn=2`). */
export const HOOKS = {
  page: (query = '') => `async function run(ctx) {
  const page = ctx.meta?.page ?? 1;
  const res = await ctx.http.get('https://${HR_HOST}/page?${query}', { query: { page: String(page), size: '10' }, timeoutMs: 1000 });
  if (res.status !== 200) throw new Error('HR API answered ' + res.status);
  return { records: res.body.people.map(${toEmployee}), more: res.body.next !== null, meta: { page: res.body.next } };
}`,
  cursor: () => `async function run(ctx) {
  const res = await ctx.http.get('https://${HR_HOST}/cursor', { query: ctx.meta ? { cursor: ctx.meta.cursor } : {} });
  return { records: res.body.items.map(${toEmployee}), more: res.body.nextCursor !== null, meta: { cursor: res.body.nextCursor } };
}`,
  offset: () => `async function run(ctx) {
  const offset = ctx.meta?.offset ?? 0;
  const res = await ctx.http.get('https://${HR_HOST}/offset', { query: { offset: String(offset), limit: '8' } });
  const next = offset + res.body.items.length;
  return { records: res.body.items.map(${toEmployee}), more: next < res.body.total, meta: { offset: next } };
}`,
};
