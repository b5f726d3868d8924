/** Just enough XML for S3's responses: escaped text inside nested elements. */
export type XmlNode = { readonly [element: string]: XmlContent };
export type XmlContent = string | number | boolean | XmlNode | readonly XmlNode[] | undefined;

export function escapeXml(text: string): string {
  return text.replace(
    /[<>&'"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!,
  );
}

export function xmlDocument(root: string, content: XmlNode, namespace?: string): string {
  const attributes = namespace ? ` xmlns="${namespace}"` : '';
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root}${attributes}>${render(content)}</${root}>`;
}

function render(node: XmlNode): string {
  let out = '';
  for (const [name, value] of Object.entries(node)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) {
      for (const item of value as readonly XmlNode[]) out += `<${name}>${render(item)}</${name}>`;
    } else if (typeof value === 'object') {
      out += `<${name}>${render(value as XmlNode)}</${name}>`;
    } else {
      out += `<${name}>${escapeXml(String(value))}</${name}>`;
    }
  }
  return out;
}
