import { jest } from '@jest/globals';
import type { ArgumentMetadata } from '@nestjs/common';
import { IsBoolean, IsOptional, IsString } from 'class-validator';
import { ValidationProblem } from './problem.exception.js';
import { AppValidationPipe, VALIDATION_OPTIONS, validationPipe } from './validation.js';

class AllOptional {
  @IsOptional()
  @IsBoolean()
  completed?: boolean;
}

class OneRequired {
  @IsString()
  title!: string;
}

const body = (metatype: ArgumentMetadata['metatype']): ArgumentMetadata => ({ type: 'body', metatype });

describe('AppValidationPipe', () => {
  it('validates an empty body of an all-optional DTO once, then answers the same fresh instance', async () => {
    const pipe = new AppValidationPipe(VALIDATION_OPTIONS);
    const validate = jest.spyOn(pipe as unknown as { validate: () => unknown }, 'validate');
    const first = await pipe.transform(undefined, body(AllOptional));
    const second = await pipe.transform({}, body(AllOptional));
    const third = await pipe.transform(Object.create(null), { type: 'query', metatype: AllOptional });
    expect(validate).toHaveBeenCalledTimes(1);
    for (const dto of [first, second, third]) {
      expect(dto).toBeInstanceOf(AllOptional);
      expect({ ...(dto as object) }).toEqual({});
    }
    expect(second).not.toBe(first);
  });

  it('still validates every body that has a field', async () => {
    const pipe = new AppValidationPipe(VALIDATION_OPTIONS);
    await pipe.transform({}, body(AllOptional));
    await expect(pipe.transform({ completed: 'yes' }, body(AllOptional))).rejects.toBeInstanceOf(
      ValidationProblem,
    );
    await expect(pipe.transform({ other: 1 }, body(AllOptional))).rejects.toBeInstanceOf(ValidationProblem);
    await expect(pipe.transform({ completed: true }, body(AllOptional))).resolves.toEqual({
      completed: true,
    });
  });

  it('tells a DTO with a required field that an empty body lacks it, every time', async () => {
    for (let i = 0; i < 2; i++) {
      const err = await validationPipe.transform(undefined, body(OneRequired)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ValidationProblem);
    }
  });

  it('leaves arrays, custom parameters and primitives to the full pipe', async () => {
    const pipe = new AppValidationPipe(VALIDATION_OPTIONS);
    await pipe.transform({}, body(AllOptional));
    await expect(pipe.transform([], body(AllOptional))).rejects.toBeInstanceOf(ValidationProblem);
    await expect(
      pipe.transform(undefined, { type: 'custom', metatype: AllOptional }),
    ).resolves.toBeUndefined();
  });
});
