import { QueryFailedError } from 'typeorm';
import { connectionLost, databaseUnavailable } from './server-pool.js';
import { PoolBusyError, PoolClosedError } from './fair-share.js';

const coded = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('what a failed statement says about the database', () => {
  const lost = [
    coded('57P01', 'terminating connection due to administrator command'),
    coded('08006'),
    coded('ECONNRESET'),
    coded('EPIPE', 'write EPIPE'),
    coded('ETIMEDOUT'),
    new Error('Connection terminated unexpectedly'),
    new Error('Query read timeout'),
    new Error('server conn crashed?'),
    new Error('Client has encountered a connection error and is not queryable'),
  ];
  const unavailableOnly = [
    coded('57014', 'canceling statement due to statement timeout'),
    coded('53300', 'sorry, too many clients already'),
    coded('40P01', 'deadlock detected'),
    coded('40001', 'could not serialize access'),
    coded('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432'),
    coded('ENOTFOUND'),
    new Error('timeout exceeded when trying to connect'),
    new Error('Cannot use a pool after calling end on the pool'),
    new QueryFailedError('SELECT 1', [], coded('57014', 'canceling statement due to statement timeout')),
    new PoolBusyError(),
    new PoolClosedError(),
  ];
  const neither = [
    coded('23505', 'duplicate key value violates unique constraint'),
    coded('22001', 'value too long'),
    new Error('secret internals'),
    'ECONNRESET',
    null,
  ];

  it.each(lost)('a lost connection is unavailable too: %s', (err) => {
    expect(connectionLost(err)).toBe(true);
    expect(databaseUnavailable(err)).toBe(true);
  });

  it.each(unavailableOnly)('unavailable with no connection lost: %s', (err) => {
    expect(connectionLost(err)).toBe(false);
    expect(databaseUnavailable(err)).toBe(true);
  });

  it.each(neither)('neither: %s', (err) => {
    expect(connectionLost(err)).toBe(false);
    expect(databaseUnavailable(err)).toBe(false);
  });
});
