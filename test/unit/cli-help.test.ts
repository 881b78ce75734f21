// `herald help` lists every flag of every command, from the same tables the parser uses.
import { describe, expect, it } from 'vitest';
import { FLAGS, USAGE } from '../../compiler/cli.js';

/** The help text of one command: its line and the indented lines after it. */
function block(command: string): string {
  const lines = USAGE.split('\n');
  const at = lines.findIndex((l) => new RegExp(`^  ${command}\\b`).test(l));
  if (at < 0) return '';
  const out = [lines[at]!];
  for (const l of lines.slice(at + 1)) {
    if (!/^ {4,}/.test(l)) break;
    out.push(l);
  }
  return out.join('\n');
}

describe('herald help', () => {
  for (const [command, flags] of Object.entries(FLAGS)) {
    it(`lists every flag of ${command}`, () => {
      const text = block(command);
      expect(text, `no help for ${command}`).not.toBe('');
      for (const flag of Object.keys(flags)) expect(text, `--${flag} of ${command}`).toContain(`--${flag}`);
    });
  }
});
