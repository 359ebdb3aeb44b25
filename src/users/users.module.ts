import { Module } from '@nestjs/common';
import { DatabaseModule } from '../database/database.module.js';
import { UsersGuard } from './users.guard.js';
import { UsersRepository } from './users.repository.js';
import { UsersService } from './users.service.js';

/** The users directory (id, email, name), kept from the claims of each caller's token. */
@Module({
  imports: [DatabaseModule],
  providers: [UsersService, UsersRepository, UsersGuard],
  exports: [UsersService, UsersGuard],
})
export class UsersModule {}
