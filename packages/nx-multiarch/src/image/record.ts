import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RECORD_FILE } from '../core/conventions';
import { MissingBuildOutputError } from '../core/errors';
import type { LayoutImage } from './oci-layout';

/** image.json: everything docker-push (and later reports) need, beside the OCI layout in the build output. */
export interface ImageRecord {
  schemaVersion: 1;
  project: string;
  /** OCI layout folder, relative to the output folder, and the tag of the image inside it */
  layout: { path: string; tag: string };
  index: { digest: string; mediaType: string; size: number };
  /** seconds: from the first to the last engine line about that platform, when the engine names platforms */
  platforms: Array<LayoutImage & { seconds?: number }>;
  engine: { name: string; version: string };
  buildSeconds: number;
  revision?: string;
  created?: string;
}

export async function readRecord(outputDir: string): Promise<ImageRecord> {
  let text: string;
  try {
    text = await readFile(join(outputDir, RECORD_FILE), 'utf8');
  } catch {
    throw new MissingBuildOutputError(outputDir);
  }
  return JSON.parse(text) as ImageRecord;
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

export function summaryTable(record: ImageRecord): string {
  const rows = [
    ['PLATFORM', 'DIGEST', 'SIZE', 'SECONDS'],
    ...record.platforms.map((p) => [p.platform, p.digest.slice(0, 19), formatSize(p.size), (p.seconds ?? record.buildSeconds).toFixed(1)]),
    ['(index)', record.index.digest.slice(0, 19), formatSize(record.index.size), ''],
  ];
  const widths = rows[0].map((_, col) => Math.max(...rows.map((row) => row[col].length)));
  return rows
    .map((row) =>
      row
        .map((cell, col) => cell.padEnd(widths[col]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
