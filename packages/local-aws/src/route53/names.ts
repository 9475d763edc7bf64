// DNS names as Route 53 reads, stores, returns and sorts them. Pure.
//
// Route 53 accepts printable ASCII (and `\ooo` octal escapes for anything else),
// stores letters lower-case, and returns every character other than a-z 0-9 - _
// as a `\ooo` escape: `*.example.com` comes back as `\052.example.com.`.

export interface NameProblem {
  /** Route 53's problem code, e.g. DomainLabelEmpty. */
  code: string;
  reason: string;
  /** What the problem was "encountered with". */
  subject: string;
}

export type ParsedName = { ok: true; name: string; labels: string[] } | { ok: false; problem: NameProblem };

const MAX_LABEL_BYTES = 63;
const MAX_NAME_BYTES = 255;

function isPlain(byte: number): boolean {
  return (byte >= 0x61 && byte <= 0x7a) || (byte >= 0x30 && byte <= 0x39) || byte === 0x2d || byte === 0x5f;
}

/** One label's bytes in Route 53's output form. */
function renderLabel(bytes: number[]): string {
  let out = '';
  for (const byte of bytes) out += isPlain(byte) ? String.fromCharCode(byte) : `\\${byte.toString(8).padStart(3, '0')}`;
  return out;
}

/**
 * Parses a name as Route 53 does: a trailing dot is optional, letters fold to lower
 * case, `\ooo` and `\c` escapes are decoded. Returns the canonical form Route 53
 * returns (lower case, escapes, trailing dot) or the problem Route 53 reports.
 */
export function parseName(input: string): ParsedName {
  return parsePlainName(input) ?? parseEscapedName(input);
}

/**
 * parseName for the usual name: letters, digits, `-` and `_` in non-empty labels within the
 * limits, no escapes. Undefined for anything else (parseEscapedName decides it). A change
 * batch parses each of its names several times, and a drain sends 20,000 changes.
 */
function parsePlainName(input: string): ParsedName | undefined {
  const end = input.length > 0 && input.charCodeAt(input.length - 1) === 0x2e ? input.length - 1 : input.length;
  if (end === 0 || end + 1 > MAX_NAME_BYTES) return undefined;
  let labelLength = 0;
  let upper = false;
  for (let i = 0; i < end; i++) {
    const ch = input.charCodeAt(i);
    if (ch === 0x2e /* . */) {
      if (labelLength === 0) return undefined;
      labelLength = 0;
      continue;
    }
    if (ch >= 0x41 && ch <= 0x5a) upper = true;
    else if (!isPlain(ch)) return undefined;
    if (++labelLength > MAX_LABEL_BYTES) return undefined;
  }
  if (labelLength === 0) return undefined;
  const body = upper ? input.slice(0, end).toLowerCase() : input.slice(0, end);
  return { ok: true, name: `${body}.`, labels: body.split('.') };
}

/** parseName for any input: escapes decoded, every problem Route 53 reports. */
export function parseEscapedName(input: string): ParsedName {
  const labels: number[][] = [[]];
  for (let i = 0; i < input.length; i++) {
    const ch = input.charCodeAt(i);
    if (ch === 0x5c /* \ */) {
      const octal = /^[0-7]{3}/.exec(input.slice(i + 1));
      if (octal !== null) {
        const value = parseInt(octal[0], 8);
        if (value > 255) return unsupported(input);
        labels.at(-1)!.push(value);
        i += 3;
      } else if (i + 1 < input.length) {
        labels.at(-1)!.push(input.charCodeAt(i + 1));
        i += 1;
      } else {
        return unsupported(input);
      }
      continue;
    }
    if (ch === 0x2e /* . */) {
      labels.push([]);
      continue;
    }
    // Spaces, control characters and anything outside ASCII must be escaped.
    if (ch <= 0x20 || ch >= 0x7f) return unsupported(input);
    labels.at(-1)!.push(ch);
  }
  // "example.com." ends with an empty label that is only the root.
  if (labels.length > 1 && labels.at(-1)!.length === 0) labels.pop();
  for (const label of labels) {
    if (label.length === 0) return problem('DomainLabelEmpty', 'Domain label is empty', input);
    if (label.length > MAX_LABEL_BYTES) return problem('DomainLabelTooLong', 'Domain label is too long', renderLabel(label));
    for (let k = 0; k < label.length; k++) if (label[k]! >= 0x41 && label[k]! <= 0x5a) label[k]! += 0x20;
  }
  const bytes = labels.reduce((sum, label) => sum + label.length + 1, 0);
  if (bytes > MAX_NAME_BYTES) return problem('DomainNameTooLong', 'Domain name is too long', input);
  const rendered = labels.map(renderLabel);
  return { ok: true, name: `${rendered.join('.')}.`, labels: rendered };
}

function problem(code: string, reason: string, subject: string): ParsedName {
  return { ok: false, problem: { code, reason, subject } };
}

function unsupported(input: string): ParsedName {
  return problem('UnsupportedCharacter', 'Value contains unsupported characters', input);
}

/** "FATAL problem: DomainLabelEmpty (Domain label is empty) encountered with 'a..b'". */
export function describeNameProblem(p: NameProblem): string {
  return `FATAL problem: ${p.code} (${p.reason}) encountered with '${p.subject}'`;
}

/** Labels of a canonical name (as returned by parseName), without the root. */
export function labelsOf(canonical: string): string[] {
  return canonical === '.' ? [] : canonical.slice(0, -1).split('.');
}

/** True when the canonical `name` is the zone apex or lies below it. */
export function isInZone(name: string, zoneName: string): boolean {
  return name === zoneName || name.endsWith(`.${zoneName}`);
}

/** The leftmost label is `*` (stored as `\052`): a wildcard name. */
export function isWildcard(canonical: string): boolean {
  return canonical.startsWith('\\052.');
}

/** Route 53's list order for names: labels reversed, with the trailing dot, compared in ASCII. */
export function sortKeyOfName(canonical: string): string {
  // The labels from the last, cut at the dots (a dot within a label is escaped as \056): no
  // arrays, as the index computes one key per set (a million at zone load).
  let key = '';
  let end = canonical.length - 1;
  for (let i = end - 1; i >= 0; i--) {
    if (canonical.charCodeAt(i) !== 46) continue;
    key += `${canonical.slice(i + 1, end)}.`;
    end = i;
  }
  return `${key}${canonical.slice(0, end)}.`;
}

/** Plain ASCII comparison (not locale-aware), as Route 53 sorts. */
export function compareAscii(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
