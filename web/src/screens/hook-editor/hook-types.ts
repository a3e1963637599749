/**
 * What the editor offers per hook type: the settings it shows, what a new hook starts
 * with (its starter code and required settings), and what a Test takes as fixture.
 * The server decides what is valid; this only chooses the form.
 */
import type { Body, HookType } from '../../api/client';

export const HOOK_TYPES: readonly HookType[] = ['pull', 'push', 'pre', 'post', 'inbound'];

type NewHook = Body<'/v1/integrations/{id}/hooks', 'post'>;

export interface HookTypeForm {
  readonly label: string;
  readonly needsEntityType: boolean;
  /** The fixture a Test sends, by its name in the test body, with a sample. */
  readonly fixture?: { readonly name: 'meta' | 'event' | 'request'; readonly sample: string };
  readonly canRun: boolean;
  /** Settings a new hook of this type needs besides its code. */
  readonly defaults: Partial<NewHook>;
  readonly template: string;
}

const PULL_TEMPLATE = `// Runs on its schedule, by Run now, or as a Test. Return one page of records;
// more: true asks for the next page with ctx.meta set to the meta you return.
async function run(ctx) {
  const page = ctx.meta?.page ?? 1;
  const res = await ctx.http.get('https://hr.example.org/people', {
    headers: { Authorization: \`Bearer \${ctx.secrets.token}\` },
    query: { page: String(page) },
  });
  if (res.status !== 200) throw new Error(\`HR API answered \${res.status}\`);
  return {
    records: res.body.people.map((p) => ({
      externalId: p.id,
      data: { firstName: p.firstName, lastName: p.lastName, email: p.email },
    })),
    more: res.body.next !== null,
    meta: { page: page + 1 },
  };
}
`;

const PUSH_TEMPLATE = `// Runs when an entity of this hook's type changes; ctx.event says how.
async function run(ctx) {
  const { changeType, after, before } = ctx.event;
  const res = await ctx.http.post('https://hr.example.org/changes', { changeType, record: after ?? before });
  if (res.status >= 300) throw new Error(\`the target answered \${res.status}\`);
}
`;

const PRE_TEMPLATE = `// Runs before the API call; return status 200 to let it go on.
async function run(ctx) {
  const { operation, message } = ctx.request;
  if (operation === 'create' && !message.email?.endsWith('@example.org')) {
    return { status: 422, message: { error: 'email must be @example.org' } };
  }
  return { status: 200 };
}
`;

const POST_TEMPLATE = `// Runs after the API call; return responseOverride to change what the caller gets.
async function run(ctx) {
  ctx.log.info(\`\${ctx.request.operation} answered \${ctx.response.status}\`);
}
`;

const INBOUND_TEMPLATE = `// Runs for each call to this hook's inbound URL.
async function run(ctx) {
  const person = ctx.request.body;
  return {
    records: [{ externalId: person.id, data: { firstName: person.firstName, lastName: person.lastName, email: person.email } }],
    response: { status: 202, body: { received: true } },
  };
}
`;

export const HOOK_TYPE_FORMS: Readonly<Record<HookType, HookTypeForm>> = {
  pull: { label: 'Pull', needsEntityType: true, canRun: true, fixture: { name: 'meta', sample: '' }, defaults: {}, template: PULL_TEMPLATE },
  push: {
    label: 'Push',
    needsEntityType: true,
    canRun: false,
    fixture: { name: 'event', sample: JSON.stringify({ changeType: 'create', after: { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.org' } }, null, 2) },
    defaults: { changeTypes: ['create', 'update', 'delete'] },
    template: PUSH_TEMPLATE,
  },
  pre: {
    label: 'API pre-hook',
    needsEntityType: true,
    canRun: false,
    fixture: { name: 'request', sample: JSON.stringify({ operation: 'create', message: { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.org' } }, null, 2) },
    defaults: { operations: ['create', 'update'] },
    template: PRE_TEMPLATE,
  },
  post: {
    label: 'API post-hook',
    needsEntityType: true,
    canRun: false,
    fixture: { name: 'request', sample: JSON.stringify({ operation: 'get', message: { id: 'e1' } }, null, 2) },
    defaults: { operations: ['get'] },
    template: POST_TEMPLATE,
  },
  inbound: {
    label: 'Inbound',
    needsEntityType: false,
    canRun: false,
    // The call as a sender would make it; method and path default to the hook's.
    fixture: {
      name: 'request',
      sample: JSON.stringify({ headers: { 'content-type': 'application/json' }, query: {}, body: { id: 'p1', firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.org' } }, null, 2),
    },
    defaults: { path: 'people' },
    template: INBOUND_TEMPLATE,
  },
};
