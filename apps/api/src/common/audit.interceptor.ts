/**
 * After authentication: records every authenticated request in the audit log (who, what, when).
 * The entry holds the route and query parameters, never a body.
 */
import {
  Inject,
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { from, lastValueFrom, type Observable } from 'rxjs';
import { AuditLogRepository } from '@silhouette/db';
import type { ApiDeps } from '../api-deps';
import type { AuthenticatedRequest } from '../auth/auth.guard';
import { API_DEPS } from '../tokens';

@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(@Inject(API_DEPS) private readonly deps: ApiDeps) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const route = (request.route as { path?: string } | undefined)?.path ?? request.path;
    return from(this.handle(request, route, next));
  }

  private async handle(
    request: AuthenticatedRequest,
    route: string,
    next: CallHandler,
  ): Promise<unknown> {
    if (request.auth) {
      await new AuditLogRepository(this.deps.db).record({
        tenantId: request.auth.tenantId,
        actor: request.auth.actor,
        action: `${request.method} ${route}`,
        resource: request.path,
        details: { query: request.query, scope: request.auth.scope },
      });
    }
    return lastValueFrom(next.handle(), { defaultValue: undefined });
  }
}
