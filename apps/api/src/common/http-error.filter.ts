import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { BodyError, IngestLimitError, TenantNotReadyError } from '@silhouette/ingest';
import type { Logger } from '@silhouette/telemetry';
import { ApiError } from './api-error';

interface ErrorBody {
  error: { code: string; message: string; field?: string; limit?: string; max?: number };
}

/** Maps every error to a JSON body. Unknown errors become a 500 that reveals nothing internal. */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const { status, body, headers } = this.describe(exception);
    if (status >= 500) this.logger.error({ err: exception }, 'request failed');
    for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
    response.status(status).json(body);
  }

  private describe(exception: unknown): {
    status: number;
    body: ErrorBody;
    headers: Record<string, string>;
  } {
    if (exception instanceof ApiError) {
      return {
        status: exception.status,
        body: {
          error: {
            code: exception.code,
            message: exception.message,
            ...(exception.field ? { field: exception.field } : {}),
          },
        },
        headers: exception.headers,
      };
    }
    if (exception instanceof IngestLimitError) {
      return {
        status: 413,
        body: {
          error: {
            code: exception.code,
            message: exception.message,
            field: exception.field,
            limit: exception.limit,
            max: exception.max,
          },
        },
        headers: {},
      };
    }
    if (exception instanceof BodyError) {
      return {
        status: 400,
        body: {
          error: {
            code: 'invalid_body',
            message: `${exception.field} ${exception.message}`,
            field: exception.field,
          },
        },
        headers: {},
      };
    }
    if (exception instanceof TenantNotReadyError) {
      return {
        status: 409,
        body: { error: { code: exception.code, message: exception.message } },
        headers: {},
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const code =
        status === 404 ? 'not_found' : status === 405 ? 'method_not_allowed' : 'http_error';
      return {
        status,
        body: { error: { code, message: status === 404 ? 'no such route' : exception.message } },
        headers: {},
      };
    }
    return {
      status: 500,
      body: {
        error: {
          code: 'internal',
          message: 'internal error; the operator has been notified in the logs',
        },
      },
      headers: {},
    };
  }
}
