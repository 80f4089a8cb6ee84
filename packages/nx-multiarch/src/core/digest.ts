import { createHash } from 'node:crypto';

/** sha256 of a text, hex: the one content key (parsed Dockerfiles, the inference cache). */
export const textDigest = (text: string): string => createHash('sha256').update(text).digest('hex');
