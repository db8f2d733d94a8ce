import { S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { SignatureV4 } from '@smithy/signature-v4';
import { createHash } from 'node:crypto';
import http, { type IncomingMessage, STATUS_CODES } from 'node:http';
import https from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import type { StorageSettings } from './storage.settings';

/*
 * Why this file exists: the SDK's command stack (serialisers, a dozen middlewares, the endpoint
 * ruleset, the XML deserialiser) cost more CPU than the request itself. Against a local server
 * that answers at once, a 40 KB PutObject through S3Client took 2.0 ms of CPU and a GetObject
 * 1.5 ms; the same requests signed by the SDK's own SigV4 signer and sent with node:http, 0.44 and
 * 0.70 ms (a throwaway loop, 2,000 requests each, 2-core AMD EPYC). An image costs four of these
 * (the API's PUT, the worker's GET and its two PUTs), so the difference is ~5 ms of CPU per image
 * on a pipeline whose whole budget is a few tens. Only the four object operations that every
 * image makes go this way; everything else (buckets, batch deletes, copies, presigning, streamed
 * uploads) stays on the SDK. What the SDK gave them is kept: its signer, credential chain,
 * endpoint rules and error type (S3ServiceException, with $metadata), its retry of transient
 * failures (three attempts, jittered exponential backoff) and both timeouts.
 */

/** S3 errors and socket failures worth another attempt (the SDK's standard retry set, in short). */
const RETRYABLE_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN']);
const RETRYABLE_S3_CODES = new Set(['SlowDown', 'Throttling', 'ThrottlingException', 'RequestTimeout']);
const MAX_ATTEMPTS = 3;
/** The hash of an empty payload, signed for GET, HEAD and DELETE. */
const EMPTY_SHA256 = createHash('sha256').digest('hex');
/** S3 error bodies are a few hundred bytes; a longer one is cut (only Code and Message are read). */
const MAX_ERROR_BODY = 64 * 1024;

export interface SignedResponse {
  status: number;
  headers: IncomingMessage['headers'];
  /** The body, unread: the caller consumes or destroys it. */
  body: IncomingMessage;
}

interface Target {
  base: URL;
  transport: typeof http | typeof https;
  agent: http.Agent;
  signer: SignatureV4;
}

interface RequestSpec {
  method: 'GET' | 'PUT' | 'HEAD' | 'DELETE';
  key: string;
  body?: Buffer;
  /** The body's sha256 (hex) when the caller has it already (a content address): not hashed again. */
  bodySha256?: string;
  headers?: Record<string, string>;
}

/** An S3 key as a URL path: every segment escaped as S3 expects (RFC 3986, `/` kept). */
export function encodeKey(key: string): string {
  return key
    .split('/')
    .map((part) =>
      encodeURIComponent(part).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`),
    )
    .join('/');
}

/**
 * S3's answers and socket failures carry what the SDK's errors carry ($metadata, with the
 * attempts), so callers classify both alike; anything else (a bug of ours) is left as it is.
 */
function withMetadata(err: Error, attempts: number): Error {
  if (err instanceof S3ServiceException) {
    err.$metadata.attempts = attempts;
    return err;
  }
  return retryable(err) ? Object.assign(err, { $metadata: { attempts } }) : err;
}

/** What S3 answers when the request's date is too far from its clock (the SDK's list). */
const CLOCK_SKEW_CODES = new Set([
  'AuthFailure',
  'InvalidSignatureException',
  'RequestExpired',
  'RequestInTheFuture',
  'RequestTimeTooSkewed',
  'SignatureDoesNotMatch',
]);
/** A signature's date may be this far from S3's clock before S3 refuses it. */
const MAX_SKEW_MS = 5 * 60_000;

const XML_ENTITIES: Record<string, string> = {
  '&lt;': '<',
  '&gt;': '>',
  '&quot;': '"',
  '&apos;': "'",
  '&amp;': '&',
};
const xmlText = (text: string) => text.replace(/&(lt|gt|quot|apos|amp);/g, (e) => XML_ENTITIES[e]);

function timeoutError(message: string): Error {
  const err = new Error(message);
  err.name = 'TimeoutError';
  return err;
}

/** Reads a non-2xx answer's body and makes the SDK's error of it. */
async function s3Error(res: IncomingMessage, attempts: number): Promise<S3ServiceException> {
  let text = '';
  for await (const chunk of res) {
    if (text.length < MAX_ERROR_BODY) text += (chunk as Buffer).toString('utf8');
  }
  const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1];
  const message = /<Message>([^<]*)<\/Message>/.exec(text)?.[1];
  const status = res.statusCode ?? 0;
  return new S3ServiceException({
    // A HEAD's error has no body: named after its status, as the SDK does (NotFound, Forbidden).
    name: code ? xmlText(code) : (STATUS_CODES[status] ?? `Http${status}`).replace(/\W/g, ''),
    $fault: status >= 500 ? 'server' : 'client',
    message: message ? xmlText(message) : `S3 answered HTTP ${status}.`,
    $metadata: {
      httpStatusCode: status,
      requestId: res.headers['x-amz-request-id'] as string | undefined,
      attempts,
    },
  });
}

function retryable(err: unknown): boolean {
  if (err instanceof S3ServiceException) {
    const status = err.$metadata.httpStatusCode ?? 0;
    return status >= 500 || status === 429 || RETRYABLE_S3_CODES.has(err.name);
  }
  const e = err as { code?: string; name?: string };
  return e.name === 'TimeoutError' || (e.code !== undefined && RETRYABLE_CODES.has(e.code));
}

/**
 * GET, PUT, HEAD and DELETE of one object, signed with SigV4 and sent over a keep-alive agent.
 * A 2xx answer resolves with its unread body; any other status rejects with an
 * S3ServiceException (`$metadata.httpStatusCode`, the S3 error code as its name), except 404
 * when `allowNotFound` is set, which resolves so the caller can say "absent".
 */
export class SignedObjectRequests {
  private target: Promise<Target> | null = null;
  private agent: http.Agent | null = null;

  constructor(
    private readonly client: S3Client,
    private readonly settings: StorageSettings,
  ) {}

  async send(spec: RequestSpec, allowNotFound = false): Promise<SignedResponse> {
    const target = await this.resolveTarget();
    for (let attempt = 1; ; attempt++) {
      try {
        const res = await this.once(target, spec);
        const status = res.statusCode ?? 0;
        if ((status >= 200 && status < 300) || (status === 404 && allowNotFound)) {
          return { status, headers: res.headers, body: res };
        }
        const err = await s3Error(res, attempt);
        if (attempt < MAX_ATTEMPTS && this.correctedClock(err, res.headers.date)) continue;
        throw err;
      } catch (err) {
        if (attempt >= MAX_ATTEMPTS || !retryable(err)) throw withMetadata(err as Error, attempt);
        // The SDK's standard strategy: full jitter over 100 ms x 2^(attempt - 1).
        await sleep(Math.random() * 100 * 2 ** (attempt - 1));
      }
    }
  }

  destroy(): void {
    this.agent?.destroy();
  }

  /**
   * A refusal for the request's date, from an S3 whose clock (its Date header) is over five
   * minutes from ours: sign with S3's time from now on, as the SDK does (the offset is the
   * client's, shared with its own requests). True when the request is worth sending again.
   */
  private correctedClock(err: S3ServiceException, serverDate: string | undefined): boolean {
    if (!CLOCK_SKEW_CODES.has(err.name) || !serverDate) return false;
    const server = Date.parse(serverDate);
    const config = this.client.config;
    if (Number.isNaN(server) || Math.abs(server - (Date.now() + config.systemClockOffset)) < MAX_SKEW_MS)
      return false;
    config.systemClockOffset = server - Date.now();
    return true;
  }

  /**
   * Where the bucket's objects are and how to sign for them, from the SDK's own endpoint rules
   * (path or virtual-hosted style, AWS or a custom endpoint, FIPS and dual-stack as configured),
   * once. Directory buckets (S3 Express) sign another way: refused with a sentence.
   */
  private resolveTarget(): Promise<Target> {
    this.target ??= (async () => {
      const config = this.client.config;
      const endpoint = config.endpointProvider({
        Bucket: this.settings.bucket,
        Region: this.settings.region,
        ForcePathStyle: this.settings.forcePathStyle,
        Endpoint: this.settings.endpoint,
        UseFIPS: await config.useFipsEndpoint(),
        UseDualStack: await config.useDualstackEndpoint(),
        Accelerate: false,
      });
      const scheme = endpoint.properties?.authSchemes?.[0] as
        | { name?: string; signingRegion?: string }
        | undefined;
      if (scheme?.name && scheme.name !== 'sigv4') {
        throw new Error(
          `The bucket ${this.settings.bucket} asks for ${scheme.name} signing (an S3 Express directory bucket?): ` +
            'dermafleet stores objects in general purpose buckets.',
        );
      }
      const base = new URL(endpoint.url.href.endsWith('/') ? endpoint.url.href : `${endpoint.url.href}/`);
      const transport = base.protocol === 'https:' ? https : http;
      // The SDK's own handler defaults: keep-alive, 50 sockets per host.
      this.agent = new transport.Agent({ keepAlive: true, maxSockets: 50 });
      const signer = new SignatureV4({
        service: 's3',
        region: scheme?.signingRegion ?? this.settings.region,
        credentials: config.credentials,
        sha256: config.sha256,
        // S3 signs the path as sent (each segment escaped once, by encodeKey), never re-escaped.
        uriEscapePath: false,
        applyChecksum: false,
      });
      return { base, transport, agent: this.agent, signer };
    })();
    return this.target;
  }

  private async once(target: Target, spec: RequestSpec): Promise<IncomingMessage> {
    const { base, transport, agent, signer } = target;
    const path = `${base.pathname}${encodeKey(spec.key)}`;
    const headers: Record<string, string> = {
      host: base.host,
      'x-amz-content-sha256': spec.body
        ? (spec.bodySha256 ?? createHash('sha256').update(spec.body).digest('hex'))
        : EMPTY_SHA256,
      ...spec.headers,
    };
    if (spec.body) headers['content-length'] = String(spec.body.length);
    const signed = await signer.sign(
      {
        method: spec.method,
        protocol: base.protocol,
        hostname: base.hostname,
        port: base.port ? Number(base.port) : undefined,
        path,
        query: {},
        headers,
      },
      { signingDate: new Date(Date.now() + this.client.config.systemClockOffset) },
    );
    return await new Promise<IncomingMessage>((resolve, reject) => {
      const req = transport.request(
        {
          agent,
          method: spec.method,
          protocol: base.protocol,
          hostname: base.hostname,
          port: base.port || undefined,
          path,
          headers: signed.headers,
        },
        resolve,
      );
      req.on('error', reject);
      // The same two bounds as the SDK's handler: a connection within connectTimeoutMs, then no
      // socket idle longer than requestTimeoutMs (a stalled answer or body fails, never hangs).
      const connectMs = this.settings.connectTimeoutMs ?? 3000;
      req.on('socket', (socket) => {
        if (!socket.connecting) return;
        const timer = setTimeout(
          () => req.destroy(timeoutError(`S3 did not accept a connection within ${connectMs} ms.`)),
          connectMs,
        );
        socket.once('connect', () => clearTimeout(timer));
        socket.once('close', () => clearTimeout(timer));
      });
      const requestMs = this.settings.requestTimeoutMs ?? 30_000;
      req.setTimeout(requestMs, () => req.destroy(timeoutError(`S3 did not answer within ${requestMs} ms.`)));
      req.end(spec.body);
    });
  }
}
