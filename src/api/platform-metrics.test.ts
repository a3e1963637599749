import { Registry } from 'prom-client';
import { describe, expect, test } from 'vitest';
import { createPlatformMetrics } from './platform-metrics.js';

const run = { orgId: 'org-1', hookType: 'push', trigger: 'event', status: 'failed', durationMs: 1500, limit: 'timeMs', httpErrors: ['TIMEOUT', 'TIMEOUT'] } as const;

describe('platform metrics labels', () => {
  test('leave the organisation out by default', async () => {
    const metrics = createPlatformMetrics(new Registry());
    metrics.executionFinished(run);
    const text = await metrics.registry.metrics();
    expect(text).toContain('hookyard_executions_total{hook_type="push",trigger="event",status="failed"} 1');
    expect(text).toContain('hookyard_outbound_http_errors_total{hook_type="push",code="TIMEOUT"} 2');
    expect(text).toContain('hookyard_sandbox_limit_breaches_total{hook_type="push",limit="timeMs"} 1');
    expect(text).not.toContain('org-1');
  });

  test('add an org label to the run series when asked, never to the job series', async () => {
    const metrics = createPlatformMetrics(new Registry(), { orgLabel: true });
    metrics.executionFinished(run);
    metrics.deliveryStarted('org-1', 250);
    metrics.claimed('push.deliver', false);
    const text = await metrics.registry.metrics();
    expect(text).toContain('hookyard_executions_total{hook_type="push",trigger="event",status="failed",org="org-1"} 1');
    expect(text).toContain('hookyard_push_delivery_lag_seconds_count{org="org-1"} 1');
    expect(text).toContain('hookyard_jobs_claimed_total{kind="push.deliver"} 1');
  });
});
