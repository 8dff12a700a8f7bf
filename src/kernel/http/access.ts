/**
 * Route access, declared beside each route (`config: { access }`) and enforced before
 * validation; services check again. Every /api and /metrics route must declare it.
 *   public        anyone, no credentials (health, docs)
 *   roles: [...]  signed-in users holding one of the roles
 *   apps: true    also (or only, with no roles) signed app requests
 */
import type { Role } from './context.js';

export interface Access {
  public?: boolean;
  roles?: readonly Role[];
  apps?: boolean;
}

export const ALL_ROLES: readonly Role[] = ['admin', 'officer', 'consumer', 'auditor'];

export const access = {
  public: { public: true } as Access,
  anyUser: { roles: ALL_ROLES } as Access,
  roles: (...roles: Role[]): Access => ({ roles }),
  apps: { apps: true } as Access,
};

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
    /**
     * Read-only app routes whose handler records exactly one audit entry through the batched writer
     * before answering: the request's nonce is recorded with that entry (one write, not two). A
     * replay is then refused when its entry is written — before any data leaves. A call refused
     * before its entry (no grant, over its rate) records no nonce either; its replay is refused the
     * same way.
     */
    nonceWithAudit?: boolean;
  }
}
