import { Module } from '@nestjs/common';
import { DatabaseModule } from '../database/database.module.js';
import { AppPasswordsController } from './app-passwords.controller.js';
import { AppPasswordsRepository } from './app-passwords.repository.js';
import { AppPasswordsService } from './app-passwords.service.js';

/** App passwords: `/api/app-passwords`, and the sign-in CalDAV's guard asks (AppPasswordsService.signIn). */
@Module({
  imports: [DatabaseModule],
  controllers: [AppPasswordsController],
  providers: [AppPasswordsService, AppPasswordsRepository],
  exports: [AppPasswordsService],
})
export class AppPasswordsModule {}
