import net, { type AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics } from '../../../api/metrics.js';
import { createPlatformMetrics } from '../../../api/platform-metrics.js';
import { actionContext, failureOf } from '../../../../test/helpers/action-context.js';
import { generateCertificates } from '../../../../test/helpers/https-server.js';
import sendEmail from './send-email.js';

/** A message the server took: its envelope and raw text. */
interface Received {
  readonly from: string;
  readonly to: string[];
  readonly raw: string;
  readonly user?: string;
  readonly secure: boolean;
}

/** An SMTP server on loopback that keeps what it receives. */
async function startSmtp(options: SMTPServerOptions): Promise<{ port: number; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server = new SMTPServer({
    ...options,
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
          ...(session.user !== undefined && { user: String(session.user) }),
          secure: session.secure,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.server.address() as AddressInfo).port, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const MESSAGE = { to: ['cto@acme.test', 'lead@acme.test'], cc: 'hr@acme.test', subject: 'Senior hire: Ada Lovelace', text: 'Starts 2026-12-07' };

describe('send_email', () => {
  let plain: Awaited<ReturnType<typeof startSmtp>>;
  let secured: Awaited<ReturnType<typeof startSmtp>>;
  let ca: string;

  beforeAll(async () => {
    plain = await startSmtp({ authOptional: true, disabledCommands: ['STARTTLS', 'AUTH'] });
    const certs = await generateCertificates('localhost');
    ca = certs.ca;
    secured = await startSmtp({
      key: certs.key,
      cert: certs.cert,
      onAuth(auth, _session, callback) {
        if (auth.username === 'mailer' && auth.password === 's3cret:pa$$') callback(null, { user: auth.username });
        else callback(new Error(`Invalid username or password for ${auth.username}`));
      },
    });
  });
  afterAll(async () => {
    await Promise.all([plain?.close(), secured?.close()]);
  });

  it('delivers the rendered message to the SMTP server and answers its id and recipients', async () => {
    const registry = createMetrics();
    const metrics = createPlatformMetrics(registry);
    const { ctx } = actionContext({ mail: { smtpUrl: `smtp://127.0.0.1:${plain.port}`, from: 'robot@acme.test' }, metrics });
    const result = await sendEmail.run({ ...MESSAGE, html: '<p>Starts <b>2026-12-07</b></p>' }, ctx);
    expect(result.response).toEqual({ messageId: expect.stringMatching(/^<.+@acme\.test>$/), accepted: ['cto@acme.test', 'lead@acme.test', 'hr@acme.test'], rejected: [] });
    const mail = plain.received.at(-1)!;
    expect(mail.from).toBe('robot@acme.test');
    expect(mail.to).toEqual(['cto@acme.test', 'lead@acme.test', 'hr@acme.test']);
    expect(mail.raw).toMatch(/^Subject: Senior hire: Ada Lovelace\r$/m);
    expect(mail.raw).toMatch(/^Cc: hr@acme\.test\r$/m);
    expect(mail.raw).toContain('Starts 2026-12-07');
    expect(mail.raw).toContain('<p>Starts <b>2026-12-07</b></p>');
    expect(mail.raw).toContain((result.response as { messageId: string }).messageId);
    expect(await registry.getSingleMetricAsString('hookyard_smtp_messages_total')).toContain('hookyard_smtp_messages_total{outcome="sent"} 1');
  });

  it('sends from hookyard@ the SMTP host when no From is set, to a single address', async () => {
    const { ctx } = actionContext({ mail: { smtpUrl: `smtp://127.0.0.1:${plain.port}` } });
    await sendEmail.run({ to: 'one@acme.test', subject: 'S', text: 'T' }, ctx);
    expect(plain.received.at(-1)).toMatchObject({ from: 'hookyard@127.0.0.1', to: ['one@acme.test'] });
  });

  it('upgrades with STARTTLS and logs in with the URL credentials, which appear nowhere it reports', async () => {
    const url = `smtp://mailer:${encodeURIComponent('s3cret:pa$$')}@localhost:${secured.port}/?tls.ca=${encodeURIComponent(ca)}`;
    const { ctx, logs, http } = actionContext({ mail: { smtpUrl: url, from: 'robot@acme.test' } });
    const result = await sendEmail.run(MESSAGE, ctx);
    expect(secured.received.at(-1)).toMatchObject({ user: 'mailer', secure: true, to: ['cto@acme.test', 'lead@acme.test', 'hr@acme.test'] });
    expect(JSON.stringify({ result, logs, http })).not.toMatch(/s3cret|pa\$\$|mailer/);
  });

  it('fails a refused login with the server words, the user name and password redacted', async () => {
    const before = secured.received.length;
    const registry = createMetrics();
    const url = `smtp://mailer:${encodeURIComponent('wrong-pa$$word')}@localhost:${secured.port}/?tls.ca=${encodeURIComponent(ca)}`;
    const { ctx, logs } = actionContext({ mail: { smtpUrl: url }, metrics: createPlatformMetrics(registry) });
    const error = await failureOf(sendEmail.run(MESSAGE, ctx));
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toMatch(/^sending the email failed: .*Invalid username or password for \[secret:SMTP user\]/);
    expect(JSON.stringify({ message: error.message, stack: error.stack, details: error.details, cause: String(error.cause), logs })).not.toMatch(/wrong-pa|mailer/);
    expect(secured.received.length).toBe(before);
    expect(await registry.getSingleMetricAsString('hookyard_smtp_messages_total')).toContain('{outcome="failed"} 1');
  });

  it('fails with a clear message when no SMTP server is configured, or its URL is not one, never quoting it', async () => {
    await expect(sendEmail.run(MESSAGE, actionContext({}).ctx)).rejects.toThrow('send_email needs an SMTP server, and none is configured: set HOOKYARD_SMTP_URL');
    const bad = sendEmail.run(MESSAGE, actionContext({ mail: { smtpUrl: 'https://mailer:hunter2@mail.acme.test' } }).ctx);
    await expect(bad).rejects.toThrow('HOOKYARD_SMTP_URL must look like smtp://');
    expect((await failureOf(bad)).message).not.toContain('hunter2');
  });

  it("stops waiting for a server that never answers when the run's signal ends", async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const controller = new AbortController();
      const { ctx } = actionContext({ mail: { smtpUrl: `smtp://127.0.0.1:${(silent.address() as AddressInfo).port}` } }, { signal: controller.signal });
      const pending = sendEmail.run(MESSAGE, ctx);
      setTimeout(() => controller.abort(), 100);
      await expect(pending).rejects.toThrow(/^sending the email failed: /);
      expect(sockets.size).toBe(1);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('fails on rendered addresses that are not, before connecting', async () => {
    const before = plain.received.length;
    const { ctx } = actionContext({ mail: { smtpUrl: `smtp://127.0.0.1:${plain.port}` } });
    await expect(sendEmail.run({ ...MESSAGE, to: ['ok@acme.test', ''] }, ctx)).rejects.toThrow('params/to/1 must be an email address');
    await expect(sendEmail.run({ ...MESSAGE, subject: { not: 'text' } } as never, ctx)).rejects.toThrow('params/subject must be a string');
    expect(plain.received.length).toBe(before);
  });
});
