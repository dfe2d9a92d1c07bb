/**
 * Photos sent with evacuation feedback (现场照片), kept under the files directory beside the
 * database. The type is read from the bytes, not from the name or the header a phone sends; the
 * file is named by its digest, so sending the same photo again (a retried upload) stores it once.
 */
import { createHash } from 'node:crypto';
import { mkdir, rename, writeFile, stat } from 'node:fs/promises';
import { join, normalize, sep } from 'node:path';
import { ValidationError } from '@anlan/core';

/** A phone camera's JPEG is 2–6 MB. */
export const PHOTO_MAX_BYTES = 10 * 1024 * 1024;
export const PHOTO_DIR = 'warning-photos';

export interface ImageType {
  ext: 'jpg' | 'png' | 'webp' | 'heic';
  mime: string;
}

const ascii = (b: Uint8Array, from: number, to: number) => String.fromCharCode(...b.subarray(from, to));

/** JPEG, PNG, WebP or HEIC/HEIF by their signatures; null for anything else. */
export function sniffImage(b: Uint8Array): ImageType | null {
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return { ext: 'jpg', mime: 'image/jpeg' };
  if (b.length >= 8 && b[0] === 0x89 && ascii(b, 1, 4) === 'PNG' && b[4] === 0x0d && b[5] === 0x0a) return { ext: 'png', mime: 'image/png' };
  if (b.length >= 12 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WEBP') return { ext: 'webp', mime: 'image/webp' };
  if (b.length >= 12 && ascii(b, 4, 8) === 'ftyp' && ['heic', 'heix', 'mif1', 'msf1', 'heif'].includes(ascii(b, 8, 12))) return { ext: 'heic', mime: 'image/heic' };
  return null;
}

export function mimeOfPhotoPath(path: string): string {
  if (path.endsWith('.png')) return 'image/png';
  if (path.endsWith('.webp')) return 'image/webp';
  if (path.endsWith('.heic')) return 'image/heic';
  return 'image/jpeg';
}

/** Stores the photo and returns its path relative to the files directory. */
export async function savePhoto(filesDir: string, warningId: number, recipientId: number, data: Buffer): Promise<string> {
  if (data.length === 0) throw new ValidationError([{ field: 'photo', message: 'the photo is empty' }]);
  if (data.length > PHOTO_MAX_BYTES) throw new ValidationError([{ field: 'photo', message: `the photo is larger than ${PHOTO_MAX_BYTES / 1024 / 1024} MB` }]);
  const type = sniffImage(data);
  if (!type) throw new ValidationError([{ field: 'photo', message: 'must be a JPEG, PNG, WebP or HEIC image' }]);
  const name = `${createHash('sha256').update(data).digest('hex').slice(0, 32)}.${type.ext}`;
  const rel = join(PHOTO_DIR, String(warningId), String(recipientId), name);
  const abs = join(filesDir, rel);
  const exists = await stat(abs).then(() => true, () => false);
  if (!exists) {
    await mkdir(join(filesDir, PHOTO_DIR, String(warningId), String(recipientId)), { recursive: true });
    // Written aside and renamed, so a reader never sees half a photo.
    const tmp = `${abs}.${process.pid}.tmp`;
    await writeFile(tmp, data);
    await rename(tmp, abs);
  }
  return rel;
}

/** The absolute path of a stored photo; refuses paths that would leave the photo directory. */
export function photoAbsolutePath(filesDir: string, rel: string): string {
  const clean = normalize(rel);
  if (!clean.startsWith(`${PHOTO_DIR}${sep}`) || clean.includes(`..${sep}`)) throw new Error(`not a photo path: ${rel}`);
  return join(filesDir, clean);
}
