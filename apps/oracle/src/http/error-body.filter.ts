import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { ErrorBody } from './oracle-error';

interface Reply {
  status(code: number): Reply;
  send(body: unknown): void;
}

/**
 * Every error of the oracle app answers { code, message, field? }: our own errors pass as they are;
 * what the framework raises before a handler runs (unparsable JSON, a body over the limit, an
 * unknown route) gets a stable code too; anything else is a 500 with code INTERNAL (and a log line).
 */
@Catch()
export class ErrorBodyFilter implements ExceptionFilter {
  private readonly logger = new Logger('OracleHttp');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<Reply>();
    const [status, body] = this.describe(exception);
    reply.status(status).send(body);
  }

  private describe(exception: unknown): [number, ErrorBody] {
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      if (typeof response === 'object' && response !== null && 'code' in response)
        return [status, response as ErrorBody];
      if (status === 400) return [status, { code: 'MALFORMED_BODY', message: exception.message }];
      if (status === 413) return [status, { code: 'BODY_TOO_LARGE', message: exception.message }];
      if (status === 404) return [status, { code: 'NOT_FOUND', message: exception.message }];
      return [status, { code: `HTTP_${status}`, message: exception.message }];
    }
    // what Fastify's body parser raises carries its status
    const err = exception as { statusCode?: number; message?: string };
    if (err?.statusCode === 413)
      return [413, { code: 'BODY_TOO_LARGE', message: 'the body is larger than the server accepts' }];
    if (err?.statusCode === 400 || err?.statusCode === 415)
      return [400, { code: 'MALFORMED_BODY', message: err.message ?? 'unparsable body' }];
    this.logger.error({ msg: 'unhandled error', error: String(exception) });
    return [500, { code: 'INTERNAL', message: 'internal error' }];
  }
}
