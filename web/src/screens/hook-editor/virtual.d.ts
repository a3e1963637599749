declare module 'virtual:ctx-members' {
  import type { CtxMember } from '../../../ctx-members';
  const members: Record<'pull' | 'push' | 'pre' | 'post' | 'inbound', CtxMember[]>;
  export default members;
}
