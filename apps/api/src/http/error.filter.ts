import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { errorBody, type ErrorBody, type ErrorCode } from '@exchange/client';
import { ApiException } from './api-exception';

/** The part of Fastify's reply the API answers errors with. */
export interface Reply {
  readonly sent: boolean;
  code(status: number): Reply;
  header(name: string, value: string): Reply;
  send(payload: string): unknown;
}

/** Sends an error body; `Retry-After` in whole seconds when given. */
export function sendError(reply: Reply, status: number, body: ErrorBody, retryAfterS?: number): void {
  if (reply.sent) return;
  if (retryAfterS !== undefined) reply.header('Retry-After', String(retryAfterS));
  reply.code(status).header('Content-Type', 'application/json; charset=utf-8').send(JSON.stringify(body));
}

/** The code of an error the framework raised before a handler ran (no route, a body it refused). */
function frameworkCode(status: number): ErrorCode {
  if (status === 404) return 'NOT_FOUND';
  if (status === 413) return 'PAYLOAD_TOO_LARGE';
  if (status === 415) return 'UNSUPPORTED_MEDIA_TYPE';
  return status >= 500 ? 'INTERNAL' : 'VALIDATION_FAILED';
}

/** An error the framework raised before a handler ran, with the API's body. */
export function sendFrameworkError(reply: Reply, status: number, message: string): void {
  sendError(reply, status, errorBody(frameworkCode(status), status === 404 ? 'no such resource' : message));
}

/** Every error, whatever threw it, leaves as `{ code, message, field? }`. */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('Api');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<Reply>();
    if (exception instanceof ApiException) {
      sendError(reply, exception.status, exception.body, exception.retryAfterS);
      return;
    }
    if (exception instanceof HttpException) {
      sendFrameworkError(reply, exception.getStatus(), exception.message);
      return;
    }
    this.logger.error({
      msg: 'unexpected error',
      error: exception instanceof Error ? exception.stack : String(exception),
    });
    sendError(reply, 500, errorBody('INTERNAL'));
  }
}
