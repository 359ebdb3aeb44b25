import { jest } from '@jest/globals';
import type { NextFunction, Request, Response } from 'express';
import { chain } from './chain.js';

const REQ = {} as Request;
const RES = {} as Response;

function run(mw: ReturnType<typeof chain>): Promise<unknown> {
  return new Promise((resolve) => mw(REQ, RES, ((err?: unknown) => resolve(err ?? 'done')) as NextFunction));
}

describe('chain', () => {
  it('runs the steps in order, waiting for one that goes on later, then goes on itself', async () => {
    const seen: string[] = [];
    const mw = chain(
      (_req, _res, next) => (seen.push('a'), next()),
      (_req, _res, next) => void setTimeout(() => (seen.push('b'), next()), 5),
      (_req, _res, next) => (seen.push('c'), next()),
    );
    await expect(run(mw)).resolves.toBe('done');
    expect(seen).toEqual(['a', 'b', 'c']);
  });

  it('passes an error on and skips the steps after it', async () => {
    const boom = new Error('boom');
    const after = jest.fn();
    const mw = chain((_req, _res, next) => next(boom), after);
    await expect(run(mw)).resolves.toBe(boom);
    expect(after).not.toHaveBeenCalled();
  });

  it('stops where a step ends the response without going on', async () => {
    const after = jest.fn();
    const done = jest.fn();
    chain(() => undefined, after)(REQ, RES, done);
    await new Promise((r) => setTimeout(r, 5));
    expect(after).not.toHaveBeenCalled();
    expect(done).not.toHaveBeenCalled();
  });
});
