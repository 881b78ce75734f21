// Random rule sets and notifications for the compiled ≡ interpreted property: every JSONPath
// construct, type and plugin, hostile names, and data built from the same names so paths hit.
import fc from 'fast-check';
import YAML from 'yaml';
import { PyFloat, type PyValue } from '../../runtime/semantics/pyvalue.js';
import { dumpPyJson } from '../../runtime/semantics/pyjson.js';

/** Keys used both in paths and in the data, hostile ones included. */
const KEYS = ['a', 'b', 'id', 'payload', '__proto__', 'constructor', 'toString', "x'y", 'q"t', '*/', '${x}', 'l\u2028s', '0', '7'];
const ID_KEYS = KEYS.filter((k) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(k));

/** A field name as JSONPath text: bare when it can be, quoted otherwise. */
function fieldText(k: string): string {
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) return k;
  return k.includes("'") ? `"${k}"` : `'${k}'`;
}

/** Common keys most of the time, so that paths and data meet; hostile ones often enough. */
const key = fc.oneof({ weight: 4, arbitrary: fc.constantFrom('a', 'b', 'payload') }, { weight: 1, arbitrary: fc.constantFrom(...KEYS) });
const name = key.map(fieldText);
const idName = fc.constantFrom(...ID_KEYS);

/** JSONPath text, built from the dialect's constructs. */
export const pathText: fc.Arbitrary<string> = fc.letrec<{ path: string; step: string }>((tie) => ({
  step: fc.oneof(
    { weight: 6, arbitrary: name },
    { weight: 1, arbitrary: fc.constant('*') },
    { weight: 1, arbitrary: fc.tuple(name, name).map(([x, y]) => `[${x},${y}]`) },
  ),
  path: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 8, arbitrary: tie('step') },
    { weight: 6, arbitrary: fc.tuple(tie('path'), tie('step')).map(([p, s]) => (s.startsWith('[') ? `${p}${s}` : `${p}.${s}`)) },
    { weight: 1, arbitrary: tie('path').map((p) => `$.${p}`) },
    { weight: 1, arbitrary: fc.tuple(tie('path'), fc.integer({ min: -2, max: 2 })).map(([p, i]) => `${p}[${i}]`) },
    { weight: 1, arbitrary: fc.tuple(tie('path'), fc.constantFrom('[*]', '[1:]', '[:1]', '[-1:]')).map(([p, s]) => `${p}${s}`) },
    { weight: 1, arbitrary: fc.tuple(tie('path'), name).map(([p, n]) => `${p}..${n}`) },
    { weight: 1, arbitrary: fc.tuple(tie('path'), tie('path')).map(([p, q]) => `(${p})|(${q})`) },
    { weight: 1, arbitrary: fc.tuple(tie('path'), tie('path')).map(([p, q]) => `${p} where ${q}`) },
    { weight: 1, arbitrary: tie('path').map((p) => `${p}.\`parent\``) },
    { weight: 1, arbitrary: tie('path').map((p) => `${p}.\`this\``) },
    { weight: 1, arbitrary: tie('path').map((p) => `${p}.\`len\``) },
    {
      weight: 1,
      arbitrary: fc.tuple(tie('path'), fc.constantFrom('.`sorted`', '[/', '[\\'), idName).map(([p, form, n]) => (form === '.`sorted`' ? `${p}${form}` : `${p}${form}${n}]`)),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(tie('path'), idName, fc.constantFrom('', ' = 1', ' = 1.0', ' != 2', ' > 1', ' <= 2.5', " = 'x'", ' = true', " ~ 'a.*'", ' = x'))
        .map(([p, n, cond]) => `${p}[?${n}${cond}]`),
    },
    { weight: 1, arbitrary: fc.tuple(tie('path'), fc.constantFrom('-', '.', ' '), fc.integer({ min: -1, max: 2 }), fc.integer({ min: -1, max: 1 })).map(([p, c, s, m]) => `${p}.\`split(${c}, ${s}, ${m})\``) },
    { weight: 1, arbitrary: fc.tuple(tie('path'), fc.constantFrom('/a/, b', '/[0-9]+/, N', '/^x/, ')).map(([p, a]) => `${p}.\`sub(${a})\``) },
    { weight: 1, arbitrary: fc.tuple(tie('path'), fc.constantFrom('+', '-', '*'), fc.oneof(tie('path'), fc.constantFrom('1', '2.5', '3'))).map(([p, op, q]) => `${p} ${op} ${q}`) },
  ),
})).path;

const TYPES = ['text', 'int', 'float', 'datetime', 'none'] as const;

const plugin: fc.Arbitrary<Map<string, unknown> | null> = fc.oneof(
  { weight: 6, arbitrary: fc.constant(null) },
  fc.tuple(fc.constantFrom('-', '.', null), fc.integer({ min: -1, max: 2 }), fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined })).map(
    ([separator, segment, maxSplit]) =>
      new Map<string, unknown>([
        ['name', 'split'],
        ['parameters', new Map<string, unknown>([['separator', separator], ['segment', segment], ...(maxSplit === undefined ? [] : [['max_split', maxSplit] as [string, unknown]])])],
      ]),
  ),
  fc.tuple(fc.integer({ min: 0, max: 3 }), fc.array(fc.tuple(pathText, fc.integer({ min: 0, max: 40 }), fc.option(fc.constantFrom('x', 1, true), { nil: undefined })), { maxLength: 3 })).map(
    ([initial, flags]) =>
      new Map<string, unknown>([
        ['name', 'bitfield'],
        [
          'parameters',
          new Map<string, unknown>([
            ['initial_bitfield', initial],
            ['flags', flags.map(([path, bit, value]) => new Map<string, unknown>([['path', path], ['bit', bit], ...(value === undefined ? [] : [['value', value] as [string, unknown]])]))],
          ]),
        ],
      ]),
  ),
  fc.constant(new Map<string, unknown>([['name', 'timedelta']])),
  fc.tuple(fc.boolean(), fc.constantFrom(null, 'dflt', 0)).map(
    ([caseSensitive, dflt]) =>
      new Map<string, unknown>([
        ['name', 'map'],
        [
          'parameters',
          new Map<string, unknown>([
            ['values', new Map<string, unknown>([['x', 'X'], ['A', 1], ['1', 'one']])],
            ['case_sensitive', caseSensitive],
            ['default', dflt],
          ]),
        ],
      ]),
  ),
);

const trait = fc.record({
  fields: fc.oneof({ weight: 3, arbitrary: pathText }, { weight: 1, arbitrary: fc.array(pathText, { minLength: 1, maxLength: 3 }) }, { weight: 1, arbitrary: fc.constantFrom(5, true) }),
  type: fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 2, arbitrary: fc.constantFrom<(typeof TYPES)[number]>('text', 'int') }, { weight: 1, arbitrary: fc.constantFrom(...TYPES) }),
  plugin,
});

const PATTERNS = ['a.b', 'a.*', '*', '!a.c', 'a.?', '[ab].*', 'b.x', '*.x', '!*.x', 'x', "q'uote*", '__proto__'];
const EVENT_TYPES = ['a.b', 'a.c', 'b.x', 'x', '', 'q\'uote.x', '__proto__'];

const definition = fc.record({
  eventType: fc.oneof(fc.constantFrom(...PATTERNS), fc.uniqueArray(fc.constantFrom(...PATTERNS), { minLength: 1, maxLength: 3 })),
  traits: fc.uniqueArray(fc.tuple(fc.constantFrom(...KEYS, 'service', 'tenant_id'), trait), { maxLength: 5, selector: ([n]) => n }),
});

/** The rules as YAML text (what a failing case prints). */
export const rulesYaml: fc.Arbitrary<string> = fc.array(definition, { minLength: 1, maxLength: 4 }).map((defs) =>
  YAML.stringify(
    defs.map(
      (d) =>
        new Map<string, unknown>([
          ['event_type', d.eventType],
          [
            'traits',
            new Map(
              d.traits.map(([n, t]) => [
                n,
                new Map<string, unknown>([['fields', t.fields], ...(t.type ? [['type', t.type] as [string, unknown]] : []), ...(t.plugin ? [['plugin', t.plugin] as [string, unknown]] : [])]),
              ]),
            ),
          ],
        ]),
    ),
  ),
);

const scalar: fc.Arbitrary<PyValue> = fc.oneof(
  fc.constant(null),
  fc.constant(''),
  fc.boolean(),
  fc.integer({ min: -3, max: 40 }),
  fc.constantFrom<PyValue>(2n ** 64n, -(2n ** 70n), 9007199254740993n),
  fc.constantFrom<PyValue>(1.5, new PyFloat(2), -0.25, new PyFloat(0), 1e300),
  fc.constantFrom('42', '4.2', '1e3', ' 7 ', '0x10', '-3', '1_000', 'nan', 'inf'),
  fc.constantFrom('2024-01-02T03:04:05Z', '2013-08-08 21:06:37.803826+05:30', '2024-13-01', '2020-02-30T00:00:00', 'not a date', '', '2024-01-02T03:04:05.1234567', '20240102'),
  fc.constantFrom('x', 'X', 'A', 'a', 'one', 'a-b-c', 'x.y.z', 'aa11', 'compute.host-1', ''),
);

export const value: fc.Arbitrary<PyValue> = fc.letrec<{ v: PyValue }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 4, arbitrary: scalar },
    { weight: 1, arbitrary: fc.array(tie('v'), { maxLength: 3 }) },
    { weight: 2, arbitrary: fc.uniqueArray(fc.tuple(key, tie('v')), { maxLength: 5, selector: ([k]) => k }).map((es) => new Map(es)) },
  ),
})).v;

const mapOf = (keys: fc.Arbitrary<string>) => fc.uniqueArray(fc.tuple(keys, value), { maxLength: 5, selector: ([k]) => k }).map((es) => new Map<string, PyValue>(es));

/** A notification in the converter's five-key shape, as JSON text. */
export const notificationJson: fc.Arbitrary<string> = fc
  .record({
    eventType: fc.oneof({ weight: 19, arbitrary: fc.constantFrom<PyValue>(...EVENT_TYPES) }, { weight: 1, arbitrary: fc.constantFrom<PyValue>(null, 3) }),
    publisher: fc.constantFrom<PyValue>('compute.host-1', 'x', 5, null),
    payload: fc.oneof({ weight: 5, arbitrary: mapOf(key) }, { weight: 1, arbitrary: value }),
    ctxt: mapOf(fc.constantFrom('request_id', 'project_id', 'user_id', 'a')),
    timestamp: fc.oneof({ weight: 9, arbitrary: fc.constantFrom<PyValue>('2013-08-08 21:06:37.803826', '2024-01-02T03:04:05Z') }, { weight: 1, arbitrary: fc.constantFrom<PyValue>('bad', null) }),
    // The converter's body keeps extra top-level keys: let paths hit at the root too.
    extra: mapOf(key.filter((k) => k !== 'payload')),
    priority: fc.oneof({ weight: 6, arbitrary: fc.constantFrom('info', 'error') }, { weight: 1, arbitrary: fc.constantFrom('warn', 'INFO') }),
  })
  .map((n) =>
    dumpPyJson(
      new Map<string, PyValue>([
        ...n.extra,
        ['event_type', n.eventType],
        ['publisher_id', n.publisher],
        ['payload', n.payload],
        ['ctxt', n.ctxt],
        ['priority', n.priority],
        ['metadata', new Map<string, PyValue>([['message_id', 'm-1'], ['timestamp', n.timestamp]])],
      ]),
    ),
  );

/** A Python string literal for any text (everything outside printable ASCII escaped). */
export function pyStr(s: string): string {
  let out = "'";
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '\\' || ch === "'") out += '\\' + ch;
    else if (c >= 0x20 && c < 0x7f) out += ch;
    else out += c > 0xffff ? '\\U' + c.toString(16).padStart(8, '0') : '\\u' + c.toString(16).padStart(4, '0');
  }
  return out + "'";
}

/** Trait names a template may read: declared ones (KEYS), defaults, and some nobody produces. */
const DECLARED_REFS = KEYS.map((k) => `@traits.${k}`);
const DEFAULT_REFS = ['@traits.service', '@traits.user_id', '@traits.project_id', '@traits.request_id', '@traits.tenant_id', '@event_type', '@message_id', '@generated'];

const templateLeaf: fc.Arbitrary<string> = fc.oneof(
  // Default traits exist in every definition; a declared name is an error wherever no reachable
  // definition declares it, so those are rarer (most lists must compile).
  { weight: 6, arbitrary: fc.constantFrom(...DEFAULT_REFS).map(pyStr) },
  { weight: 1, arbitrary: fc.constantFrom(...DECLARED_REFS).map(pyStr) },
  { weight: 1, arbitrary: fc.constantFrom('@@traits.user_id', '@@', 'STATES', '', '__proto__', 'l\u2028s', "x'y", '*/', '${x}').map(pyStr) },
  { weight: 1, arbitrary: fc.constantFrom('None', 'True', 'False', '0', '-7', '1.0', '2.5e-3', '18446744073709551616', '0x1F', '1_000', '-0.0') },
);

/** A template as Python literal text: dicts, lists, tuples, references and literals. */
const templateText: fc.Arbitrary<string> = fc.letrec<{ t: string }>((tie) => ({
  t: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 4, arbitrary: templateLeaf },
    { weight: 1, arbitrary: fc.array(tie('t'), { maxLength: 3 }).map((xs) => `[${xs.join(', ')}]`) },
    { weight: 1, arbitrary: fc.array(tie('t'), { maxLength: 3 }).map((xs) => `(${xs.join(', ')}${xs.length === 1 ? ',' : ''})`) },
    { weight: 1, arbitrary: fc.uniqueArray(fc.tuple(fc.constantFrom(...KEYS), tie('t')), { maxLength: 3, selector: ([k]) => k }).map((es) => `{${es.map(([k, v]) => `${pyStr(k)}: ${v}`).join(', ')}}`) },
  ),
})).t;

/** An address value: ids (strings, references, '@@' escapes, prefixed look-alikes) or a list of them. */
const addressLeaf = fc.constantFrom('@traits.user_id', '@traits.project_id', '@traits.tenant_id', '@event_type', 'u1', 'project:p1', '@@x', '').map(pyStr);
const addressValue: fc.Arbitrary<string> = fc.oneof({ weight: 3, arbitrary: addressLeaf }, { weight: 1, arbitrary: fc.array(addressLeaf, { maxLength: 3 }).map((xs) => `[${xs.join(', ')}]`) });

/** Typed addressing: users (`toid`), projects (`toproject`), or both; at least one. */
const addresses: fc.Arbitrary<Array<[string, string]>> = fc.oneof(
  addressValue.map((v): Array<[string, string]> => [['toid', v]]),
  addressValue.map((v): Array<[string, string]> => [['toproject', v]]),
  fc.tuple(addressValue, addressValue).map(([u, p]): Array<[string, string]> => [['toid', u], ['toproject', p]]),
);

const transformerEntry = fc.record({
  eventType: fc.oneof(fc.constantFrom(...PATTERNS), fc.uniqueArray(fc.constantFrom(...PATTERNS), { minLength: 1, maxLength: 3 })),
  addresses,
  message: templateText,
  extra: fc.uniqueArray(fc.tuple(fc.constantFrom('message_event', 'message_type', ...KEYS), templateText), { maxLength: 3, selector: ([k]) => k }),
});

/** settings.ini text with a random [NOTIFY_MANAGER] transformer list. */
export const settingsIni: fc.Arbitrary<string> = fc.array(transformerEntry, { minLength: 1, maxLength: 4 }).map((entries) => {
  const lines = entries.map((e) => {
    const et = typeof e.eventType === 'string' ? pyStr(e.eventType) : `[${e.eventType.map(pyStr).join(', ')}]`;
    const traits = [...e.addresses, ...e.extra.filter(([k]) => k !== 'toid' && k !== 'toproject' && k !== 'message'), ['message', e.message]].map(([k, v]) => `${pyStr(k!)}: ${v}`).join(', ');
    return `    {'event_type': ${et}, 'event_define': {'event_type': 'websocket.send', 'traits': {${traits}}}},`;
  });
  return `[NOTIFY_MANAGER]\ntransformer = [\n${lines.join('\n')}\n  ]\n`;
});
