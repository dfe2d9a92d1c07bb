/**
 * The photo upload form (multipart/form-data): one file field `photo` and, optionally, the fields
 * of a feedback answer (moved, sheltered, atRisk, note, clientKey, answeredAt) as text. Parsed by
 * @fastify/multipart with hard limits, so a phone cannot send the server more than one photo.
 */
import type { FastifyRequest } from 'fastify';
import { AppError, ValidationError, type FieldError } from '@anlan/core';
import { CLIENT_KEY_PATTERN, MAX_COUNT, NOTE_MAX, type AnswerBody } from './answer-input.ts';
import { PHOTO_MAX_BYTES } from './photos.ts';

const FIELDS = new Set(['kind', 'moved', 'sheltered', 'atRisk', 'note', 'clientKey', 'answeredAt']);

export async function readPhotoForm(request: FastifyRequest): Promise<{ body: AnswerBody; photo: Buffer }> {
  if (!request.isMultipart()) throw new ValidationError([{ field: 'body', message: 'send multipart/form-data with the photo in a file field "photo"' }]);
  const fields: Record<string, string> = {};
  let photo: Buffer | null = null;
  try {
    for await (const part of request.parts({ limits: { fileSize: PHOTO_MAX_BYTES, files: 1, fields: 12, fieldSize: 4000, parts: 14 } })) {
      if (part.type === 'file') {
        const data = await part.toBuffer();
        if (part.fieldname !== 'photo') throw new ValidationError([{ field: part.fieldname, message: 'unknown file field; send the photo as "photo"' }]);
        photo = data;
      } else {
        if (!FIELDS.has(part.fieldname)) throw new ValidationError([{ field: part.fieldname, message: 'unknown field' }]);
        fields[part.fieldname] = String(part.value ?? '');
      }
    }
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'FST_REQ_FILE_TOO_LARGE') throw new AppError(413, 'Payload Too Large', `The photo is larger than ${PHOTO_MAX_BYTES / 1024 / 1024} MB`, [{ field: 'photo', message: `larger than ${PHOTO_MAX_BYTES / 1024 / 1024} MB` }]);
    if (code === 'FST_FILES_LIMIT') throw new ValidationError([{ field: 'photo', message: 'send one photo per request' }]);
    if (code === 'FST_FIELDS_LIMIT' || code === 'FST_PARTS_LIMIT') throw new ValidationError([{ field: 'body', message: 'too many form fields' }]);
    throw err;
  }
  if (!photo) throw new ValidationError([{ field: 'photo', message: 'is required (a file field named "photo")' }]);
  return { body: answerBodyOfFields(fields), photo };
}

/** Form fields are text: counts must be whole numbers, the kind (when given) feedback. */
export function answerBodyOfFields(fields: Record<string, string>): AnswerBody {
  const errors: FieldError[] = [];
  const body: AnswerBody = { kind: 'feedback' };
  if (fields.kind !== undefined && fields.kind !== '' && fields.kind !== 'feedback') errors.push({ field: 'kind', message: 'a photo comes with feedback: leave kind out or send "feedback"' });
  for (const key of ['moved', 'sheltered', 'atRisk'] as const) {
    const raw = fields[key]?.trim();
    if (raw === undefined || raw === '') continue;
    if (!/^[0-9]{1,7}$/.test(raw) || Number(raw) > MAX_COUNT) errors.push({ field: key, message: `must be a whole number from 0 to ${MAX_COUNT}` });
    else body[key] = Number(raw);
  }
  if (fields.note !== undefined) {
    if (fields.note.length > NOTE_MAX) errors.push({ field: 'note', message: `must be at most ${NOTE_MAX} characters` });
    else body.note = fields.note;
  }
  if (fields.clientKey) {
    if (!new RegExp(CLIENT_KEY_PATTERN).test(fields.clientKey)) errors.push({ field: 'clientKey', message: 'must be 8–64 letters, digits, _ or -' });
    else body.clientKey = fields.clientKey;
  }
  if (fields.answeredAt) body.answeredAt = fields.answeredAt;
  if (errors.length) throw new ValidationError(errors);
  return body;
}
