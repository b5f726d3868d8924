import { writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { Header, type HeaderData } from 'tar';

/** One raw tar entry for building archives by hand, including ones no honest tool would make. */
export interface RawEntry {
  readonly path: string;
  readonly type?: HeaderData['type'];
  readonly body?: string;
  readonly linkpath?: string;
  readonly mode?: number;
}

/** Writes a gzipped tar made of exactly these headers and bodies, with no path clean-up at all. */
export async function writeRawTarGz(file: string, entries: readonly RawEntry[]): Promise<void> {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const body = Buffer.from(entry.body ?? '');
    const header = new Header({
      path: entry.path,
      type: entry.type ?? 'File',
      size: body.length,
      mode: entry.mode ?? (entry.type === 'Directory' ? 0o755 : 0o644),
      mtime: new Date('2020-01-01T00:00:00Z'),
      ...(entry.linkpath !== undefined ? { linkpath: entry.linkpath } : {}),
    });
    const block = Buffer.alloc(512);
    header.encode(block, 0);
    blocks.push(block, body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  await writeFile(file, gzipSync(Buffer.concat(blocks)));
}
