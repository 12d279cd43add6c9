import { Inject, Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AUTH_HEADER, type Scope } from '@exchange/client';
import type { ApiRequest } from '../http/raw-body';
import { Authenticator } from './authenticator';

/** Who may call a route: anyone (rate-limited per address), anyone unlimited ('open'), or a key with a scope. */
export type Access = 'open' | 'public' | Scope;
const ACCESS = 'api:access';
export const Access = (access: Access) => SetMetadata(ACCESS, access);

export const AUTHENTICATOR = Symbol('AUTHENTICATOR');

const header = (req: ApiRequest, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

export function clientAddress(req: { socket: { remoteAddress?: string } }): string {
  return req.socket.remoteAddress ?? 'unknown';
}

/** Authenticates signed routes, checks their scope and applies the rate limits. */
@Injectable()
export class AuthGuard implements CanActivate {
  /** Each route's access, read from its metadata once. */
  private readonly accessByHandler = new WeakMap<object, Access>();

  constructor(
    private readonly reflector: Reflector,
    @Inject(AUTHENTICATOR) private readonly auth: Authenticator,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const access = this.accessOf(ctx);
    const req = ctx.switchToHttp().getRequest<ApiRequest>();
    if (access === 'open') return true;
    if (access === 'public') {
      this.auth.limit('public', clientAddress(req));
      return true;
    }
    const principal = await this.auth.authenticate({
      keyId: header(req, AUTH_HEADER.key),
      timestamp: header(req, AUTH_HEADER.timestamp),
      signature: header(req, AUTH_HEADER.signature),
      recvWindow: header(req, AUTH_HEADER.recvWindow),
      method: req.method,
      path: req.url,
      body: req.rawBody ?? '',
    });
    this.auth.requireScope(principal, access);
    this.auth.limit('key', principal.keyId);
    req.auth = principal;
    return true;
  }

  private accessOf(ctx: ExecutionContext): Access {
    const handler = ctx.getHandler();
    let access = this.accessByHandler.get(handler);
    if (access === undefined) {
      access =
        this.reflector.getAllAndOverride<Access | undefined>(ACCESS, [handler, ctx.getClass()]) ?? 'public';
      this.accessByHandler.set(handler, access);
    }
    return access;
  }
}
