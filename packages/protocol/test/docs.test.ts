import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CLIENT_FRAME_TYPES, ERROR_CODES, SERVER_FRAME_TYPES } from '../src/index.ts';

const doc = readFileSync(new URL('../../../docs/protocol.md', import.meta.url), 'utf8');

describe('docs/protocol.md', () => {
  it('documents every client and server frame type with a heading and a JSON example', () => {
    const missing = [...CLIENT_FRAME_TYPES, ...SERVER_FRAME_TYPES].filter((t) => {
      const at = doc.indexOf(`### \`${t}\``);
      if (at < 0) return true;
      const next = doc.indexOf('\n### ', at + 4);
      const section = doc.slice(at, next < 0 ? undefined : next);
      return !section.includes('```json') || !section.includes(`"type": "${t}"`);
    });
    expect(missing).toEqual([]);
  });

  it('lists every error code of the error table', () => {
    expect(ERROR_CODES.filter((c) => !doc.includes(`| \`${c}\` |`))).toEqual([]);
  });
});
