/** A REST request body as the emulator sees it: the JSON payload and any uploaded files (multipart/form-data). */
export interface UploadedFile {
  field: string;
  name: string;
  contentType: string;
  bytes: Uint8Array;
}

export interface RequestBody {
  json: Record<string, unknown> | undefined;
  files: UploadedFile[];
  multipart: boolean;
}

export async function readBody(raw: Buffer, contentType: string | undefined): Promise<RequestBody> {
  if (raw.length === 0) return { json: undefined, files: [], multipart: false };
  if (contentType?.startsWith('multipart/form-data')) {
    // The platform's own multipart parser (undici), not a hand-rolled one.
    const form = await new Response(new Blob([new Uint8Array(raw)]), { headers: { 'content-type': contentType } }).formData();
    const files: UploadedFile[] = [];
    let json: Record<string, unknown> | undefined;
    for (const [field, value] of form.entries()) {
      if (typeof value === 'string') {
        if (field === 'payload_json') json = JSON.parse(value);
      } else {
        files.push({ field, name: value.name, contentType: value.type, bytes: new Uint8Array(await value.arrayBuffer()) });
      }
    }
    return { json, files, multipart: true };
  }
  return { json: JSON.parse(raw.toString('utf8')), files: [], multipart: false };
}
