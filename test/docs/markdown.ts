/**
 * Reading the project's Markdown documentation for the docs tests: the files, their
 * fenced code blocks with the HTML comment that may annotate each one, and their
 * headings' anchors (as GitHub makes them).
 */
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from '../helpers/serve-process.js';

/** README.md, every Markdown file under docs/ and examples/README.md, as paths relative to the root. */
export function docFiles(): string[] {
  const files = ['README.md'];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      const rel = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(rel);
      else if (entry.name.endsWith('.md')) files.push(rel);
    }
  };
  walk('docs');
  files.push('examples/README.md');
  return files.sort();
}

export function readDoc(file: string): string {
  return fs.readFileSync(path.join(ROOT, file), 'utf8');
}

/** One fenced code block. */
export interface CodeBlock {
  readonly lang: string;
  readonly code: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  /** The text of an `<!-- … -->` comment on the line just above the fence, if any. */
  readonly annotation?: string;
}

export function codeBlocks(markdown: string): CodeBlock[] {
  const lines = markdown.split('\n');
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(`{3,})(\S*)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const fence = open[1]!;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i] !== fence; i++) body.push(lines[i]!);
    const above = /^<!--\s*(.*?)\s*-->$/.exec(lines[start - 1] ?? '');
    blocks.push({ lang: open[2]!, code: `${body.join('\n')}\n`, line: start + 1, ...(above && { annotation: above[1] }) });
  }
  return blocks;
}

/** Markdown without its fenced code blocks and inline code spans (where links are not links). */
export function prose(markdown: string): string {
  return markdown.replace(/^(`{3,})[^\n]*\n[\s\S]*?^\1\s*$/gm, '').replace(/`[^`\n]*`/g, '');
}

/** The anchors of a file's headings, as GitHub generates them (duplicates get -1, -2, …). */
export function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const match of prose(markdown).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const slug = match[1]!
      .toLowerCase()
      .replace(/<[^>]+>/g, '')
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    out.add(n === 0 ? slug : `${slug}-${n}`);
  }
  for (const match of markdown.matchAll(/<a\s+(?:name|id)="([^"]+)"/g)) out.add(match[1]!);
  return out;
}

/** Shell commands of `sh` blocks, with backslash-continued lines joined and comments dropped. */
export function shellCommands(code: string): string[] {
  return code
    .replace(/\\\n\s*/g, '')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}
