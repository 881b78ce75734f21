// Issue 3, acceptance 4: rule text that would break naive code generation (quotes, backslashes,
// comment terminators, template openers, U+2028, prototype names) compiles to code that
// behaves like the interpreter, type-checks, and touches no prototype.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { loadDefinitions } from '../../compiler/check/definitions.js';
import { interpreter } from '../../compiler/interpret/decode.js';
import { emitDecoders } from '../../compiler/emit/decoders.js';
import { compileInMemory } from '../../compiler/emit/load.js';
import { typeCheckGenerated } from '../../compiler/emit/typecheck.js';
import { DiagnosticBag } from '../../compiler/diagnostics.js';
import { compiledMatcher } from '../../runtime/decode/rt.js';
import { decodeInput } from '../../runtime/semantics/event.js';
import { parsePyJson } from '../../runtime/semantics/pyjson.js';
import { ROOT } from '../helpers.js';
import { loadSettings } from '../../compiler/check/settings.js';
import { emitTransformers } from '../../compiler/emit/transformers.js';
import { compileTransformsInMemory } from '../../compiler/emit/load.js';
import { interpretTransform } from '../../compiler/interpret/transform.js';
import { compiledTransformer } from '../../runtime/transform/rt.js';
import { pyStr } from '../property/arbitraries.js';

const NASTY = `q'uo"te\\\\back*/\${x}\u2028__proto__`;

// Every hostile fragment appears in an event_type pattern, a JSONPath and a trait name.
const yaml = `
- event_type: ["evil.*/\${x}*", "!evil.*/\${x}.skip", "__proto__"]
  traits:
    "__proto__":
      fields: payload.__proto__
    "constructor":
      fields: payload.constructor.toString
    "*/ \${alert(1)} \\u2028 \\" '":
      fields: "payload.'*/ \${x}'"
    "back\\\\slash":
      fields: "payload.\\"q'uote\\""
    "sep\\u2028line":
      fields: "payload.'line\\u2028sep'"
      type: int
    "mapped":
      fields: payload.__proto__
      plugin:
        name: map
        parameters:
          values: {"*/": "end", "\${x}": "template", "__proto__": "proto"}
          default: "none\\u2029"
`;

const notification = JSON.stringify({
  event_type: 'evil.*/${x}.go',
  publisher_id: 'compute.host',
  // A computed key: `{ __proto__: … }` in a literal would set the prototype instead.
  payload: { ['__proto__']: '__proto__', constructor: { toString: 'ctor' }, '*/ ${x}': 'comment', "q'uote": NASTY, 'line\u2028sep': '42' },
  ctxt: {},
  metadata: { message_id: 'm', timestamp: '2024-01-02T03:04:05Z' },
});

describe('hostile rule text', () => {
  const { rules, diagnostics } = loadDefinitions('hostile.yaml', yaml);

  it('loads', () => {
    expect(diagnostics.items.filter((d) => d.severity === 'error')).toEqual([]);
    expect(rules!.definitions[0]!.included).toContain('evil.*/${x}*');
  });

  it('compiles to code that decodes like the interpreter, every hostile value intact', () => {
    const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();
    const input = parsePyJson(notification);
    const want = decodeInput(interpreter(rules!), input);
    const got = decodeInput(compiledMatcher(compileInMemory(rules!)), input);
    expect(got).toStrictEqual(want);
    expect(got.kind).toBe('event');
    const traits = got.kind === 'event' ? Object.fromEntries(got.event.traits.map((t) => [t.name, t.value])) : {};
    expect(traits).toMatchObject({
      constructor: 'ctor',
      '*/ ${alert(1)} \u2028 " \'': 'comment',
      'back\\slash': NASTY,
      'sep\u2028line': 42,
      mapped: 'proto',
    });
    expect(Object.getOwnPropertyDescriptor(traits, '__proto__')?.value).toBe('__proto__');
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeKeys);
    expect(Object.getPrototypeOf(traits)).toBe(Object.prototype);
  });

  it('an excluded hostile event type falls to the built-in catch-all in both', () => {
    const input = parsePyJson(notification.replace('evil.*/${x}.go', 'evil.*/${x}.skip'));
    const got = decodeInput(compiledMatcher(compileInMemory(rules!)), input);
    expect(got).toStrictEqual(decodeInput(interpreter(rules!), input));
    expect(got.kind === 'event' && got.event.traits.map((t) => t.name)).not.toContain('mapped');
  });

  it('emits rule text only as escaped literals and one-line comments', () => {
    const { text } = emitDecoders(rules!, { runtimeImport: '../runtime/decode/rt.js' });
    expect(text).not.toMatch(/[\u2028\u2029]/);
    // No comment is closed early and no template literal is opened by rule text.
    for (const line of text.split('\n')) {
      if (line.trimStart().startsWith('//')) expect(line).not.toContain('*/');
      expect(line).not.toContain('`${');
    }
    // The hostile trait name is present, as one escaped string literal.
    expect(text).toContain('"*/ ${alert(1)} \\u2028 \\" \'"');
  });

  it('type-checks', () => {
    const { text, functions } = emitDecoders(rules!, { runtimeImport: '../runtime/decode/rt.js' });
    const bag = new DiagnosticBag();
    typeCheckGenerated([{ path: join(ROOT, 'generated', 'hostile-check.ts'), text, functions }], bag);
    expect(bag.items.map((d) => d.message)).toEqual([]);
  });

  // The same hostile names read by a transformer, and used as its keys and literals.
  const hostileNames = ['__proto__', 'constructor', `*/ \${alert(1)} \u2028 " '`, 'back\\slash', 'sep\u2028line', 'mapped'];
  const ini = `[NOTIFY_MANAGER]
transformer = [
    {'event_type': ${pyStr('evil.*/${x}*')}, 'event_define': {'event_type': 'websocket.send', 'traits': {
        'toid': '@traits.user_id', ${pyStr('__proto__')}: ${pyStr(NASTY)},
        'message': {${hostileNames.map((n) => `${pyStr(n)}: ${pyStr('@traits.' + n)}`).join(', ')}, ${pyStr('*/${x}')}: [${pyStr('@@' + NASTY)}]}}}},
  ]
`;
  const settings = loadSettings('hostile.ini', ini, rules!).settings;

  it('transformers over hostile names load, type-check and run like the interpreter', () => {
    expect(settings).not.toBeNull();
    const decoders = emitDecoders(rules!, { runtimeImport: '../runtime/decode/rt.js' });
    const transformers = emitTransformers(rules!, settings!, { runtimeImport: '../runtime/transform/rt.js', decodersImport: './decoders.js' });
    const bag = new DiagnosticBag();
    typeCheckGenerated(
      [
        { path: join(ROOT, 'generated', 'decoders.ts'), text: decoders.text, functions: decoders.functions },
        { path: join(ROOT, 'generated', 'transformers.ts'), text: transformers.text, functions: transformers.functions },
      ],
      bag,
    );
    expect(bag.items.map((d) => d.message)).toEqual([]);
    const protoKeys = Object.getOwnPropertyNames(Object.prototype).sort();
    const r = decodeInput(interpreter(rules!), parsePyJson(notification));
    expect(r.kind).toBe('event');
    if (r.kind !== 'event') return;
    const want = interpretTransform(settings!.transformers, r.event);
    const got = compiledTransformer(compileTransformsInMemory(rules!, settings!))(r.event);
    expect(got).toStrictEqual(want);
    const message = (got[0]!.traits as Map<string, unknown>).get('message') as Map<string, unknown>;
    expect(message.get('__proto__')).toBe('__proto__');
    expect(message.get('*/${x}')).toEqual(['@' + NASTY]);
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(protoKeys);
  });
});
