import { ProblemException } from '../errors/problem.exception.js';
import { etagOf, matchesNoneMatch, parseIfMatch } from './etag.js';

describe('ETags', () => {
  it('is the version as a strong tag', () => expect(etagOf({ version: 3 })).toBe('"3"'));

  it.each<[string | undefined, number[] | undefined]>([
    [undefined, undefined],
    ['*', undefined],
    [' * ', undefined],
    ['"3"', [3]],
    ['"3", "5"', [3, 5]],
    ['W/"3"', []], // strong comparison: a weak tag matches nothing
    ['"abc"', []],
    ['"1234567890"', []], // more digits than a version has
  ])('If-Match %j allows versions %j', (header, versions) => {
    expect(parseIfMatch(header)).toEqual(versions);
  });

  it.each(['3', '"3', 'W/3', '"3",,"4"', ''])(
    'a malformed If-Match %j is a 400 naming the header',
    (header) => {
      const err = (() => {
        try {
          parseIfMatch(header);
        } catch (e) {
          return e;
        }
      })() as ProblemException;
      expect(err).toBeInstanceOf(ProblemException);
      expect(err.getStatus()).toBe(400);
      expect(err.extras.errors?.[0].field).toBe('If-Match');
    },
  );

  it.each<[string | undefined, boolean]>([
    [undefined, false],
    ['', false],
    ['*', true],
    ['"3"', true],
    ['W/"3"', true], // weak comparison
    ['"2", W/"3"', true],
    ['"4"', false],
  ])('If-None-Match %j matches "3": %s', (header, matches) => {
    expect(matchesNoneMatch(header, '"3"')).toBe(matches);
  });
});
