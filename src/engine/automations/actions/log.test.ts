import { describe, expect, it } from 'vitest';
import { actionContext } from '../../../../test/helpers/action-context.js';
import log from './log.js';

describe('log', () => {
  it('writes one line at the given level, with its data', async () => {
    const { ctx, logs } = actionContext({});
    expect(await log.run({ level: 'warn', message: 'stock is low', data: { left: 2 } }, ctx)).toEqual({});
    await log.run({ level: 'debug', message: 'no data' }, ctx);
    expect(logs).toEqual([
      { level: 'warn', message: 'stock is low', data: { left: 2 } },
      { level: 'debug', message: 'no data' },
    ]);
  });

  it('fails on a rendered level that is not one, naming the param, and logs nothing', async () => {
    const { ctx, logs } = actionContext({});
    await expect(log.run({ level: 'loud', message: 'x' } as never, ctx)).rejects.toMatchObject({
      code: 'HY_VALIDATION',
      message: 'params/level must be one of debug, info, warn, error',
      details: [{ path: 'params/level' }],
    });
    await expect(log.run({ level: 'info', message: 42 } as never, ctx)).rejects.toThrow('params/message must be a string');
    expect(logs).toEqual([]);
  });
});
