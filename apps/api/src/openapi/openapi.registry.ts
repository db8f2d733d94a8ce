import { OpenAPIRegistry, OpenApiGeneratorV3 } from '@asteasolutions/zod-to-openapi';
import type { z } from 'zod';
import { errorBodySchema } from './response.schemas';

type Method = 'get' | 'post' | 'put' | 'delete' | 'patch';

export interface Endpoint {
  summary: string;
  tags: string[];
  /** false for /health, /metrics and /docs. */
  auth?: boolean;
  /** Path parameters are read from the `{name}` parts of the path. */
  query?: z.ZodObject;
  json?: z.ZodType;
  /** multipart/form-data fields (file fields as `binary` strings). */
  form?: z.ZodObject;
  responses: Record<number, Response>;
}

interface Body {
  schema?: z.ZodType;
  contentType?: string;
}

/** One status: its main body, and `also` other media types the same status may answer with. */
interface Response extends Body {
  description: string;
  also?: Body[];
}

/** A body's `content` entry: a schema as JSON by default, or a bare string of its media type. */
function content(b: Body): Record<string, { schema: z.ZodType | { type: 'string' } }> {
  if (b.schema) return { [b.contentType ?? 'application/json']: { schema: b.schema } };
  return b.contentType ? { [b.contentType]: { schema: { type: 'string' as const } } } : {};
}

/**
 * The OpenAPI document, generated from the zod schemas that validate the requests
 * (@asteasolutions/zod-to-openapi; STYLE.md #14). Adding an endpoint is one call in
 * contract.paths.ts: `endpoint('post', '/v1/things/{id}', { summary, tags, json: thingSchema,
 * responses: { 201: { description: 'the thing', schema: thingSchema } } })`, using the same
 * schema the controller parses with `parseFields`.
 */
export class ContractRegistry {
  private readonly registry = new OpenAPIRegistry();
  /** Named schemas no path refers to (e.g. the webhook event body, sent by us, not received). */
  private readonly components: z.ZodType[] = [];

  constructor() {
    this.registry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });
  }

  /** Lists a schema named with `.meta({ id })` under components.schemas even when no path uses it. */
  component(schema: z.ZodType): void {
    this.components.push(schema);
  }

  endpoint(method: Method, path: string, e: Endpoint): void {
    const params = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
    const responses = Object.fromEntries(
      Object.entries(e.responses).map(([status, r]) => [
        status,
        {
          description: r.description,
          ...(r.schema || r.contentType
            ? { content: Object.assign(content(r), ...(r.also ?? []).map(content)) }
            : {}),
        },
      ]),
    );
    this.registry.registerPath({
      method,
      path,
      summary: e.summary,
      tags: e.tags,
      security: e.auth === false ? [] : [{ bearer: [] }],
      parameters: params.map((name) => ({
        name,
        in: 'path' as const,
        required: true,
        schema: { type: 'string' as const },
      })),
      request: {
        ...(e.query ? { query: e.query } : {}),
        ...(e.json ? { body: { content: { 'application/json': { schema: e.json } } } } : {}),
        ...(e.form ? { body: { content: { 'multipart/form-data': { schema: e.form } } } } : {}),
      },
      responses: {
        ...responses,
        ...(e.auth === false ? {} : { 401: { description: 'unauthorized', content: errorJson } }),
        '4XX': { description: 'the contract error body', content: errorJson },
      },
    });
  }

  document(): ReturnType<OpenApiGeneratorV3['generateDocument']> {
    const extra = this.components.map((schema) => ({ type: 'schema' as const, schema }));
    return new OpenApiGeneratorV3([...this.registry.definitions, ...extra]).generateDocument({
      openapi: '3.0.3',
      info: {
        title: 'dermafleet',
        version: '1',
        description: 'Skin-lesion image classification (ViT) as a queue-driven fleet. See CONTRACT.md.',
      },
    });
  }
}

const errorJson = { 'application/json': { schema: errorBodySchema } };
