import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { ConfigService } from '@nestjs/config';
import { Public } from '../auth/public.decorator.js';
import type { Env } from '../config/env.js';

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly config: ConfigService<Env, true>,
  ) {}

  /**
   * Liveness
   * @remarks The process is up and serving HTTP. Never touches the database.
   */
  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  /**
   * Readiness
   * @remarks PostgreSQL answers a query; `503` when it does not.
   */
  @Get('ready')
  @HealthCheck()
  ready() {
    const timeout = this.config.get('DB_CONNECT_TIMEOUT_MS', { infer: true });
    return this.health.check([() => this.db.pingCheck('database', { timeout })]);
  }
}
