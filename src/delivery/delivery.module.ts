import { Module } from '@nestjs/common';
import { DatabaseModule } from '../database/database.module.js';
import { QueueModule } from '../queue/queue.module.js';
import { DeliveriesRepository } from './deliveries.repository.js';
import { DeliveryRunner } from './delivery-runner.js';
import { OutboundHttp } from './outbound-http.js';

/**
 * The delivery machinery both channels share (docs/reminders.md): the deliveries table's claim,
 * lease and records (DeliveriesRepository), the periodic sender (DeliveryRunner, with which each
 * channel registers its DeliverySender), and the one outbound HTTP client with the address rule
 * (OutboundHttp, outbound-address.ts).
 */
@Module({
  imports: [DatabaseModule, QueueModule],
  providers: [DeliveriesRepository, DeliveryRunner, OutboundHttp],
  exports: [DeliveryRunner, OutboundHttp],
})
export class DeliveryModule {}
