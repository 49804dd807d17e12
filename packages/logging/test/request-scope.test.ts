import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from '@jest/globals';
import { createLogger, currentRequestScope, inRequestScope, requestIdHeader, requestSlot } from '../src/index.js';

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

  it('keeps each slot apart in the one async context: a run of one leaves the others as they were', async () => {
    const work = requestSlot<{ rows: number }>('work');
    const other = requestSlot<string>('other');
    const seen = await inRequestScope({ requestId: 'outer', access: {} }, () =>
      work.run({ rows: 1 }, async () => {
        await nextTurn();
        const inner = await other.run('inner', async () => {
          await nextTurn();
          return { requestId: currentRequestScope()?.requestId, rows: work.get()?.rows, other: other.get() };
        });
        return { inner, after: { requestId: currentRequestScope()?.requestId, rows: work.get()?.rows, other: other.get() } };
      }),
    );
    expect(seen).toEqual({ inner: { requestId: 'outer', rows: 1, other: 'inner' }, after: { requestId: 'outer', rows: 1, other: undefined } });
    expect([work.get(), other.get(), currentRequestScope()]).toEqual([undefined, undefined, undefined]);
  });
});
