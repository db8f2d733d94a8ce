import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'dermafleet:isPublic';

/** Health, readiness and metrics need no key (CONTRACT.md). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);
