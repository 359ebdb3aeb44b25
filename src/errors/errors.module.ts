import { Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { ProblemFilter } from './problem.filter.js';
import { validationPipe } from './validation.js';

/** The global exception filter and validation pipe, as providers so tests get the same ones. */
@Module({
  providers: [
    { provide: APP_FILTER, useClass: ProblemFilter },
    { provide: APP_PIPE, useValue: validationPipe },
  ],
})
export class ErrorsModule {}
