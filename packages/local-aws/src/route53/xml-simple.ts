// A fast reader for the plain XML that SDKs and the AWS CLI send: elements, text, the five
// predefined entities, attributes (read and dropped), and an XML declaration first. For
// anything else (comments, CDATA, processing instructions, character references, a
// document type, mixed text and elements, a name with a namespace prefix, a tag it cannot
// read) it answers undefined and the caller reads the body with the full parser
// (fast-xml-parser), which also words every error. When it answers, it answers what the
// full parser would (a property test holds it to that), at a fraction of the cost: for a
// one-change batch, the full parser's validation and parse were most of the request's time.
// Pure.
import type { XmlObject, XmlValue } from './xml.ts';

const ATTRIBUTE = /[ \t\n]+([A-Za-z_][A-Za-z0-9._:-]*)=(?:"([^"<&]*)"|'([^'<&]*)')/y;
const DECLARATION = /<\?xml[ \t\n]+version="1\.[0-9]+"(?:[ \t\n]+encoding="[A-Za-z][A-Za-z0-9._-]*")?(?:[ \t\n]+standalone="(?:yes|no)")?[ \t\n]*\?>/y;
const BLANK = /^[ \t\n]*$/;
const ENTITY = /&(amp|lt|gt|quot|apos);/g;
const ENTITY_TEXT: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** What a path's elements share: the path, whether it is a list, and its children's (made once per document). */
interface PathInfo {
  path: string;
  list: boolean;
  children: Map<string, PathInfo>;
}

interface Open {
  name: string;
  info: PathInfo;
  /** The children read so far; undefined while the element holds only text. */
  children: XmlObject | undefined;
  text: string;
}

/** Where the name (`[A-Za-z_][A-Za-z0-9._-]*`) starting at `from` ends: `from` when there is none. */
function endOfName(text: string, from: number): number {
  const first = text.charCodeAt(from);
  if (!((first >= 0x41 && first <= 0x5a) || (first >= 0x61 && first <= 0x7a) || first === 0x5f)) return from;
  let at = from + 1;
  for (; at < text.length; at++) {
    const c = text.charCodeAt(at);
    if (!((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x5f || c === 0x2d)) break;
  }
  return at;
}

/** Text with its entities replaced; undefined when it holds any other `&`. */
function decode(text: string): string | undefined {
  if (!text.includes('&')) return text;
  const decoded = text.replace(ENTITY, (_, name: string) => ENTITY_TEXT[name]!);
  // A `&` left after the replacement started something this reader does not take.
  return text.replace(ENTITY, '').includes('&') ? undefined : decoded;
}

/** A name the result may use as a key: not one that reaches Object.prototype. */
function plainKey(name: string): boolean {
  return !(name in Object.prototype) && name !== '__proto__';
}

function addChild(parent: XmlObject, name: string, list: boolean, value: XmlValue): void {
  const existing = parent[name];
  // A list element's value is always an array (made here at its first member).
  if (list) {
    if (existing === undefined) parent[name] = [value];
    else (existing as XmlValue[]).push(value);
  } else if (existing === undefined) parent[name] = value;
  else if (Array.isArray(existing)) existing.push(value);
  else parent[name] = [existing, value];
}

/**
 * The document as the full parser reads it (`{ [root]: value }`, without the declaration),
 * or undefined when it is not plain enough for this reader. `isList(path)` says whether the
 * element at a dotted path (root first) is always a list, as the full parser's `isArray`.
 * Elements nested deeper than `maxDepth` are left to the full path too (which refuses them).
 *
 * A change batch repeats a few paths thousands of times: each path's string, `isList` and
 * the check of its name are made once per document (`PathInfo`), not once per element.
 */
export function readSimpleXml(text: string, isList: (path: string) => boolean, maxDepth = Infinity): XmlObject | undefined {
  if (text.includes('\r')) return undefined;
  let at = 0;
  if (text.startsWith('<?')) {
    DECLARATION.lastIndex = 0;
    if (DECLARATION.exec(text) === null) return undefined;
    at = DECLARATION.lastIndex;
  }
  const document: XmlObject = {};
  let rootSeen = false;
  const stack: Open[] = [];
  const roots = new Map<string, PathInfo>();
  const infoOf = (parent: Open | undefined, name: string): PathInfo | undefined => {
    const siblings = parent === undefined ? roots : parent.info.children;
    let info = siblings.get(name);
    if (info === undefined) {
      if (!plainKey(name)) return undefined;
      const path = parent === undefined ? name : `${parent.info.path}.${name}`;
      siblings.set(name, (info = { path, list: isList(path), children: new Map() }));
    }
    return info;
  };
  while (at < text.length) {
    const lt = text.indexOf('<', at);
    const between = text.slice(at, lt < 0 ? text.length : lt);
    const current = stack[stack.length - 1];
    if (current === undefined) {
      if (!BLANK.test(between)) return undefined;
    } else current.text += between;
    if (lt < 0) break;
    const next = text[lt + 1];
    if (next === '/') {
      // An end tag, exactly `</name>`, closing the innermost open element.
      if (current === undefined) return undefined;
      const end = lt + 2 + current.name.length;
      if (!text.startsWith(current.name, lt + 2) || text[end] !== '>') return undefined;
      stack.pop();
      let value: XmlValue;
      if (current.children === undefined) {
        const decoded = decode(current.text);
        if (decoded === undefined) return undefined;
        value = decoded.trim();
      } else {
        if (current.text.trim() !== '') return undefined;
        value = current.children;
      }
      const parent = stack[stack.length - 1];
      if (parent === undefined) {
        document[current.name] = value;
      } else addChild((parent.children ??= {}), current.name, current.info.list, value);
      at = end + 1;
      continue;
    }
    // A start tag: `<name`, attributes, then `>` or `/>`.
    const nameEnd = endOfName(text, lt + 1);
    if (nameEnd === lt + 1) return undefined;
    const name = text.slice(lt + 1, nameEnd);
    let pos = nameEnd;
    let seen: Set<string> | undefined;
    // Attributes start with a blank (most tags have none).
    while (text[pos] === ' ' || text[pos] === '\t' || text[pos] === '\n') {
      ATTRIBUTE.lastIndex = pos;
      const attribute = ATTRIBUTE.exec(text);
      if (attribute === null) break;
      if (seen?.has(attribute[1]!)) return undefined;
      (seen ??= new Set()).add(attribute[1]!);
      pos = ATTRIBUTE.lastIndex;
    }
    const selfClosing = text.startsWith('/>', pos);
    if (!selfClosing && text[pos] !== '>') return undefined;
    at = pos + (selfClosing ? 2 : 1);
    const parent = stack[stack.length - 1];
    if (parent === undefined) {
      // One root element: a second one, or text around it, is left to the full parser.
      if (rootSeen) return undefined;
      rootSeen = true;
    } else if (parent.text.trim() !== '') return undefined;
    const info = infoOf(parent, name);
    if (info === undefined) return undefined;
    if (selfClosing) {
      if (parent === undefined) document[name] = '';
      else addChild((parent.children ??= {}), name, info.list, '');
    } else {
      if (stack.length >= maxDepth) return undefined;
      stack.push({ name, info, children: undefined, text: '' });
    }
  }
  return rootSeen && stack.length === 0 ? document : undefined;
}
