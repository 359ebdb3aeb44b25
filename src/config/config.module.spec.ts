import { Test } from '@nestjs/testing';
import { ConfigService } from '@nestjs/config';
import type { Env } from './env.js';

describe('AppConfigModule', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  });

  it('reads only validated values: an empty variable is unset, not the raw empty string', async () => {
    Object.assign(process.env, {
      NODE_ENV: 'test',
      DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/unused',
      BETTER_AUTH_SECRET: 'a-secret-of-at-least-thirty-two-characters!!',
      JWT_ISSUER: '',
      JWT_AUDIENCE: '  ',
      DB_POOL_MAX: '7',
    });
    // forRoot reads the environment when config.module.ts is first imported.
    const { AppConfigModule } = await import('./config.module.js');
    const module = await Test.createTestingModule({ imports: [AppConfigModule] }).compile();
    const config = module.get<ConfigService<Env, true>>(ConfigService);
    expect({
      issuer: config.get('JWT_ISSUER', { infer: true }),
      audience: config.get('JWT_AUDIENCE', { infer: true }),
      pool: config.get('DB_POOL_MAX', { infer: true }),
    }).toEqual({ issuer: undefined, audience: undefined, pool: 7 });
    await module.close();
  });
});
