// Command-line flags for every `herald` command: node:util parseArgs underneath, but a mistake
// gets Herald's own one-line message (exit 2), naming the command's flags.
import { parseArgs, type ParseArgsConfig } from 'node:util';

export class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>;

function flagList(options: Options): string {
  return Object.entries(options)
    .map(([name, o]) => (o.type === 'string' ? `--${name} ${name.toUpperCase()}` : `--${name}`))
    .join(', ');
}

/** The parsed flags of `herald <command>`; a UsageError for an unknown flag or a missing or stray value. */
export function parseFlags<O extends Options>(command: string, args: string[], options: O) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch (e) {
    const code = (e as { code?: string }).code ?? '';
    if (!code.startsWith('ERR_PARSE_ARGS')) throw e;
    const named = /'([^']+)'/.exec((e as Error).message)?.[1] ?? '';
    const flag = named.split(/[ =]/)[0]!;
    const known = flagList(options);
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new UsageError(`herald ${command}: unknown flag ${flag}; its flags: ${known}`);
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') throw new UsageError(`herald ${command}: unexpected argument '${named}'; its flags: ${known}`);
    const option = options[flag.replace(/^-+/, '')];
    throw new UsageError(option?.type === 'boolean' ? `herald ${command}: ${flag} takes no value` : `herald ${command}: ${flag} needs a value`);
  }
}

/** A whole number of at least `min`, or a UsageError naming the flag. */
export function integerFlag(command: string, flag: string, text: string, min: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < min) throw new UsageError(`herald ${command}: ${flag} must be a whole number of at least ${min}, not '${text}'`);
  return n;
}
