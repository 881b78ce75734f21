// Translate the Python `re` patterns allowed in `sub()` and the `~` filter to JS RegExp source.
// Only constructs whose meaning is the same in both engines are accepted; anything else is a
// compile-time error naming the construct (never a silent difference).

const PY_SPACE_CLASS = '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';

export class RegexUnsupported extends Error {}

/** Python pattern (str, no flags) -> JS source for flags 'u'. */
export function translatePyRegex(src: string): string {
  let out = '';
  let i = 0;
  let inClass = false;
  const cps = Array.from(src);
  const esc = (cp: number): string => `\\u{${cp.toString(16)}}`;
  while (i < cps.length) {
    const c = cps[i]!;
    if (c === '\\') {
      const d = cps[i + 1];
      if (d === undefined) throw new RegexUnsupported('a trailing backslash');
      i += 2;
      switch (d) {
        case 'd': out += '\\p{Nd}'; break;
        case 'D': if (inClass) throw new RegexUnsupported('\\D inside a class'); out += '\\P{Nd}'; break;
        case 'w': out += inClass ? '\\p{L}\\p{N}_' : '[\\p{L}\\p{N}_]'; break;
        case 'W': if (inClass) throw new RegexUnsupported('\\W inside a class'); out += '[^\\p{L}\\p{N}_]'; break;
        case 's': out += inClass ? PY_SPACE_CLASS : `[${PY_SPACE_CLASS}]`; break;
        case 'S': if (inClass) throw new RegexUnsupported('\\S inside a class'); out += `[^${PY_SPACE_CLASS}]`; break;
        case 'n': out += '\\n'; break;
        case 't': out += '\\t'; break;
        case 'r': out += '\\r'; break;
        case 'f': out += '\\f'; break;
        case 'v': out += '\\v'; break;
        case 'A': if (inClass) throw new RegexUnsupported('\\A inside a class'); out += '^'; break;
        case 'Z': if (inClass) throw new RegexUnsupported('\\Z inside a class'); out += '$'; break;
        case 'b': case 'B': throw new RegexUnsupported(`\\${d} (word boundaries differ between Python and JavaScript)`);
        default:
          if (/[0-9]/.test(d)) throw new RegexUnsupported(`back reference or octal escape \\${d}`);
          if (/[a-zA-Z]/.test(d)) throw new RegexUnsupported(`escape \\${d}`);
          out += esc(d.codePointAt(0)!);
      }
      continue;
    }
    if (inClass) {
      if (c === ']') {
        inClass = false;
        out += ']';
      } else if (c === '-' || c === '^') out += c === '-' ? '-' : '\\^';
      else if (c === '[') throw new RegexUnsupported("'[' inside a class");
      else out += esc(c.codePointAt(0)!);
      i++;
      continue;
    }
    switch (c) {
      case '[': {
        inClass = true;
        out += '[';
        i++;
        if (cps[i] === '^') {
          out += '^';
          i++;
        }
        if (cps[i] === ']') {
          out += '\\]';
          i++;
        }
        continue;
      }
      case '$':
        out += '(?=\\n?$)';
        break;
      case '(':
        if (cps[i + 1] === '?') {
          if (cps[i + 2] === ':') {
            out += '(?:';
            i += 3;
            continue;
          }
          throw new RegexUnsupported(`group syntax (?${cps[i + 2] ?? ''}`);
        }
        out += '(';
        break;
      case '{': {
        const m = /^\{(\d*)(,?)(\d*)\}/.exec(cps.slice(i).join(''));
        if (!m || (m[1] === '' && m[3] === '')) {
          out += '\\{';
          break;
        }
        out += `{${m[1] || '0'}${m[2]}${m[3]}}`;
        i += m[0].length;
        continue;
      }
      case '}':
        out += '\\}';
        break;
      case '.':
        out += '[^\\n]'; // Python's '.' excludes only '\n'
        break;
      case ')': case '|': case '*': case '+': case '?': case '^':
        out += c;
        break;
      default:
        out += esc(c.codePointAt(0)!);
    }
    i++;
  }
  if (inClass) throw new RegexUnsupported('an unterminated character class');
  new RegExp(out, 'u'); // must compile
  return out;
}

/** Python re.sub replacement template -> JS replacement string. */
export function translatePyReplacement(repl: string): string {
  let out = '';
  const cps = Array.from(repl);
  for (let i = 0; i < cps.length; i++) {
    const c = cps[i]!;
    if (c === '$') {
      out += '$$';
      continue;
    }
    if (c !== '\\') {
      out += c;
      continue;
    }
    const d = cps[++i];
    if (d === undefined) throw new RegexUnsupported('a trailing backslash in the replacement');
    if (/[0-9]/.test(d)) {
      let num = d;
      if (/[0-9]/.test(cps[i + 1] ?? '')) num += cps[++i];
      out += `$${num.padStart(2, '0')}`;
    } else if (d === 'g') {
      const m = /^<(\d+)>/.exec(cps.slice(i + 1).join(''));
      if (!m) throw new RegexUnsupported('named group references in the replacement');
      out += `$${m[1]!.padStart(2, '0')}`;
      i += m[0].length;
    } else if (d === 'n') out += '\n';
    else if (d === 't') out += '\t';
    else if (d === 'r') out += '\r';
    else if (d === 'f') out += '\f';
    else if (d === 'v') out += '\v';
    else if (d === 'a') out += '\x07';
    else if (d === 'b') out += '\b';
    else if (d === '\\') out += '\\';
    else if (/[a-zA-Z]/.test(d)) throw new RegexUnsupported(`bad escape \\${d} in the replacement`);
    else out += '\\' + d;
  }
  return out;
}
