import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ApiException } from './api-exception';

/** Requests as the API sees them (Fastify's): the raw body (what the signature covers) and its parsed JSON. */
export interface ApiRequest {
  readonly headers: IncomingHttpHeaders;
  readonly method: string;
  /** The path with its query, as sent. */
  readonly url: string;
  readonly socket: { remoteAddress?: string };
  rawBody?: string;
  body?: unknown;
  auth?: { accountId: number; keyId: string; scopes: string[] };
}

/** Bodies past the limit are read (and thrown away) up to this much, so the client gets the 413. */
const DRAIN_LIMIT_BYTES = 32 * 1024 * 1024;
const JSON_TYPE = /^application\/json\s*(;|$)/i;

const tooLarge = (maxBodyBytes: number) =>
  ApiException.of('PAYLOAD_TOO_LARGE', `the body exceeds ${maxBodyBytes} bytes`);

/**
 * Reads a body itself so that the signature is checked over the exact bytes sent and every body
 * error has the API's code: PAYLOAD_TOO_LARGE, UNSUPPORTED_MEDIA_TYPE, MALFORMED_JSON. Only JSON
 * objects and arrays are bodies; an empty body is none.
 */
function readBody(
  req: ApiRequest,
  payload: IncomingMessage,
  maxBodyBytes: number,
  done: (err: Error | null, body?: unknown) => void,
): void {
  const declared = Number(req.headers['content-length'] ?? 0);
  const chunks: Buffer[] = [];
  let size = 0;
  let over = declared > maxBodyBytes;
  const onData = (chunk: Buffer) => {
    size += chunk.length;
    if (size > maxBodyBytes) over = true;
    if (size > DRAIN_LIMIT_BYTES) {
      payload.off('data', onData).off('end', onEnd);
      done(tooLarge(maxBodyBytes));
      payload.destroy(); // stop reading: the connection goes
      return;
    }
    if (!over) chunks.push(chunk);
  };
  const onEnd = () => {
    if (over) return done(tooLarge(maxBodyBytes));
    const raw = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
    req.rawBody = raw;
    if (raw === '') return done(null, undefined);
    if (!JSON_TYPE.test(req.headers['content-type'] ?? ''))
      return done(ApiException.of('UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json'));
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch (err) {
      return done(ApiException.of('MALFORMED_JSON', `the body is not valid JSON: ${(err as Error).message}`));
    }
    done(null, body);
  };
  payload
    .on('data', onData)
    .on('end', onEnd)
    .on('error', () => undefined);
}

/**
 * The API's only body parser, for every content type (Fastify's own parsers are removed; Nest's are
 * off): bodies are read by readBody. JSON is registered by name too, so that Fastify finds (and
 * caches) the parser of the usual content type without a fallback search.
 */
export function useRawBodyParser(app: NestFastifyApplication, maxBodyBytes: number): void {
  const fastify = app.getHttpAdapter().getInstance();
  // the same shape for every request object (the guard sets auth, this parser rawBody)
  fastify.decorateRequest('rawBody', undefined);
  fastify.decorateRequest('auth', undefined);
  fastify.removeAllContentTypeParsers();
  const parser = (
    req: unknown,
    payload: IncomingMessage,
    done: (err: Error | null, body?: unknown) => void,
  ) => readBody(req as ApiRequest, payload, maxBodyBytes, done);
  fastify.addContentTypeParser('application/json', parser);
  fastify.addContentTypeParser('*', parser);
}
