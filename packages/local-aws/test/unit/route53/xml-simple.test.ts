// The fast reader of plain request XML (xml-simple.ts) against the full parser it stands in
// front of: whenever it answers, the full parser accepts the document and reads the same
// thing; what it does not take, it leaves to the full parser.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isListPath, MAX_XML_DEPTH, parseRequest, parseXmlDocument, refusedMarkup, type XmlObject } from '../../../src/route53/xml.ts';
import { readSimpleXml } from '../../../src/route53/xml-simple.ts';
import { Route53Error } from '../../../src/route53/errors.ts';

const XMLNS = 'https://route53.amazonaws.com/doc/2013-04-01/';

/** The full parser's reading without the XML declaration, which requests never read. */
function fullReading(text: string): XmlObject | undefined {
  const doc = parseXmlDocument(text);
  if (doc === undefined || doc instanceof Error) return undefined;
  const { '?xml': _declaration, ...rest } = doc;
  return rest;
}

const upsert = `<?xml version="1.0" encoding="UTF-8"?><ChangeResourceRecordSetsRequest xmlns="${XMLNS}"><ChangeBatch><Comment>a &amp; b</Comment><Changes><Change><Action>UPSERT</Action><ResourceRecordSet><Name>app.example.</Name><Type>TXT</Type><SetIdentifier>east</SetIdentifier><Weight>10</Weight><TTL>60</TTL><ResourceRecords><ResourceRecord><Value>&quot;v=spf1 -all&quot;</Value></ResourceRecord></ResourceRecords></ResourceRecordSet></Change></Changes></ChangeBatch></ChangeResourceRecordSetsRequest>`;

describe('readSimpleXml', () => {
  it('reads what an SDK sends as the full parser does: lists as arrays, entities replaced, text trimmed', () => {
    const fast = readSimpleXml(upsert, isListPath);
    expect(fast).toEqual(fullReading(upsert));
    expect(fast).toEqual({
      ChangeResourceRecordSetsRequest: {
        ChangeBatch: {
          Comment: 'a & b',
          Changes: {
            Change: [
              {
                Action: 'UPSERT',
                ResourceRecordSet: {
                  Name: 'app.example.',
                  Type: 'TXT',
                  SetIdentifier: 'east',
                  Weight: '10',
                  TTL: '60',
                  ResourceRecords: { ResourceRecord: [{ Value: '"v=spf1 -all"' }] },
                },
              },
            ],
          },
        },
      },
    });
  });

  it.each([
    ['a comment', '<R><A>x<!-- c --></A></R>'],
    ['CDATA', '<R><A><![CDATA[x]]></A></R>'],
    ['a character reference', '<R><A>&#65;</A></R>'],
    ['an undeclared entity', '<R><A>&nbsp;</A></R>'],
    ['a processing instruction', '<R><?pi x?><A>1</A></R>'],
    ['mixed text and elements', '<R>t<A>1</A></R>'],
    ['a namespace prefix', '<R><a:A>1</a:A></R>'],
    ['a carriage return', '<R><A>a\r\nb</A></R>'],
    ['a repeated attribute', '<R><A b="1" b="2">x</A></R>'],
    ['a mismatched end tag', '<R><A>1</B></R>'],
    ['an unclosed element', '<R><A>1</A>'],
    ['two roots', '<R/><S/>'],
    ['text outside the root', 'x<R/>'],
    ['a name that reaches Object.prototype', '<R><__proto__>1</__proto__></R>'],
    ['a start tag with a space before >', '<R ><A>1</A></R>'],
  ])('leaves %s to the full parser', (_what, text) => {
    expect(readSimpleXml(text, isListPath)).toBeUndefined();
  });

  it('answers through parseRequest the same errors as before for what it leaves to the full parser', () => {
    const refused = parseRequest(Buffer.from('<R><__proto__>1</__proto__></R>'), 'R');
    expect(refused).toBeInstanceOf(Route53Error);
    expect((refused as Route53Error).message).toMatch(/^Could not parse the request body: .*__proto__/);
    const malformed = parseRequest(Buffer.from('<R><A>1</B></R>'), 'R');
    expect((malformed as Route53Error).message).toBe('Could not parse the request body: expected a R XML document');
    expect(parseRequest(Buffer.from('<R><A>&#65;</A></R>'), 'R')).toEqual({ A: 'A' });
  });

  it('property: whenever it answers, the full parser accepts the document and reads the same', () => {
    const names = fc.constantFrom('R', 'A', 'B', 'Changes', 'Change', 'ResourceRecords', 'ResourceRecord', 'Value', 'x.y', 'constructor', 'a:b', '_c-1');
    const texts = fc.stringMatching(/^[ \t\n\r\u00a0a-z0-9&;<>"'#=.\-]{0,12}$/);
    const spaces = fc.constantFrom('', ' ', '\n  ', '\t', '\u00a0');
    const attrs = fc.array(
      fc.tuple(fc.constantFrom('xmlns', 'b', 'xmlns:p', 'b'), fc.constantFrom('"v"', "'v'", '"a&amp;b"', '"x>y"', '"1"')).map(([n, v]) => ` ${n}=${v}`),
      { maxLength: 2 },
    );
    const element: fc.Memo<string> = fc.memo((depth) =>
      fc.oneof(
        { depthSize: 'small' },
        fc.tuple(names, attrs, texts).map(([n, a, t]) => `<${n}${a.join('')}>${t}</${n}>`),
        fc.tuple(names, attrs).map(([n, a]) => `<${n}${a.join('')}/>`),
        fc
          .tuple(names, attrs, fc.array(fc.tuple(spaces, depth > 1 ? element(depth - 1) : fc.constant('<L>1</L>')), { maxLength: 4 }), spaces)
          .map(([n, a, children, tail]) => `<${n}${a.join('')}>${children.map(([s, c]) => s + c).join('')}${tail}</${n}>`),
      ),
    );
    const prolog = fc.constantFrom('', '<?xml version="1.0" encoding="UTF-8"?>', '<?xml version="1.0"?>\n', ' ', "<?xml version='1.0'?>");
    const documents = fc.tuple(prolog, element(4), spaces).map(([p, e, s]) => `${p}${e}${s}`);
    const answered = { count: 0 };
    fc.assert(
      fc.property(documents, (text) => {
        const fast = readSimpleXml(text, isListPath);
        if (fast === undefined) return;
        answered.count += 1;
        expect(fast).toEqual(fullReading(text));
      }),
      { numRuns: 3000 },
    );
    // The property says something only if the reader answers for a good share of documents.
    expect(answered.count).toBeGreaterThan(300);
  });

  it('leaves elements nested past its depth to the full path: parseRequest refuses a plain document one level too deep', () => {
    const nested = (depth: number) => `${'<A>'.repeat(depth)}x${'</A>'.repeat(depth)}`;
    expect(readSimpleXml(nested(MAX_XML_DEPTH), isListPath, MAX_XML_DEPTH)).toBeDefined();
    expect(readSimpleXml(nested(MAX_XML_DEPTH + 1), isListPath, MAX_XML_DEPTH)).toBeUndefined();
    expect(parseRequest(Buffer.from(nested(MAX_XML_DEPTH)), 'A')).not.toBeInstanceOf(Route53Error);
    const refused = parseRequest(Buffer.from(nested(MAX_XML_DEPTH + 1)), 'A');
    expect(refused).toBeInstanceOf(Route53Error);
    expect((refused as Route53Error).message).toBe(`Could not parse the request body: Elements are nested deeper than ${MAX_XML_DEPTH} levels`);
  });

  it('property: parseRequest answers what scanning for refused markup before any reading answered', () => {
    // parseRequest scans for refused markup only when the fast reader does not answer; the
    // reference scans every body first, as parseRequest did before.
    const reference = (text: string): unknown => {
      const refused = refusedMarkup(text);
      if (refused !== undefined) return `refused: ${refused}`;
      const doc = readSimpleXml(text, isListPath) ?? parseXmlDocument(text);
      if (doc === undefined || doc instanceof Error) return 'malformed';
      const root = doc['R'];
      return root === undefined ? 'no root' : typeof root === 'object' && !Array.isArray(root) ? root : {};
    };
    const answer = (text: string): unknown => {
      const out = parseRequest(Buffer.from(text), 'R');
      if (!(out instanceof Route53Error)) return out;
      const why = out.message.replace(/^Could not parse the request body: /, '');
      return out.message.startsWith('Could not parse') && /nested deeper|not allowed|is not declared/.test(why) ? `refused: ${why}` : 'malformed';
    };
    const texts = fc.constantFrom('x', 'a &amp; b', '&nbsp;', '&#65;', '&bogus;', '', 'v');
    const element: fc.Memo<string> = fc.memo((depth) =>
      fc.oneof(
        { depthSize: 'small' },
        texts.map((t) => `<L>${t}</L>`),
        fc.constant('<E/>'),
        fc
          .tuple(fc.constantFrom('A', 'Changes', 'Change'), fc.array(depth > 1 ? element(depth - 1) : texts.map((t) => `<V>${t}</V>`), { maxLength: 3 }))
          .map(([n, children]) => `<${n}>${children.join('')}</${n}>`),
      ),
    );
    // Chains of one element each reach and pass the depth limit.
    const chain = fc
      .tuple(fc.integer({ min: MAX_XML_DEPTH - 2, max: MAX_XML_DEPTH + 2 }), element(2))
      .map(([d, inner]) => `${'<A>'.repeat(d)}${inner}${'</A>'.repeat(d)}`);
    const prolog = fc.constantFrom('', '<?xml version="1.0"?>', '<!DOCTYPE R>', '<!DOCTYPE R [<!ENTITY e "x">]>', '<!-- c -->');
    const documents = fc.tuple(prolog, fc.oneof(element(3), chain)).map(([p, body]) => `${p}<R>${body}</R>`);
    fc.assert(
      fc.property(documents, (text) => {
        expect(answer(text)).toEqual(reference(text));
      }),
      { numRuns: 1500 },
    );
  });
});
