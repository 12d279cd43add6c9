import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { errorBody, type ErrorBody } from '@exchange/client';
import { ApiException } from './api-exception';

/** Sends an error body; `Retry-After` in whole seconds when given. */
export function sendError(res: ServerResponse, status: number, body: ErrorBody, retryAfterS?: number): void {
  sendJson(res, status, body, retryAfterS === undefined ? {} : { 'Retry-After': String(retryAfterS) });
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.statusCode = status;
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

/** Every error, whatever threw it, leaves as `{ code, message, field? }`. */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('Api');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<ServerResponse>();
    if (exception instanceof ApiException) {
      sendError(res, exception.status, exception.body, exception.retryAfterS);
      return;
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const code =
        status === 404
          ? 'NOT_FOUND'
          : status === 413
            ? 'PAYLOAD_TOO_LARGE'
            : status >= 500
              ? 'INTERNAL'
              : 'VALIDATION_FAILED';
      sendError(res, status, errorBody(code, status === 404 ? 'no such resource' : exception.message));
      return;
    }
    this.logger.error({
      msg: 'unexpected error',
      error: exception instanceof Error ? exception.stack : String(exception),
    });
    sendError(res, 500, errorBody('INTERNAL'));
  }
}
