/**
 * The first screen's JavaScript stays small: what dist/web/index.html loads (its entry and
 * the chunks it preloads) is at most 300 KB gzip-compressed, while the editor (CodeMirror)
 * and the charts are chunks of their own, loaded when their screens open.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/serve-process.js';

const WEB = path.join(ROOT, 'dist/web');

describe('the web UI bundle', () => {
  it('loads at most 300 KB of compressed JavaScript on the first screen, without the editor', () => {
    const index = fs.readFileSync(path.join(WEB, 'index.html'), 'utf8');
    const first = [...index.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map((m) => m[1]!);
    expect(first.length).toBeGreaterThan(0);
    const bytes = first.reduce((sum, file) => sum + zlib.gzipSync(fs.readFileSync(path.join(WEB, file))).length, 0);
    expect(bytes).toBeLessThanOrEqual(300 * 1024);
    // CodeMirror is not among them: its chunk is the hook editor's.
    const loaded = first.map((file) => fs.readFileSync(path.join(WEB, file), 'utf8')).join('\n');
    expect(loaded).not.toContain('cm-content');
    const editor = fs.readdirSync(path.join(WEB, 'assets')).find((f) => f.startsWith('hook-editor-') && f.endsWith('.js'));
    expect(editor && fs.readFileSync(path.join(WEB, 'assets', editor), 'utf8')).toContain('cm-content');
  });
});
