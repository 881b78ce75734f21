// The committed WebAssembly scanner is the one its AssemblyScript source compiles to.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { WASM_MODULE, wasmModuleText } from '../../bundle/wasm.js';

describe('runtime/wire/scan/oslo-scan.wasm.ts', () => {
  it('is fresh: `npm run wasm` would write the same module', async () => {
    expect(readFileSync(WASM_MODULE, 'utf8'), 'run `npm run wasm` and commit the result').toBe(await wasmModuleText());
  }, 60_000);
});
