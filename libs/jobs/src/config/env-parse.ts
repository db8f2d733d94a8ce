import { z } from 'zod';

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export type Env = Record<string, string | undefined>;

/** A schema's description, looking through default/optional/pipe wrappers (zod 4 keeps it inside). */
function descriptionOf(schema: z.ZodType | undefined): string | undefined {
  let current: z.ZodType | undefined = schema;
  for (let depth = 0; current && depth < 8; depth++) {
    if (current.description) return current.description;
    const def = current.def as { innerType?: z.ZodType; in?: z.ZodType };
    current = def.innerType ?? def.in;
  }
  return undefined;
}

/**
 * Parses the environment once at start (STYLE.md #4). The first problem becomes one sentence
 * naming the variable, what it expects (its schema's description) and what it got.
 */
export function parseEnv<S extends z.ZodType>(schema: S, env: Env): z.output<S> {
  // Empty strings mean "unset": `FOO= npm start` should behave like no FOO at all.
  const cleaned: Env = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') cleaned[k] = v;
  const parsed = schema.safeParse(cleaned);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const name = String(issue.path[0] ?? '');
  const shape = schema instanceof z.ZodObject ? (schema.shape as Record<string, z.ZodType>) : {};
  const expects = descriptionOf(shape[name]) ?? issue.message;
  const got = cleaned[name];
  if (!name) throw new ConfigError(`Invalid configuration: ${issue.message}.`);
  throw new ConfigError(
    got === undefined
      ? `Configuration error: ${name} is required and must be ${expects}.`
      : `Configuration error: ${name} must be ${expects} (got "${got}").`,
  );
}

/** Environment booleans: true/false/1/0/yes/no. */
export const envBoolean = (description: string) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .transform((v) => v === 'true' || v === '1' || v === 'yes')
    .describe(description);

export const envInt = (description: string, min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number().int().min(min).max(max).describe(description);
