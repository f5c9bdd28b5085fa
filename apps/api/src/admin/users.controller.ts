/**
 * Dashboard user accounts of the caller's tenant (admin scope): create (with a password given or
 * generated and shown once), list (never a hash), disable (which ends the user's sessions at
 * once). Another tenant's user ids answer 404.
 */
import {
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Post,
  Req,
  UseGuards,
} from '@nestjs/common';
import { z } from 'zod';
import { createUserRequestSchema, type CreatedUser, type User } from '@silhouette/contracts';
import {
  generatePassword,
  hashPassword,
  UserExistsError,
  UserRepository,
  type UserInfo,
} from '@silhouette/db';
import type { ApiDeps } from '../api-deps';
import { AuthGuard, RequireScopes, type AuthenticatedRequest } from '../auth/auth.guard';
import { ApiError, notFound } from '../common/api-error';
import { readJsonBody } from '../common/read-body';
import { API_DEPS } from '../tokens';

const uuidParam = z.uuid();

export function userView(user: UserInfo): User {
  return {
    id: user.id,
    email: user.email,
    scope: user.scope,
    created_at: user.createdAt.toISOString(),
    last_sign_in_at: user.lastSignInAt?.toISOString() ?? null,
    disabled_at: user.disabledAt?.toISOString() ?? null,
  };
}

@Controller('v1/admin/users')
@UseGuards(AuthGuard)
export class UsersController {
  constructor(@Inject(API_DEPS) private readonly deps: ApiDeps) {}

  @Get()
  @RequireScopes('admin')
  async list(@Req() request: AuthenticatedRequest): Promise<{ users: User[] }> {
    const users = await new UserRepository(this.deps.db).list(request.auth!.tenantId);
    return { users: users.map(userView) };
  }

  @Post()
  @RequireScopes('admin')
  async create(@Req() request: AuthenticatedRequest): Promise<CreatedUser> {
    const body = await readJsonBody(request, createUserRequestSchema);
    const password = body.password ?? generatePassword();
    try {
      const user = await new UserRepository(this.deps.db).create(
        request.auth!.tenantId,
        body.email,
        body.scope,
        await hashPassword(password),
      );
      return {
        ...userView(user),
        ...(body.password === undefined
          ? { password, note: 'store this password now: it is not shown again' }
          : {}),
      };
    } catch (error) {
      if (error instanceof UserExistsError)
        throw new ApiError(409, 'user_exists', error.message, 'email');
      throw error;
    }
  }

  @Delete(':id')
  @RequireScopes('admin')
  @HttpCode(204)
  async disable(@Req() request: AuthenticatedRequest, @Param('id') id: string): Promise<void> {
    if (!uuidParam.safeParse(id).success) throw notFound('user');
    const disabled = await new UserRepository(this.deps.db).disable(request.auth!.tenantId, id);
    if (!disabled) throw notFound('user');
  }
}
