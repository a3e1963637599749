/**
 * Every relative link in README.md and docs/ points to a file of the project (and to a
 * heading of it, when it names an anchor); nothing the project ships refers to the
 * team's own notes outside the repository.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { ROOT } from '../helpers/serve-process.js';
import { anchors, docFiles, prose, readDoc } from './markdown.js';

interface Link {
  readonly file: string;
  readonly target: string;
}

function linksOf(file: string): Link[] {
  const text = prose(readDoc(file));
  const targets = [
    ...[...text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]!),
    ...[...text.matchAll(/^\[[^\]]+\]:\s*(\S+)/gm)].map((m) => m[1]!),
  ];
  return targets.map((target) => ({ file, target }));
}

const files = docFiles();
const relative = files.flatMap(linksOf).filter((l) => !/^[a-z][a-z0-9+.-]*:/i.test(l.target));

describe('documentation links', () => {
  test('the docs exist and link to each other', () => {
    for (const page of ['getting-started', 'hooks', 'data-model', 'api', 'operations', 'security']) {
      expect(files).toContain(`docs/${page}.md`);
    }
    expect(relative.length).toBeGreaterThan(20);
  });

  test.each(relative.map((l) => [`${l.file} → ${l.target}`, l] as const))('%s resolves', (_name, link) => {
    const [pathPart, anchor] = link.target.split('#') as [string, string | undefined];
    const resolved = pathPart === '' ? path.join(ROOT, link.file) : path.resolve(path.dirname(path.join(ROOT, link.file)), decodeURI(pathPart));
    expect(resolved.startsWith(ROOT + path.sep), `${link.target} leaves the repository`).toBe(true);
    expect(fs.existsSync(resolved), `${resolved} does not exist`).toBe(true);
    if (anchor !== undefined && resolved.endsWith('.md')) {
      expect([...anchors(fs.readFileSync(resolved, 'utf8'))]).toContain(anchor);
    }
  });

  test.each([...files, 'types/hookyard.d.ts', ...fs.readdirSync(path.join(ROOT, 'examples/hooks')).map((f) => `examples/hooks/${f}`), 'examples/mock-hr/server.js'])(
    '%s does not refer to notes outside the project',
    (file) => {
      const text = readDoc(file);
      expect(text).not.toMatch(/\.\.\/shared|SPEC\.md|DESIGN\.md|SPEC §|§\d/);
    },
  );
});
