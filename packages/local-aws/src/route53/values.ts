// Record values (RDATA) checked the way Route 53 checks them. Pure.
// A bad value is reported as Route 53 reports it:
//   Invalid Resource Record: 'FATAL problem: ARRDATAIllegalIPv4Address (Value is not a valid IPv4 address) encountered with 'x''
import { isIPv6 } from 'node:net';
import type { RRType } from './model.ts';
import { parseName } from './names.ts';

interface ValueProblem {
  code: string;
  reason: string;
  /** What the problem was "encountered with", when not the whole value. */
  subject?: string;
}

type Check = (value: string) => ValueProblem | undefined;

const ipv4: Check = (value) => {
  const parts = value.split('.');
  const ok = parts.length === 4 && parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255);
  return ok ? undefined : { code: 'ARRDATAIllegalIPv4Address', reason: 'Value is not a valid IPv4 address' };
};

const ipv6: Check = (value) => (isIPv6(value) ? undefined : { code: 'AAAARRDATAIllegalIPv6Address', reason: 'Value is not a valid IPv6 address' });

// (wording ours) for the host-name, MX, SRV, CAA and SOA codes below.
function hostName(type: string): Check {
  return (value) => (parseName(value).ok ? undefined : { code: `${type}RRDATAIllegalHostName`, reason: 'Value is not a valid host name' });
}

function fields(count: number, type: string, shape: string, numeric: number): Check {
  return (value) => {
    const parts = value.trim().split(/\s+/);
    if (parts.length !== count || parts.slice(0, numeric).some((p) => !/^[0-9]+$/.test(p) || Number(p) > 65535)) {
      return { code: `${type}RRDATAIllegalFormat`, reason: `Value should be ${shape}` };
    }
    return parseName(parts[count - 1]!).ok ? undefined : { code: `${type}RRDATAIllegalHostName`, reason: 'Value is not a valid host name' };
  };
}

/**
 * Route 53 takes printable ASCII and spaces in a value; any other character (a tab,
 * `é`, U+FFFD) must be written as a `\ooo` escape of its bytes, and is refused otherwise.
 */
const unsupportedCharacter: Check = (value) => {
  for (const char of value) {
    const code = char.codePointAt(0)!;
    if (code < 0x20 || code > 0x7e) return { code: 'UnsupportedCharacter', reason: 'Value contains unsupported characters', subject: char };
  }
  return undefined;
};

/** TXT and SPF values are one or more quoted character strings of at most 255 characters. */
const characterStrings: Check = (value) => {
  let rest = value.trim();
  if (rest === '') return { code: 'InvalidCharacterString', reason: 'Value should be enclosed in quotation marks' };
  while (rest !== '') {
    if (!rest.startsWith('"')) return { code: 'InvalidCharacterString', reason: 'Value should be enclosed in quotation marks' };
    let length = 0;
    let end = -1;
    for (let i = 1; i < rest.length; i++) {
      if (rest[i] === '\\') {
        // `\"`, `\\` and `\ooo` (one byte: at most \377) each stand for one character.
        const octal = /^[0-7]{3}/.exec(rest.slice(i + 1));
        if (octal !== null && parseInt(octal[0], 8) > 0o377)
          return { code: 'UnsupportedCharacter', reason: 'Value contains unsupported characters', subject: `\\${octal[0]}` };
        i += octal !== null ? 3 : 1;
      } else if (rest[i] === '"') {
        end = i;
        break;
      }
      length++;
    }
    if (end < 0) return { code: 'InvalidCharacterString', reason: 'Value should be enclosed in quotation marks' };
    if (length > 255) return { code: 'CharacterStringTooLong', reason: 'Value is too long' };
    rest = rest.slice(end + 1).trimStart();
  }
  return undefined;
};

const caa: Check = (value) =>
  /^([0-9]{1,3})\s+[A-Za-z0-9]+\s+".*"$/.test(value.trim()) && Number(value.trim().split(/\s+/)[0]) <= 255
    ? undefined
    : { code: 'CAARRDATAIllegalFormat', reason: 'Value should be a flag, a tag and a quoted value' };

const soa: Check = (value) => {
  const parts = value.trim().split(/\s+/);
  const ok = parts.length === 7 && parseName(parts[0]!).ok && parseName(parts[1]!).ok && parts.slice(2).every((p) => /^[0-9]+$/.test(p));
  return ok ? undefined : { code: 'SOARRDATAIllegalFormat', reason: 'Value should be mname rname serial refresh retry expire minimum' };
};

const nonEmpty: Check = (value) => (value.trim() === '' ? { code: 'InvalidRDATA', reason: 'Value is empty' } : undefined);

const CHECKS: Record<RRType, Check> = {
  A: ipv4,
  AAAA: ipv6,
  CNAME: hostName('CNAME'),
  NS: hostName('NS'),
  PTR: hostName('PTR'),
  MX: fields(2, 'MX', 'a preference followed by a host name', 1),
  SRV: fields(4, 'SRV', 'priority, weight and port followed by a host name', 3),
  TXT: characterStrings,
  SPF: characterStrings,
  CAA: caa,
  SOA: soa,
  NAPTR: nonEmpty,
  DS: nonEmpty,
  TLSA: nonEmpty,
  SSHFP: nonEmpty,
  SVCB: nonEmpty,
  HTTPS: nonEmpty,
};

/** The InvalidChangeBatch message for the first bad value of a set, or undefined when all are valid. */
export function checkValues(type: RRType, values: readonly string[]): string | undefined {
  for (const value of values) {
    const problem = unsupportedCharacter(value) ?? CHECKS[type](value);
    if (problem !== undefined) {
      return `Invalid Resource Record: 'FATAL problem: ${problem.code} (${problem.reason}) encountered with '${problem.subject ?? value}''`;
    }
  }
  const seen = new Set<string>();
  for (const value of values) {
    const key = type === 'TXT' || type === 'SPF' || type === 'CAA' ? value : value.toLowerCase();
    if (seen.has(key)) return `Duplicate Resource Record: '${value}'`;
    seen.add(key);
  }
  return undefined;
}

/** Characters a value counts toward the 32,000-character limit of a request. */
export function valueCharacters(values: readonly string[]): number {
  return values.reduce((sum, v) => sum + v.length, 0);
}
