import { Parser, type ReadEntry } from 'tar';

export interface TarEntry {
  readonly path: string;
  readonly mode: number | undefined;
  readonly uid: number | undefined;
  readonly gid: number | undefined;
  readonly uname: string | undefined;
  readonly mtime: string | undefined;
  readonly body: string;
}

/** Reads a (gzipped) tar held in memory, synchronously, with each entry's header fields and text. */
export function tarEntries(bytes: Uint8Array): TarEntry[] {
  const entries: TarEntry[] = [];
  const parser = new Parser({
    onReadEntry: (entry: ReadEntry) => {
      const chunks: Buffer[] = [];
      entry.on('data', (chunk: Buffer) => chunks.push(chunk));
      entry.on('end', () =>
        entries.push({
          path: entry.path,
          mode: entry.mode,
          uid: entry.uid,
          gid: entry.gid,
          uname: entry.uname,
          mtime: entry.mtime?.toISOString(),
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    },
  });
  parser.end(Buffer.from(bytes));
  return entries;
}
