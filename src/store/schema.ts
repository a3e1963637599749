/**
 * The database tables as Kysely sees them. The migrations in `migrations/` are the
 * source of the schema; this file only types it.
 *
 * Portable conventions, the same on SQLite and PostgreSQL:
 * - ids are text (UUIDs made by the application);
 * - times are integer milliseconds since the epoch (`bigint` on PostgreSQL, parsed to number);
 * - JSON is stored as text and parsed by the repositories;
 * - booleans are integers 0/1.
 */
import type { Generated } from 'kysely';

export interface OrganisationsTable {
  id: string;
  slug: string;
  name: string;
  time_zone: string;
  created_at: number;
}

export interface ApiKeysTable {
  id: string;
  org_id: string;
  name: string;
  role: string;
  /** First characters of the key, safe to show ("hyk_AbCd…"). */
  prefix: string;
  /** SHA-256 (hex) of the whole key; the key itself is never stored. */
  key_hash: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface EntitiesTable {
  id: string;
  org_id: string;
  type: string;
  /** JSON: the entity's fields and customAttributes. */
  data: string;
  version: number;
  created_at: number;
  updated_at: number;
}

export interface CustomAttributesTable {
  id: string;
  org_id: string;
  entity_type: string;
  key: string;
  label: string;
  type: string;
  /** JSON array of allowed values for `enum`, else null. */
  options: string | null;
  created_at: number;
  updated_at: number;
}

/** The outbox: one row per entity change, written in the same transaction as the change. */
export interface EventsTable {
  /** Commit order across the whole database. */
  seq: Generated<number>;
  id: string;
  org_id: string;
  entity_type: string;
  entity_id: string;
  change_type: string;
  before: string | null;
  after: string | null;
  /** JSON: `{ kind, integrationId?, hookId?, apiKeyId? }`. */
  source: string;
  occurred_at: number;
  /** Set once the event has been fanned out to the hooks that want it. */
  dispatched_at: number | null;
}

export interface IntegrationsTable {
  id: string;
  org_id: string;
  name: string;
  description: string;
  source_system_key: string;
  created_at: number;
  updated_at: number;
}

export interface SecretsTable {
  id: string;
  org_id: string;
  integration_id: string;
  name: string;
  /** AES-256-GCM: base64 of iv | tag | ciphertext. */
  ciphertext: string;
  created_at: number;
  updated_at: number;
}

export interface HooksTable {
  id: string;
  org_id: string;
  integration_id: string;
  name: string;
  type: string;
  entity_type: string | null;
  runtime: string;
  code: string | null;
  remote_url: string | null;
  /** Encrypted like secrets. */
  remote_secret: string | null;
  /** JSON array of flow step names. */
  remote_steps: string | null;
  /** The signing secret `remote_secret` replaced (encrypted), valid until a while after `remote_secret_replaced_at`. */
  remote_secret_previous: string | null;
  remote_secret_replaced_at: number | string | null;
  /** An inbound hook's verification secret, encrypted like secrets. */
  verify_secret: string | null;
  enabled: number;
  /** JSON: schedule, changeTypes, operations, order, method, path, params, mapping, retry, onError. */
  settings: string;
  version: number;
  created_at: number;
  updated_at: number;
}

export interface InboundMessagesTable {
  hook_id: string;
  message_id: string;
  seen_at: number | string;
}

export interface AutomationsTable {
  id: string;
  org_id: string;
  name: string;
  enabled: number;
  /** JSON: description, trigger (its `verify` without the secret), conditions, actions. */
  definition: string;
  /** An inbound automation's verification secret, encrypted like secrets (migration 0008). */
  verify_secret: string | null;
  version: number;
  created_at: number;
  updated_at: number;
}

/** One schedule run of an automation that counts towards its `maxRuns` (kept after its execution is pruned). */
export interface AutomationScheduleRunsTable {
  automation_id: string;
  /** What the attempts of one run share: the execution's input (its slot), else its id. */
  run_key: string;
  org_id: string;
  /** The first execution tallied for the run. */
  execution_id: string;
  created_at: number;
}

export interface ExecutionsTable {
  id: string;
  org_id: string;
  hook_id: string | null;
  automation_id: string | null;
  status: string;
  trigger: string;
  dry_run: number;
  attempt: number;
  started_at: number | null;
  finished_at: number | null;
  duration_ms: number | null;
  pages: number;
  /** JSON objects / arrays, see docs/hooks.md, "Executions". */
  counts: string;
  logs: string;
  http: string;
  error: string | null;
  preview: string | null;
  /** JSON: an automation run's steps (migration 0008); null for hooks. */
  steps: string | null;
  /** JSON: what the run needs to be repeated (event id, request fixture, meta). */
  input: string | null;
  created_at: number;
}

export interface JobsTable {
  id: string;
  org_id: string;
  kind: string;
  payload: string;
  status: string;
  run_at: number;
  attempts: number;
  max_attempts: number;
  /** Unique across all jobs when set: a schedule slot, an event delivery. */
  unique_key: string | null;
  /** Jobs with the same ordering key run one at a time, oldest first (one entity's events). */
  ordering_key: string | null;
  lease_owner: string | null;
  lease_expires_at: number | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
  /** Insertion order (migration 0002): orders the jobs of one ordering key. */
  seq: Generated<number>;
}

export interface KvTable {
  org_id: string;
  integration_id: string;
  key: string;
  /** JSON text. */
  value: string;
  expires_at: number;
  updated_at: number;
}

/** Links an external record to its entity, with the fingerprint of what was last written. */
export interface ExternalLinksTable {
  id: string;
  org_id: string;
  source_system_key: string;
  entity_type: string;
  external_id: string;
  entity_id: string;
  fingerprint: string;
  updated_at: number;
}

export interface Database {
  organisations: OrganisationsTable;
  api_keys: ApiKeysTable;
  entities: EntitiesTable;
  custom_attributes: CustomAttributesTable;
  events: EventsTable;
  integrations: IntegrationsTable;
  secrets: SecretsTable;
  hooks: HooksTable;
  inbound_messages: InboundMessagesTable;
  automations: AutomationsTable;
  automation_schedule_runs: AutomationScheduleRunsTable;
  executions: ExecutionsTable;
  jobs: JobsTable;
  kv: KvTable;
  external_links: ExternalLinksTable;
}
