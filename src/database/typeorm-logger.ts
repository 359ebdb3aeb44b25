import { Logger as NestLogger } from '@nestjs/common';
import type { Logger } from 'typeorm';

const oneLine = (sql: string) => sql.replace(/\s+/g, ' ').trim().slice(0, 500);

/**
 * TypeORM's messages through the app's logger (JSON, with the request id). Failed and slow
 * queries are logged with their SQL but never their parameters, which carry user data.
 */
export class TypeOrmLogger implements Logger {
  private readonly logger = new NestLogger('Database');

  logQuery(): void {}

  logQueryError(error: string | Error, query: string): void {
    this.logger.warn(`Query failed: ${error instanceof Error ? error.message : error} — ${oneLine(query)}`);
  }

  logQuerySlow(time: number, query: string): void {
    this.logger.warn(`Slow query (${time} ms): ${oneLine(query)}`);
  }

  logSchemaBuild(message: string): void {
    this.logger.log(message);
  }

  logMigration(message: string): void {
    this.logger.log(message);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.logger.warn(String(message));
    else this.logger.log(String(message));
  }
}
