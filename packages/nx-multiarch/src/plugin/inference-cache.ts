/**
 * What inference read and derived per project, kept between graph computations in Nx's workspace data directory, the
 * way Nx's own plugins keep theirs. An entry holds every question its computation asked of the files (path and digest of
 * the answer: content, absence, folder listing) and is used only while each still gets the same answer; the whole file
 * is used only for the same plugin code, raw options (it keeps their validated form too) and workspace root. A file that can't be read, or fails its checksum, is ignored.
 */
import { readdirSync, readFileSync, renameSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { workspaceDataDirectoryForWorkspace } from '../devkit';
import { PLUGIN_NAME } from '../core/conventions';
import { textDigest } from '../core/digest';
import { unchanged, type Read, type WorkspaceFiles } from './workspace-files';

interface Entry<T> {
  reads: Read[];
  value: T;
}

interface CacheFile<T, O> {
  key: string;
  options: O;
  entries: Record<string, Entry<T>>;
}

/** The plugin's own code (its version and every module beside this one): a rebuilt plugin may infer differently. */
export function codeFingerprint(codeRoot = dirname(__dirname)): string {
  const modules: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.(js|ts)$/.test(entry.name) && !/\.(spec|d)\.ts$|\.spec\.js$/.test(entry.name)) modules.push(path);
    }
  };
  walk(codeRoot);
  const version = JSON.parse(readFileSync(join(codeRoot, '..', 'package.json'), 'utf8')).version as string;
  return textDigest([version, ...modules.map((path) => `${path.slice(codeRoot.length)}\n${readFileSync(path, 'utf8')}`)].join('\n'));
}

/** Written by the build (npm run build): the built code's fingerprint, read instead of hashing every module (about 20 ms). */
export const CODE_FINGERPRINT_FILE = 'code-fingerprint.txt';

function builtFingerprint(): string {
  try {
    return readFileSync(join(dirname(__dirname), CODE_FINGERPRINT_FILE), 'utf8').trim();
  } catch {
    return codeFingerprint(); // running from src/ (the unit specs): no build wrote one
  }
}

let fingerprint: string | undefined;
const pluginCode = () => (fingerprint ??= builtFingerprint());

export function inferenceCachePath(workspaceRoot: string, options: unknown): string {
  return join(workspaceDataDirectoryForWorkspace(workspaceRoot), `${PLUGIN_NAME}-${textDigest(JSON.stringify(options ?? {}))}.hash`);
}

/** The file's first line is the digest of the rest: a file cut short or damaged is told from one this code wrote. */
const serialise = <T, O>(file: CacheFile<T, O>) => {
  const body = JSON.stringify(file);
  return `${textDigest(body)}\n${body}`;
};

function load<T, O>(path: string, key: string): Pick<CacheFile<T, O>, 'entries'> & Partial<CacheFile<T, O>> {
  let file: CacheFile<T, O>;
  try {
    const text = readFileSync(path, 'utf8');
    const newline = text.indexOf('\n');
    const body = text.slice(newline + 1);
    if (newline < 0 || text.slice(0, newline) !== textDigest(body)) return { entries: {} };
    file = JSON.parse(body);
  } catch {
    return { entries: {} }; // none yet, or unreadable: computed afresh and written again
  }
  const valid = file && typeof file === 'object' && file.key === key && file.entries && typeof file.entries === 'object' && file.options;
  return valid ? file : { entries: {} };
}

/** Written whole to a temporary file and renamed over the old one: a reader sees the old file or the new one. */
function writeAtomically(path: string, text: string): void {
  const temporary = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(temporary, text);
    renameSync(temporary, path);
  } catch {
    rmSync(temporary, { force: true }); // a read-only workspace still gets its graph, only slower next time
  }
}

export interface InferenceCache<T, O> {
  /** The validated options kept with the entries: the raw options they were validated from are the ones given now. */
  options: O | undefined;
  /** The value computed for `name` when every file it read still reads the same; undefined otherwise. */
  lookup(name: string, files: WorkspaceFiles): T | undefined;
  store(name: string, reads: Read[], value: T): void;
  /** Writes the entries of this computation (only these: projects gone since are dropped) when any changed. */
  save(options: O): void;
}

/** The cache of one plugin registration, with its options as nx.json gives them. */
export function openInferenceCache<T, O>(workspaceRoot: string, rawOptions: unknown): InferenceCache<T, O> {
  const path = inferenceCachePath(workspaceRoot, rawOptions);
  const key = textDigest(JSON.stringify({ code: pluginCode(), workspaceRoot, options: rawOptions ?? {} }));
  const kept = load<T, O>(path, key);
  const previous = kept.entries;
  const current: Record<string, Entry<T>> = {};
  let changed = false;
  return {
    options: kept.options,
    lookup(name, files) {
      const entry = Object.hasOwn(previous, name) ? previous[name] : undefined;
      if (!entry || !Array.isArray(entry.reads) || !unchanged(files, entry.reads)) return undefined;
      current[name] = entry;
      return entry.value;
    },
    store(name, reads, value) {
      current[name] = { reads, value };
      changed = true;
    },
    save(options) {
      const dropped = Object.keys(previous).some((name) => !Object.hasOwn(current, name));
      if (changed || dropped || !kept.options) writeAtomically(path, serialise({ key, options, entries: current }));
    },
  };
}
