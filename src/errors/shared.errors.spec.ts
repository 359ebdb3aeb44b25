import { AppPasswordLimitReachedError } from '../app-passwords/app-password.errors.js';
import { ListLimitReachedError } from '../lists/list.errors.js';
import { PushEndpointRefusedError } from '../push/push.errors.js';
import { WebhookNotFoundError } from '../webhooks/webhook.errors.js';
import { isSharedError, sharedProblem } from './shared.errors.js';

describe('the HTTP answer to each shared error shape', () => {
  it('not found: 404 with the feature’s detail', () => {
    const problem = sharedProblem(new WebhookNotFoundError());
    expect([problem.getStatus(), problem.detail]).toEqual([404, 'No webhook with this id']);
  });

  it('a limit: 403 with the feature’s title and detail', () => {
    const problem = sharedProblem(new AppPasswordLimitReachedError(3));
    expect([problem.getStatus(), problem.extras.title, problem.detail]).toEqual([
      403,
      'App password limit reached',
      'You have 3 app passwords, the most one user may; delete one to make another',
    ]);
    expect(sharedProblem(new ListLimitReachedError(2, true)).detail).toBe(
      ListLimitReachedError.recipientDetail(2),
    );
  });

  it('a refused target: 400 naming the field', () => {
    const problem = sharedProblem(new PushEndpointRefusedError('http: is not allowed (https: only)'));
    expect([problem.getStatus(), problem.extras.errors]).toEqual([
      400,
      [{ field: 'endpoint', message: 'http: is not allowed (https: only)' }],
    ]);
  });

  it('any other error is not one of them', () => {
    expect(isSharedError(new Error('No webhook with this id'))).toBe(false);
  });
});
