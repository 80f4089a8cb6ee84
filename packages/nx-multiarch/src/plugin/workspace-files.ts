/**
 * Every file inference looks at, through one door: workspace-relative paths, each answered once per graph computation.
 * The recording door keeps a digest of each answer, so the inference cache can tell later whether any of them changed.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { textDigest } from '../core/digest';

export type EntryKind = 'file' | 'dir' | 'other';

export interface FolderEntry {
  name: string;
  kind: EntryKind;
}

export interface WorkspaceFiles {
  readonly root: string;
  exists(path: string): boolean;
  /** The file's text; undefined when there is no such file. */
  read(path: string): string | undefined;
  /** The folder's entries, sorted by name; undefined when there is no such folder (or it can't be read). */
  list(path: string): FolderEntry[] | undefined;
}

/** What one question was and the digest of its answer: [operation, path, digest]. */
export type Read = [op: 'exists' | 'read' | 'list', path: string, digest: string];

const ABSENT = '-';

const isMissing = (error: unknown) => ['ENOENT', 'ENOTDIR'].includes((error as NodeJS.ErrnoException).code ?? '');

const kindOf = (entry: { isFile(): boolean; isDirectory(): boolean }): EntryKind =>
  entry.isFile() ? 'file' : entry.isDirectory() ? 'dir' : 'other';

/** The files on disk, each question asked of the disk once: one graph computation sees one state of the workspace. */
export function diskFiles(root: string): WorkspaceFiles {
  const existing = new Map<string, boolean>();
  const texts = new Map<string, string | undefined>();
  const listings = new Map<string, FolderEntry[] | undefined>();
  const remember = <T>(map: Map<string, T>, path: string, answer: () => T): T => {
    if (!map.has(path)) map.set(path, answer());
    return map.get(path) as T;
  };
  return {
    root,
    exists: (path) => remember(existing, path, () => (texts.has(path) ? texts.get(path) !== undefined : existsSync(join(root, path)))),
    read: (path) =>
      remember(texts, path, () => {
        try {
          return readFileSync(join(root, path), 'utf8');
        } catch (error) {
          if (isMissing(error)) return undefined;
          throw error;
        }
      }),
    list: (path) =>
      remember(listings, path, () => {
        try {
          return readdirSync(join(root, path), { withFileTypes: true })
            .map((entry) => ({ name: entry.name, kind: kindOf(entry) }))
            .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
        } catch {
          return undefined; // not a folder we can read: the build says why; the graph must still load
        }
      }),
  };
}

function digestOf(files: WorkspaceFiles, op: Read[0], path: string): string {
  if (op === 'exists') return files.exists(path) ? 'yes' : 'no';
  if (op === 'read') {
    const text = files.read(path);
    return text === undefined ? ABSENT : textDigest(text);
  }
  const entries = files.list(path);
  return entries === undefined ? ABSENT : textDigest(entries.map(({ name, kind }) => `${kind} ${name}`).join('\n'));
}

/** The same files, with every question and the digest of its answer written down. */
export function recordingFiles(files: WorkspaceFiles): { files: WorkspaceFiles; reads: () => Read[] } {
  const reads = new Map<string, Read>();
  const note = (op: Read[0], path: string) => {
    const key = `${op} ${path}`;
    if (!reads.has(key)) reads.set(key, [op, path, digestOf(files, op, path)]);
  };
  return {
    files: {
      root: files.root,
      exists: (path) => (note('exists', path), files.exists(path)),
      read: (path) => (note('read', path), files.read(path)),
      list: (path) => (note('list', path), files.list(path)),
    },
    reads: () => [...reads.values()],
  };
}

/** Whether every recorded question still gets the answer it got then (a question that now fails: no). */
export function unchanged(files: WorkspaceFiles, reads: readonly Read[]): boolean {
  // reads first: a file read answers whether it exists too, without asking the disk again
  const ordered = [...reads.filter(([op]) => op === 'read'), ...reads.filter(([op]) => op !== 'read')];
  try {
    return ordered.every(([op, path, digest]) => digestOf(files, op, path) === digest);
  } catch {
    return false; // inference, run again, meets the failure where it can say what it means
  }
}
