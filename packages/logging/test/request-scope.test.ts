import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from '@jest/globals';
import { createLogger, inRequestScope, requestIdHeader } from '../src/index.js';

function capturedLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger('test', 'info', { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, lines };
}

describe('the request scope', () => {
  it('puts the request id on every line logged while serving it, however deep, and on none outside', async () => {
    const { logger, lines } = capturedLogger();
    const service = { lookUp: async () => (await nextTurn(), logger.child({ component: 'service' }).warn('slow lookup')) };
    logger.info('starting');
    await Promise.all([
      inRequestScope({ requestId: 'first', access: {} }, async () => {
        await nextTurn();
        await service.lookUp();
      }),
      inRequestScope({ requestId: 'second', access: {} }, () => logger.info({ requestId: 'explicit' }, 'an explicit id wins')),
    ]);
    logger.info('idle');
    expect(lines.map(({ msg, requestId }) => ({ msg, requestId }))).toEqual([
      { msg: 'starting', requestId: undefined },
      { msg: 'an explicit id wins', requestId: 'explicit' },
      { msg: 'slow lookup', requestId: 'first' },
      { msg: 'idle', requestId: undefined },
    ]);
  });

  it('hands the id on to calls made while serving the request only', () => {
    expect(requestIdHeader()).toEqual({});
    expect(inRequestScope({ requestId: 'abc', access: {} }, requestIdHeader)).toEqual({ 'x-request-id': 'abc' });
  });
});
