// Python 3.11 configparser.RawConfigParser() with default options, reading a file (universal
// newlines), keeping the file offset of every character of every value so that errors in a
// value (a Python literal, say) point into the INI file.
/** Anything with the file's text (the compiler's SourceFile is one). */
export interface IniSource {
  text: string;
}

/** Python's str.isspace() characters (str.strip() removes them). */
const PY_SPACE = /[\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/;
const isPySpace = (c: string): boolean => PY_SPACE.test(c);

function pyStrip(s: string): { text: string; start: number } {
  let a = 0;
  let b = s.length;
  while (a < b && isPySpace(s[a]!)) a++;
  while (b > a && isPySpace(s[b - 1]!)) b--;
  return { text: s.slice(a, b), start: a };
}

/** A value's text and, for each character, its offset in the file. */
export interface IniValue {
  text: string;
  /** offsets[i] is the file offset of text[i]; offsets[text.length] is the end. */
  offsets: number[];
}

export interface IniOption {
  /** Lower-cased, as optionxform does. */
  name: string;
  nameStart: number;
  nameEnd: number;
  value: IniValue;
}

export interface IniSection {
  name: string;
  /** Offsets of the header's name. */
  start: number;
  end: number;
  options: Map<string, IniOption>;
}

export interface IniError {
  kind: 'MissingSectionHeader' | 'DuplicateSection' | 'DuplicateOption' | 'Parsing';
  message: string;
  start: number;
  end: number;
  /** For a duplicate: where the section or option was first declared. */
  first?: { start: number; end: number };
}

export interface IniFile {
  /** In file order, DEFAULT excluded. */
  sections: Map<string, IniSection>;
  defaults: IniSection;
  errors: IniError[];
}

const SECTION = /^\[(.+)\]/su;
// option, then any spaces, a delimiter ('=' or ':'), any spaces, the value.
const OPTION = /^(.*?)\s*([=:])\s*(.*)$/su;

interface Pending {
  option: IniOption;
  pieces: Array<{ text: string; start: number }>;
}

export function readIni(file: IniSource): IniFile {
  const text = file.text;
  const defaults: IniSection = { name: 'DEFAULT', start: 0, end: 0, options: new Map() };
  const sections = new Map<string, IniSection>();
  const errors: IniError[] = [];
  const seenSections = new Set<string>();
  const seenOptions = new Set<string>();
  let cursect: IniSection | null = null;
  let sectname = '';
  let pending: Pending | null = null;
  let indentLevel = 0;
  const all: Pending[] = [];

  // Universal newlines: \r\n, \r and \n all end a line.
  const lineRe = /[^\r\n]*(?:\r\n|\r|\n|$)/gy;
  for (let m = lineRe.exec(text); m !== null && m[0] !== ''; m = lineRe.exec(text)) {
    const lineStart = m.index;
    const line = m[0].replace(/(?:\r\n|\r|\n)$/, '');
    const stripped = pyStrip(line);
    const isComment = stripped.text.startsWith('#') || stripped.text.startsWith(';');
    const value = isComment ? '' : stripped.text;
    if (!value) {
      // Blank lines belong to the value being read; comment lines are skipped, even inside one.
      if (!isComment && pending) pending.pieces.push({ text: '', start: lineStart });
      continue;
    }
    const indent = stripped.start;
    const valueStart = lineStart + stripped.start;
    if (cursect && pending && indent > indentLevel) {
      pending.pieces.push({ text: value, start: valueStart });
      continue;
    }
    indentLevel = indent;
    const header = SECTION.exec(value);
    if (header) {
      const name = header[1]!;
      const range = { start: valueStart + 1, end: valueStart + 1 + name.length };
      if (name === 'DEFAULT') {
        cursect = defaults;
      } else if (sections.has(name)) {
        cursect = sections.get(name)!;
        if (seenSections.has(name)) errors.push({ kind: 'DuplicateSection', message: `section '${name}' already exists`, ...range, first: { start: cursect.start, end: cursect.end } });
      } else {
        cursect = { name, ...range, options: new Map() };
        sections.set(name, cursect);
        seenSections.add(name);
      }
      sectname = name;
      pending = null;
      continue;
    }
    if (!cursect) {
      errors.push({ kind: 'MissingSectionHeader', message: 'file contains no section headers: the first line that is not blank or a comment must be [SECTION]', start: valueStart, end: valueStart + value.length });
      break; // configparser stops here
    }
    const opt = OPTION.exec(value);
    const optname = opt ? pyStrip(opt[1]!).text : '';
    if (!opt || !optname) {
      errors.push({ kind: 'Parsing', message: `not an option line (expected 'name = value'): ${JSON.stringify(value)}`, start: valueStart, end: valueStart + value.length });
      continue;
    }
    const name = optname.toLowerCase();
    const key = `${sectname}\u0000${name}`;
    const nameStart = valueStart;
    const nameEnd = valueStart + opt[1]!.replace(/\s+$/u, '').length;
    if (seenOptions.has(key)) {
      const earlier = cursect.options.get(name);
      const first = earlier ? { first: { start: earlier.nameStart, end: earlier.nameEnd } } : {};
      errors.push({ kind: 'DuplicateOption', message: `option '${name}' in section '${sectname}' already exists`, start: nameStart, end: nameEnd, ...first });
      // configparser raises at once; keep reading to report everything, keep the first value.
      pending = null;
      continue;
    }
    seenOptions.add(key);
    const raw = opt[3]!;
    const rawStart = valueStart + value.length - raw.length;
    const v = pyStrip(raw);
    const option: IniOption = { name, nameStart, nameEnd, value: { text: '', offsets: [] } };
    pending = { option, pieces: [{ text: v.text, start: rawStart + v.start }] };
    all.push(pending);
    cursect.options.set(name, option);
  }
  for (const p of all) p.option.value = joinPieces(p.pieces, text.length);
  return { sections, defaults, errors };
}

/** '\n'.join(pieces).rstrip(), with offsets. */
function joinPieces(pieces: Array<{ text: string; start: number }>, eof: number): IniValue {
  let text = '';
  const offsets: number[] = [];
  pieces.forEach((p, i) => {
    if (i > 0) {
      offsets.push(p.start > 0 ? p.start - 1 : 0); // the newline before this line
      text += '\n';
    }
    for (let j = 0; j < p.text.length; j++) offsets.push(p.start + j);
    text += p.text;
  });
  let end = text.length;
  while (end > 0 && isPySpace(text[end - 1]!)) end--;
  const last = pieces[pieces.length - 1]!;
  offsets.length = end;
  offsets.push(end > 0 ? offsets[end - 1]! + 1 : Math.min(last.start, eof));
  return { text: text.slice(0, end), offsets };
}

/** An option as a section sees it: its own, else [DEFAULT]'s. */
export function iniGet(file: IniFile, section: string, option: string): IniOption | undefined {
  return file.sections.get(section)?.options.get(option) ?? file.defaults.options.get(option);
}
