import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import { ConfigService } from '@nestjs/config';
import { Public } from '../auth/public.decorator.js';
import type { Env } from '../config/env.js';
import { ShutdownState } from './shutdown-state.js';

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly indicator: HealthIndicatorService,
    private readonly config: ConfigService<Env, true>,
    private readonly shutdown: ShutdownState,
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
   * @remarks PostgreSQL answers a query; `503` when it does not, and while the process is stopping.
   */
  @Get('ready')
  @HealthCheck()
  ready() {
    const timeout = this.config.get('DB_CONNECT_TIMEOUT_MS', { infer: true });
    return this.health.check([
      () => this.db.pingCheck('database', { timeout }),
      () => {
        const process = this.indicator.check('process');
        return this.shutdown.stopping ? process.down({ reason: 'shutting down' }) : process.up();
      },
    ]);
  }
}
