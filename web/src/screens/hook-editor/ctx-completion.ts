/**
 * Completion of `ctx.` members (and their members: `ctx.http.`, `ctx.event.`…) for the
 * hook's type, from the member tree read out of types/hookyard.d.ts at build time.
 */
import type { CompletionContext, CompletionResult, CompletionSource } from '@codemirror/autocomplete';
import members from 'virtual:ctx-members';
import type { HookType } from '../../api/client';
import type { CtxMember } from '../../../ctx-members';

/** The completion source for a hook of `type`. */
export function ctxCompletion(type: HookType): CompletionSource {
  const root: readonly CtxMember[] = members[type];
  return (context: CompletionContext): CompletionResult | null => {
    const match = context.matchBefore(/\bctx(?:\??\.[A-Za-z_$][\w$]*)*\??\.[A-Za-z_$]*$/);
    if (!match) return null;
    const parts = match.text.split(/\??\./);
    const typed = parts.pop()!;
    let level = root;
    for (const name of parts.slice(1)) {
      const next = level.find((member) => member.name === name);
      if (!next) return null;
      level = next.members;
    }
    if (level.length === 0) return null;
    return {
      from: match.to - typed.length,
      options: level.map((member) => ({
        label: member.name,
        type: member.kind,
        detail: member.detail.length > 60 ? `${member.detail.slice(0, 57)}…` : member.detail,
        info: member.doc || undefined,
      })),
      validFor: /^[\w$]*$/,
    };
  };
}
