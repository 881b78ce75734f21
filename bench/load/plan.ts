// A load script's plan: JSON in argv[2], or `@FILE` naming a file that holds it (a plan with
// thousands of tokens is larger than one argument may be: spawn fails with E2BIG).
import { readFileSync } from 'node:fs';

export function readPlan<T>(): T {
  const arg = process.argv[2]!;
  return JSON.parse(arg.startsWith('@') ? readFileSync(arg.slice(1), 'utf8') : arg) as T;
}
