import { ServiceError } from '../server/service-error.js';

/** An element of a request body: its name (without a namespace prefix), its child elements and its text. */
export interface XmlElement {
  readonly name: string;
  readonly children: XmlElement[];
  text: string;
}

/** Deepest nesting accepted: S3's request documents are three levels deep. */
const MAX_DEPTH = 16;

const ENTITIES: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', apos: "'", quot: '"' };

/**
 * Parses the small XML documents S3 requests carry (CompleteMultipartUpload, Delete): elements, attributes
 * (ignored), text with the five predefined entities and character references, comments and CDATA. No DTD,
 * no external entities, no processing instructions but the declaration: anything else is MalformedXML.
 */
export function parseXmlRequest(text: string): XmlElement {
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let at = 0;
  while (at < text.length) {
    const open = text.indexOf('<', at);
    const chunk = text.slice(at, open < 0 ? text.length : open);
    if (chunk.trim() !== '') {
      const current = stack[stack.length - 1];
      if (!current) throw malformedXml('text outside the root element');
      current.text += decodeEntities(chunk);
    } else if (stack.length > 0) {
      stack[stack.length - 1]!.text += chunk;
    }
    if (open < 0) break;
    if (text.startsWith('<?', open)) {
      const end = text.indexOf('?>', open);
      if (end < 0 || open !== 0 || !/^<\?xml\s/.test(text.slice(open, open + 6))) {
        throw malformedXml('a processing instruction other than the XML declaration');
      }
      at = end + 2;
    } else if (text.startsWith('<!--', open)) {
      const end = text.indexOf('-->', open + 4);
      if (end < 0) throw malformedXml('an unterminated comment');
      at = end + 3;
    } else if (text.startsWith('<![CDATA[', open)) {
      const end = text.indexOf(']]>', open + 9);
      const current = stack[stack.length - 1];
      if (end < 0 || !current) throw malformedXml('a CDATA section outside an element or unterminated');
      current.text += text.slice(open + 9, end);
      at = end + 3;
    } else if (text.startsWith('<!', open)) {
      throw malformedXml('a document type declaration (not accepted)');
    } else {
      const end = text.indexOf('>', open);
      if (end < 0) throw malformedXml('an unterminated tag');
      const tag = text.slice(open + 1, end);
      at = end + 1;
      if (tag.startsWith('/')) {
        const name = localName(tag.slice(1).trim());
        const closed = stack.pop();
        if (!closed || closed.name !== name)
          throw malformedXml(`a closing tag </${name.slice(0, 50)}> that matches no open one`);
        continue;
      }
      const selfClosing = tag.endsWith('/');
      const match = /^([A-Za-z_][\w.:-]*)(\s[^]*)?$/.exec(selfClosing ? tag.slice(0, -1) : tag);
      if (!match) throw malformedXml(`a tag <${tag.slice(0, 50)}> that is not well formed`);
      const element: XmlElement = { name: localName(match[1]!), children: [], text: '' };
      const parent = stack[stack.length - 1];
      if (parent) parent.children.push(element);
      else if (root) throw malformedXml('more than one root element');
      else root = element;
      if (!selfClosing) {
        if (stack.length >= MAX_DEPTH) throw malformedXml(`elements nested deeper than ${MAX_DEPTH}`);
        stack.push(element);
      }
    }
  }
  if (!root || stack.length > 0) throw malformedXml(root ? 'an element that is never closed' : 'no root element');
  return root;
}

/** The text of the first child named `name`, trimmed; undefined when there is none. */
export function childText(element: XmlElement, name: string): string | undefined {
  return element.children.find((child) => child.name === name)?.text.trim();
}

export function malformedXml(problem: string): ServiceError {
  return new ServiceError(
    'MalformedXML',
    `The XML you provided was not well-formed or did not validate against our published schema: ${problem}.`,
  );
}

function localName(qualified: string): string {
  const colon = qualified.indexOf(':');
  return colon < 0 ? qualified : qualified.slice(colon + 1);
}

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);|&/g, (whole, name: string | undefined) => {
    if (name === undefined) throw malformedXml('a bare "&" in text');
    if (name.startsWith('#')) {
      const code = name[1] === 'x' ? Number.parseInt(name.slice(2), 16) : Number.parseInt(name.slice(1), 10);
      if (!(code >= 0 && code <= 0x10ffff) || (code >= 0xd800 && code <= 0xdfff)) {
        throw malformedXml(`the character reference ${whole}`);
      }
      return String.fromCodePoint(code);
    }
    const decoded = ENTITIES[name];
    if (decoded === undefined) throw malformedXml(`the undefined entity ${whole}`);
    return decoded;
  });
}
