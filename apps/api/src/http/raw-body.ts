import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorBody } from '@exchange/client';
import { sendError } from './error.filter';

/** Requests as the API sees them: the raw body (what the signature covers) and its parsed JSON. */
export interface ApiRequest extends IncomingMessage {
  rawBody?: string;
  body?: unknown;
  originalUrl?: string;
  ip?: string;
  auth?: { accountId: number; keyId: string; scopes: string[] };
}

/** Bodies past the limit are read (and thrown away) up to this much, so the client gets the 413. */
const DRAIN_LIMIT_BYTES = 32 * 1024 * 1024;

/**
 * Reads the body itself (Nest's parsers are off) so that the signature is checked over the exact
 * bytes sent and every body error has the API's code: PAYLOAD_TOO_LARGE, UNSUPPORTED_MEDIA_TYPE,
 * MALFORMED_JSON. Only JSON objects and arrays are bodies; an empty body is none.
 */
export function rawBodyMiddleware(maxBodyBytes: number) {
  return (req: ApiRequest, res: ServerResponse, next: () => void): void => {
    const declared = Number(req.headers['content-length'] ?? 0);
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = declared > maxBodyBytes;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBodyBytes) tooLarge = true;
      if (size > DRAIN_LIMIT_BYTES) {
        res.setHeader('Connection', 'close');
        sendError(res, 413, errorBody('PAYLOAD_TOO_LARGE', `the body exceeds ${maxBodyBytes} bytes`));
        req.destroy();
        return;
      }
      if (!tooLarge) chunks.push(chunk);
    });
    req.on('error', () => undefined);
    req.on('end', () => {
      if (tooLarge) {
        sendError(res, 413, errorBody('PAYLOAD_TOO_LARGE', `the body exceeds ${maxBodyBytes} bytes`));
        return;
      }
      const raw = Buffer.concat(chunks).toString('utf8');
      req.rawBody = raw;
      if (raw === '') {
        req.body = undefined;
        next();
        return;
      }
      const type = String(req.headers['content-type'] ?? '');
      if (!/^application\/json\s*(;|$)/i.test(type)) {
        sendError(res, 415, errorBody('UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json'));
        return;
      }
      try {
        req.body = JSON.parse(raw);
      } catch (err) {
        sendError(
          res,
          400,
          errorBody('MALFORMED_JSON', `the body is not valid JSON: ${(err as Error).message}`),
        );
        return;
      }
      next();
    });
  };
}
