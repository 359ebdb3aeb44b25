import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { Hs256Strategy } from './hs256.strategy.js';
import { JwtAuthGuard } from './jwt-auth.guard.js';
import { MeController } from './me.controller.js';

@Module({
  imports: [PassportModule],
  controllers: [MeController],
  providers: [Hs256Strategy, { provide: APP_GUARD, useClass: JwtAuthGuard }],
})
export class AuthModule {}
