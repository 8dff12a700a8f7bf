/** The signed-in user (GET /api/v1/auth/me), shared by every page through TanStack Query. */
import { useQuery } from '@tanstack/react-query';
import { api, ApiError } from '../api/client';
import { me, type Role } from '../api/schemas';

export function useSession() {
  return useQuery({
    queryKey: ['me'],
    queryFn: async () => {
      try {
        return await api(me, '/api/v1/auth/me');
      } catch (e) {
        if (e instanceof ApiError && e.status === 401) return null;
        throw e;
      }
    },
    staleTime: 60_000,
    retry: false,
  });
}

export function useRoles(): Role[] {
  return useSession().data?.user.roles ?? [];
}

export function can(roles: Role[], ...any: Role[]): boolean {
  return roles.some((r) => any.includes(r));
}
