#!/usr/bin/python3
"""Regenerate test/golden/int-float-cases.jsonl with the real Ceilometer converter.

Every case is one definitions file and one notification whose outcome depends on Python's
int/float distinction (str() of a float vs an int, int()/float() conversions, plugin results).
The notification is kept as raw JSON text so number spellings (1.0, 1e2, -0) reach both
converters unchanged.

    /usr/bin/python3 test/golden/make-int-float-cases.py > test/golden/int-float-cases.jsonl

Needs python3-ceilometer (Debian) and ../shared/tools/ceilo_ref.py.
"""
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CEILO_REF = os.path.join(HERE, '..', '..', '..', 'shared', 'tools', 'ceilo_ref.py')


def note(payload, event_type='t.e'):
    return ('{"event_type": "%s", "metadata": {"message_id": "m-1", '
            '"timestamp": "2020-01-01 00:00:00"}, "payload": %s, '
            '"publisher_id": "svc.host-1"}' % (event_type, payload))


def trait(spec):
    return '- event_type: t.e\n  traits:\n    v: %s\n' % spec


T0 = '"a": "2000-01-01T00:00:00", '
CASES = [
    # group, title, yaml, notification text
    ('timedelta', 'whole seconds as text: str() of a float',
     trait('{fields: [payload.a, payload.b], plugin: timedelta}'),
     note('{"a": "1990-01-01T00:00:00", "b": "2017-10-10T16:03:14"}')),
    ('timedelta', 'fractional seconds as text',
     trait('{fields: [payload.a, payload.b], plugin: timedelta}'),
     note('{"a": "2020-01-01T00:00:00", "b": "2020-01-01T00:00:00.5"}')),
    ('timedelta', 'zero delta as text',
     trait('{fields: [payload.a, payload.b], plugin: timedelta}'),
     note('{"a": "2020-01-01T00:00:00", "b": "2020-01-01T00:00:00"}')),
    ('timedelta', 'microsecond delta as text (repr exponent)',
     trait('{fields: [payload.a, payload.b], plugin: timedelta}'),
     note('{"a": "2020-01-01T00:00:00", "b": "2020-01-01T00:00:00.000001"}')),
    ('timedelta', 'reversed order gives abs(); type int',
     trait('{fields: [payload.b, payload.a], plugin: timedelta, type: int}'),
     note('{' + T0 + '"b": "2000-01-02T00:00:01.9"}')),
    ('timedelta', 'type float',
     trait('{fields: [payload.a, payload.b], plugin: timedelta, type: float}'),
     note('{' + T0 + '"b": "2000-01-02T00:00:00"}')),
    ('timedelta', 'type none keeps the float spelling',
     trait('{fields: [payload.a, payload.b], plugin: timedelta, type: none}'),
     note('{' + T0 + '"b": "2000-01-02T00:00:00"}')),
    ('timedelta', 'type datetime from a float: conversion error drops the message',
     trait('{fields: [payload.a, payload.b], plugin: timedelta, type: datetime}'),
     note('{' + T0 + '"b": "2000-01-02T00:00:00"}')),
    ('timedelta', 'offsets are applied before subtracting',
     trait('{fields: [payload.a, payload.b], plugin: timedelta}'),
     note('{"a": "2020-01-01T00:00:00+01:00", "b": "2020-01-01T00:00:00Z"}')),
    ('timedelta', 'one match only: no trait',
     trait('{fields: [payload.a, payload.b], plugin: timedelta}'),
     note('{' + T0 + '"c": 1}')),
    ('timedelta', 'a number instead of a date: plugin swallows it, no trait',
     trait('{fields: [payload.a, payload.b], plugin: timedelta}'),
     note('{"a": 1, "b": 2.0}')),
    ('text', 'integral JSON float keeps .0',
     trait('payload.x'), note('{"x": 1.0}')),
    ('text', 'exponent JSON number is a float',
     trait('payload.x'), note('{"x": 1e2}')),
    ('text', 'upper-case exponent with sign',
     trait('payload.x'), note('{"x": 25E-1}')),
    ('text', 'negative zero float',
     trait('payload.x'), note('{"x": -0.0}')),
    ('text', 'negative zero int',
     trait('payload.x'), note('{"x": -0}')),
    ('text', 'float at 1e16 switches to exponent',
     trait('payload.x'), note('{"x": 10000000000000000.0}')),
    ('text', 'float just below 1e16 stays positional',
     trait('payload.x'), note('{"x": 9999999999999998.0}')),
    ('text', 'small float switches to exponent below 1e-4',
     trait('payload.x'), note('{"x": 0.00001}')),
    ('text', 'float 0.0001 stays positional',
     trait('payload.x'), note('{"x": 0.0001}')),
    ('text', 'overflowing JSON float is inf',
     trait('payload.x'), note('{"x": 1e400}')),
    ('text', 'JSON NaN literal',
     trait('payload.x'), note('{"x": NaN}')),
    ('text', 'JSON -Infinity literal',
     trait('payload.x'), note('{"x": -Infinity}')),
    ('text', 'int beyond 2^53 keeps every digit',
     trait('payload.x'), note('{"x": 9007199254740993}')),
    ('text', 'shortest repr digits',
     trait('payload.x'), note('{"x": 0.30000000000000004}')),
    ('text', 'floats inside a dict repr',
     trait('payload.x'), note('{"x": {"a": 1.0, "b": 2, "c": 1e16, "d": [0.5, -0.0, true]}}')),
    ('text', 'bool is True, not 1',
     trait('payload.x'), note('{"x": true}')),
    ('int', 'int() of an integral float',
     trait('{fields: payload.x, type: int}'), note('{"x": 3.0}')),
    ('int', 'int() truncates toward zero',
     trait('{fields: payload.x, type: int}'), note('{"x": -3.9}')),
    ('int', 'int() of a huge float is exact',
     trait('{fields: payload.x, type: int}'), note('{"x": 1e300}')),
    ('int', 'int() of an exponent number',
     trait('{fields: payload.x, type: int}'), note('{"x": 1e2}')),
    ('int', 'int() of -0.0',
     trait('{fields: payload.x, type: int}'), note('{"x": -0.0}')),
    ('int', 'int() of a float string fails',
     trait('{fields: payload.x, type: int}'), note('{"x": "1.0"}')),
    ('int', 'int() of NaN fails',
     trait('{fields: payload.x, type: int}'), note('{"x": NaN}')),
    ('int', 'int() of Infinity fails',
     trait('{fields: payload.x, type: int}'), note('{"x": Infinity}')),
    ('int', 'int() of a bool',
     trait('{fields: payload.x, type: int}'), note('{"x": true}')),
    ('int', 'int() of a padded string with underscores',
     trait('{fields: payload.x, type: int}'), note('{"x": " 1_000 "}')),
    ('float', 'float() of an int prints .0',
     trait('{fields: payload.x, type: float}'), note('{"x": 7}')),
    ('float', 'float() of a bool',
     trait('{fields: payload.x, type: float}'), note('{"x": false}')),
    ('float', 'float() of an int beyond 2^53 rounds',
     trait('{fields: payload.x, type: float}'), note('{"x": 9007199254740993}')),
    ('float', 'float() of a too-large int overflows',
     trait('{fields: payload.x, type: float}'), note('{"x": 1' + '0' * 400 + '}')),
    ('float', 'float() of an exponent string',
     trait('{fields: payload.x, type: float}'), note('{"x": "1e3"}')),
    ('float', 'float() of "inf"',
     trait('{fields: payload.x, type: float}'), note('{"x": "-inf"}')),
    ('datetime', 'a number is not a datetime',
     trait('{fields: payload.x, type: datetime}'), note('{"x": 1577836800}')),
    ('datetime', 'a float is not a datetime',
     trait('{fields: payload.x, type: datetime}'), note('{"x": 1577836800.5}')),
    ('split', 'split plugin over a float',
     trait('{fields: payload.x, plugin: {name: split, parameters: {separator: ".", segment: 1}}}'),
     note('{"x": 1.0}')),
    ('split', 'split plugin over an exponent float',
     trait('{fields: payload.x, plugin: {name: split, parameters: {separator: "+", segment: 1}}}'),
     note('{"x": 1e16}')),
    ('split', 'split plugin over an int, type int',
     trait('{fields: payload.x, type: int, plugin: {name: split, parameters: {separator: "0", segment: -1}}}'),
     note('{"x": 1203}')),
    ('split', 'split plugin over a bool',
     trait('{fields: payload.x, plugin: {name: split, parameters: {separator: "u", segment: 0}}}'),
     note('{"x": true}')),
    ('split', 'split plugin, type float',
     trait('{fields: payload.x, type: float, plugin: {name: split, parameters: {separator: "/", segment: 1}}}'),
     note('{"x": "a/2"}')),
    ('bitfield', 'bitfield as text is an int spelling',
     trait('{fields: [payload.a, payload.b], plugin: {name: bitfield, parameters: {initial_bitfield: 1, flags: [{path: payload.a, bit: 2}, {path: payload.b, bit: 3, value: 1}]}}}'),
     note('{"a": 0, "b": 1.0}')),
    ('bitfield', 'bitfield value 1 matches True',
     trait('{fields: payload.b, type: int, plugin: {name: bitfield, parameters: {flags: [{path: payload.b, bit: 1, value: 1}]}}}'),
     note('{"b": true}')),
    ('bitfield', 'bitfield as float',
     trait('{fields: payload.a, type: float, plugin: {name: bitfield, parameters: {flags: [{path: payload.a, bit: 4}]}}}'),
     note('{"a": 1}')),
    ('bitfield', 'bit given as a float is int()-ed',
     trait('{fields: payload.a, type: int, plugin: {name: bitfield, parameters: {flags: [{path: payload.a, bit: 2.0}]}}}'),
     note('{"a": 1}')),
    ('bitfield', 'bit given as a string is int()-ed',
     trait('{fields: payload.a, type: int, plugin: {name: bitfield, parameters: {flags: [{path: payload.a, bit: "3"}]}}}'),
     note('{"a": 1}')),
    ('bitfield', 'float initial_bitfield, no flag set: stays a float',
     trait('{fields: payload.a, plugin: {name: bitfield, parameters: {initial_bitfield: 2.0, flags: [{path: payload.z, bit: 1}]}}}'),
     note('{"a": 1}')),
    ('bitfield', 'float initial_bitfield, a flag set: TypeError drops the message',
     trait('{fields: payload.a, plugin: {name: bitfield, parameters: {initial_bitfield: 2.0, flags: [{path: payload.a, bit: 1}]}}}'),
     note('{"a": 1}')),
    ('bitfield', 'bool initial_bitfield, no flag set: text True',
     trait('{fields: payload.a, plugin: {name: bitfield, parameters: {initial_bitfield: true}}}'),
     note('{"a": 1}')),
    ('bitfield', 'bool initial_bitfield or-ed with a bit is an int',
     trait('{fields: payload.a, plugin: {name: bitfield, parameters: {initial_bitfield: true, flags: [{path: payload.a, bit: 2}]}}}'),
     note('{"a": 1}')),
    ('bitfield', 'high bit gives an int beyond 2^53',
     trait('{fields: payload.a, plugin: {name: bitfield, parameters: {flags: [{path: payload.a, bit: 70}]}}}'),
     note('{"a": 1}')),
    ('const', 'int constant as text',
     trait('{fields: 5}'), note('{}')),
    ('const', 'int constant as float',
     trait('{fields: 5, type: float}'), note('{}')),
    ('const', 'YAML 1.1 yes is True',
     trait('{fields: yes}'), note('{}')),
    ('const', 'YAML 1.1 yes as int',
     trait('{fields: yes, type: int}'), note('{}')),
    ('const', 'YAML 1.1 hex constant',
     trait('{fields: 0x1F}'), note('{}')),
    ('const', 'YAML 1.1 octal constant',
     trait('{fields: 017}'), note('{}')),
    ('const', 'YAML 1.1 sexagesimal constant',
     trait('{fields: "1:30", type: int}'), note('{}')),
    ('const', 'YAML 1.1 sexagesimal constant, plain',
     trait('{fields: 1:30}'), note('{}')),
    ('const', 'underscore int constant as float',
     trait('{fields: 1_000, type: float}'), note('{}')),
    ('const', 'int constant as datetime drops the message',
     trait('{fields: 5, type: datetime}'), note('{}')),
    ('const', 'float constant is a load error',
     trait('{fields: 1.5}'), note('{}')),
    ('const', 'integral float constant is a load error too',
     trait('{fields: 2.0}'), note('{}')),
    ('jsonpath', 'len() is an int',
     trait('{fields: "payload.l.`len`"}'), note('{"l": [1.0, 2.0]}')),
    ('jsonpath', 'filter with an int literal coerces with int()',
     trait('{fields: "payload.l[?k = 1].v"}'), note('{"l": [{"k": 1.0, "v": 1.5}, {"k": "1", "v": 2.0}]}')),
    ('jsonpath', 'filter with a float literal compares uncoerced',
     trait('{fields: "payload.l[?k = 1.0].v"}'), note('{"l": [{"k": 1, "v": 3}, {"k": "1.0", "v": 4}]}')),
    ('jsonpath', 'index into a float drops the message',
     trait('{fields: "payload.x[0]"}'), note('{"x": 1.0}')),
    ('jsonpath', 'slice over a float drops the message',
     trait('{fields: "payload.x[*]"}'), note('{"x": 1.5}')),
    ('jsonpath', 'slice over an int wraps it',
     trait('{fields: "payload.x[*]"}'), note('{"x": 2}')),
    ('jsonpath', 'int + float is a float',
     trait('{fields: "payload.a + payload.b"}'), note('{"a": 1, "b": 2.0}')),
    ('jsonpath', 'int * int stays an int',
     trait('{fields: "payload.a * payload.b"}'), note('{"a": 3, "b": 4}')),
    ('jsonpath', 'float - float with an integral result',
     trait('{fields: "payload.a - payload.b"}'), note('{"a": 3.5, "b": 0.5}')),
    ('jsonpath', 'bool + int is an int',
     trait('{fields: "payload.a + payload.b"}'), note('{"a": true, "b": 1}')),
    ('jsonpath', 'sorted() of mixed ints and floats',
     trait('{fields: "payload.l.`sorted`"}'), note('{"l": [2, 1.0, 1, 0.5]}')),
]


def run(yaml_text, notification):
    with tempfile.NamedTemporaryFile('w', suffix='.yaml', delete=False) as f:
        f.write(yaml_text)
        path = f.name
    try:
        p = subprocess.run(['/usr/bin/python3', CEILO_REF, '--definitions', path],
                           input=notification + '\n', capture_output=True, text=True)
    finally:
        os.unlink(path)
    if p.returncode == 2:
        return {'definition_error': p.stderr.strip()}
    if p.returncode != 0:
        sys.exit('ceilo_ref failed: ' + p.stderr)
    return json.loads(p.stdout)


def main():
    for i, (group, title, yaml_text, notification) in enumerate(CASES, 1):
        case = {'id': i, 'group': group, 'title': title, 'definitions_yaml': yaml_text,
                'notification_text': notification, 'result': run(yaml_text, notification)}
        print(json.dumps(case, sort_keys=True, ensure_ascii=False))


if __name__ == '__main__':
    main()
