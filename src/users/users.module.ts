import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { DatabaseModule } from '../database/database.module.js';
import { UsersInterceptor } from './users.interceptor.js';
import { UsersRepository } from './users.repository.js';
import { UsersService } from './users.service.js';

/** The users directory (id, email, name), kept from the claims of each caller's token. */
@Module({
  imports: [DatabaseModule],
  providers: [UsersService, UsersRepository, { provide: APP_INTERCEPTOR, useClass: UsersInterceptor }],
  exports: [UsersService],
})
export class UsersModule {}
