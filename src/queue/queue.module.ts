import { Module } from '@nestjs/common';
import { JobQueue } from './job-queue.js';

/** The PostgreSQL job queue (pg-boss), for the features that schedule work (reminders). */
@Module({
  providers: [JobQueue],
  exports: [JobQueue],
})
export class QueueModule {}
