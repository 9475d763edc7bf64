// The characters an XML 1.0 document may hold, checked on the way in. Pure.
//
// Route 53 parses its requests with a strict XML parser: a body that is not UTF-8, or
// that holds a character XML does not allow (NUL, U+FFFE, U+FFFF, most C0 controls), raw
// or as a character reference (`&#0;`), is refused before anything is read from it. The
// emulator must refuse the same, or it would store such a character and render it into
// every later listing of the zone, which strict parsers (botocore, the AWS CLI) then
// refuse to read.
import { invalidInput, type Route53Error } from './errors.ts';

/** Anything outside XML 1.0's Char production (a lone surrogate included). */
const INVALID_CHAR = /[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/u;
const CHARACTER_REFERENCE = /&#(x[0-9a-fA-F]+|[0-9]+);/g;

function isXmlChar(code: number): boolean {
  return (
    code === 0x9 ||
    code === 0xa ||
    code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    (code >= 0x10000 && code <= 0x10ffff)
  );
}

const hex = (code: number): string => code.toString(16).toUpperCase();

/**
 * The body as text, or the InvalidInput Route 53 answers when it is not UTF-8 or holds a
 * character XML forbids. (wording ours, after the Xerces messages Route 53 passes on
 * behind "Invalid XML ; ".)
 */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

export function decodeXmlText(body: Buffer): string | Route53Error {
  let text: string;
  try {
    text = UTF8.decode(body);
  } catch {
    return invalidInput('Invalid XML ; Invalid byte sequence: the request body is not UTF-8.');
  }
  const raw = INVALID_CHAR.exec(text);
  if (raw !== null) {
    return invalidInput(`Invalid XML ; An invalid XML character (Unicode: 0x${hex(raw[0].codePointAt(0)!)}) was found in the element content of the document.`);
  }
  for (const match of text.matchAll(CHARACTER_REFERENCE)) {
    const reference = match[1]!;
    const code = reference.startsWith('x') ? parseInt(reference.slice(1), 16) : parseInt(reference, 10);
    if (!isXmlChar(code)) return invalidInput(`Invalid XML ; Character reference "&#${reference}" is an invalid XML character.`);
  }
  return text;
}

/** Text safe to put in an XML document: characters XML forbids become `\ooo` escapes of their UTF-8 bytes. */
export function xmlSafeText(text: string): string {
  if (!INVALID_CHAR.test(text)) return text;
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (isXmlChar(code)) out += char;
    else for (const byte of Buffer.from(char, 'utf8')) out += `\\${byte.toString(8).padStart(3, '0')}`;
  }
  return out;
}
