// An HTTP ingest body is one notification or a JSON array of them. The array is cut into its
// elements' bytes without parsing them (JSON's structure is ASCII, which UTF-8 never uses inside
// a multi-byte character), so each element becomes one delivery and gets its own verdict, exactly
// as it would on a broker.

const SPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);

function trimmed(body: Uint8Array, start: number, end: number): Uint8Array {
  while (start < end && SPACE.has(body[start]!)) start++;
  while (end > start && SPACE.has(body[end - 1]!)) end--;
  return body.subarray(start, end);
}

/** Whether the body (after whitespace) is an array. */
export function isArrayBody(body: Uint8Array): boolean {
  return trimmed(body, 0, body.length)[0] === 0x5b;
}

/** The elements of a top-level array, or the body as the only element; null when the array is not closed. */
export function splitItems(body: Uint8Array): Uint8Array[] | null {
  const whole = trimmed(body, 0, body.length);
  if (whole[0] !== 0x5b /* [ */) return [whole];
  const items: Uint8Array[] = [];
  let depth = 0;
  let inString = false;
  let start = 1;
  for (let i = 0; i < whole.length; i++) {
    const c = whole[i]!;
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) depth++;
    else if (c === 0x5d || c === 0x7d) {
      if (--depth === 0) {
        if (i !== whole.length - 1) return null;
        const last = trimmed(whole, start, i);
        if (last.length || items.length) items.push(last);
        return items;
      }
    } else if (c === 0x2c && depth === 1) {
      items.push(trimmed(whole, start, i));
      start = i + 1;
    }
  }
  return null;
}
