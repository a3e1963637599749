/**
 * A Vite plugin: `virtual:ctx-members` is the tree of `ctx` members per hook type, read
 * with the TypeScript compiler from types/hookyard.d.ts when the UI is built. The editor
 * completes `ctx.` from it, so completion follows the types hook authors import.
 */
import path from 'node:path';
import ts from 'typescript';
import type { Plugin } from 'vite';

/** One completable member. */
export interface CtxMember {
  readonly name: string;
  readonly kind: 'property' | 'method';
  /** Its type as TypeScript prints it. */
  readonly detail: string;
  readonly doc: string;
  readonly members: readonly CtxMember[];
}

const CTX_OF_TYPE = { pull: 'PullCtx', push: 'PushCtx', pre: 'PreCtx', post: 'PostCtx', inbound: 'InboundCtx' } as const;
const VIRTUAL = 'virtual:ctx-members';

function membersOf(checker: ts.TypeChecker, type: ts.Type, depth: number): CtxMember[] {
  if (depth > 3) return [];
  const apparent = checker.getNonNullableType(type);
  // Plain JSON values, strings and records have no members worth offering.
  if (apparent.flags & (ts.TypeFlags.StringLike | ts.TypeFlags.NumberLike | ts.TypeFlags.BooleanLike) || apparent.isUnion()) return [];
  return checker.getPropertiesOfType(apparent).map((symbol) => {
    const declaration = symbol.valueDeclaration ?? symbol.declarations?.[0];
    const memberType = checker.getTypeOfSymbol(symbol);
    const isMethod = !!declaration && (ts.isMethodSignature(declaration) || ts.isMethodDeclaration(declaration));
    return {
      name: symbol.name,
      kind: isMethod ? 'method' : 'property',
      detail: checker.typeToString(memberType, undefined, ts.TypeFormatFlags.NoTruncation),
      doc: ts.displayPartsToString(symbol.getDocumentationComment(checker)),
      members: isMethod ? [] : membersOf(checker, memberType, depth + 1),
    } satisfies CtxMember;
  });
}

/** The member tree of each hook type's ctx, read from `dtsFile`. */
export function readCtxMembers(dtsFile: string): Record<keyof typeof CTX_OF_TYPE, CtxMember[]> {
  // Only the ES library: the d.ts needs Promise and Record, not the DOM.
  const program = ts.createProgram([dtsFile], { noEmit: true, strict: true, lib: ['lib.es2022.d.ts'], types: [] });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(dtsFile)!;
  const found = new Map<string, ts.InterfaceDeclaration>();
  const visit = (node: ts.Node) => {
    if (ts.isInterfaceDeclaration(node)) found.set(node.name.text, node);
    ts.forEachChild(node, visit);
  };
  visit(source);
  const out = {} as Record<keyof typeof CTX_OF_TYPE, CtxMember[]>;
  for (const [hookType, name] of Object.entries(CTX_OF_TYPE) as [keyof typeof CTX_OF_TYPE, string][]) {
    const declaration = found.get(name);
    if (!declaration) throw new Error(`${dtsFile} has no interface ${name}`);
    out[hookType] = membersOf(checker, checker.getTypeAtLocation(declaration), 0);
  }
  return out;
}

export function ctxMembers(dtsFile = path.resolve(import.meta.dirname, '../types/hookyard.d.ts')): Plugin {
  return {
    name: 'hookyard-ctx-members',
    resolveId: (id) => (id === VIRTUAL ? `\0${VIRTUAL}` : undefined),
    load(id) {
      if (id !== `\0${VIRTUAL}`) return undefined;
      this.addWatchFile(dtsFile);
      return `export default ${JSON.stringify(readCtxMembers(dtsFile))};`;
    },
  };
}
