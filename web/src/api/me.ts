/** The signed-in key: its role and organisation (`GET /v1/me`). */
import { useQuery } from '@tanstack/react-query';
import { api, type Role } from './client';
import { unwrap } from './errors';

export const useMe = () => useQuery({ queryKey: ['me'], queryFn: async () => unwrap(await api.GET('/v1/me')), staleTime: 60_000 });

const RANK: Record<Role, number> = { viewer: 0, editor: 1, admin: 2 };

/** Whether `role` includes `needed`. */
export const roleAllows = (role: Role | undefined, needed: Role): boolean => role !== undefined && RANK[role] >= RANK[needed];

/** Whether the signed-in key has at least `needed`. */
export function useCan(needed: Role): boolean {
  return roleAllows(useMe().data?.role, needed);
}
