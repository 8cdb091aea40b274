import { fileTypeFromBuffer } from 'file-type';
import sharp from 'sharp';
import { AjudaError } from '@ajuda/protocol';

/** What the server decided a file is, from its bytes (never from the name or the client's type). */
export interface Inspected {
  contentType: string;
  /** The bytes to store: an image re-encoded (metadata such as EXIF and GPS gone), anything else as sent. */
  bytes: Buffer;
  image: { width: number; height: number; thumb: Buffer } | null;
}

const IMAGES: Record<string, 'png' | 'jpeg' | 'gif' | 'webp'> = { 'image/png': 'png', 'image/jpeg': 'jpeg', 'image/gif': 'gif', 'image/webp': 'webp' };
/** Binary types kept as sent (downloads only). */
const BINARY = new Set(['application/pdf', 'application/zip']);
/** Text files: by their extension, once the bytes are UTF-8 with no NUL and no markup. */
const TEXT: Record<string, string> = { txt: 'text/plain', log: 'text/plain', csv: 'text/csv', json: 'application/json', har: 'application/json' };
/** Markup a browser could run or render (HTML, SVG, XML), refused wherever it shows up at the start of a file. */
const MARKUP = /<\s*(!doctype|html|head|body|script|svg|iframe|object|embed|\?xml|xsl)\b/i;
/** In a PDF or ZIP: an HTML document hiding in it (XMP packets, which are XML, are normal there). */
const HTML_INSIDE = /<\s*(!doctype\s+html|html|script|svg|iframe)\b/i;
const THUMB = 320;

const refuse = (why: string) => new AjudaError('unsupported_media_type', why);

/**
 * Decide what a file is from its bytes (`file-type`) and the allow-list: PNG, JPEG, GIF, WebP (re-encoded
 * with sharp, with a thumbnail; at most `maxPixels`, against decompression bombs), PDF and ZIP (kept as
 * sent, unless markup hides in their first bytes: a polyglot), and txt/log/csv/json/har (by extension,
 * after a UTF-8 check). Anything else — SVG, HTML, XML, executables, an image that does not decode — is
 * refused with `unsupported_media_type` (415).
 */
export async function inspect(bytes: Buffer, filename: string, maxPixels: number): Promise<Inspected> {
  if (bytes.length === 0) throw refuse('the file is empty');
  const found = await fileTypeFromBuffer(bytes);
  const head = bytes.subarray(0, 4096).toString('latin1');
  if (found && IMAGES[found.mime]) return image(bytes, IMAGES[found.mime]!, found.mime, maxPixels);
  if (found && BINARY.has(found.mime)) {
    if (HTML_INSIDE.test(head)) throw refuse(`${found.ext} file with markup inside (a polyglot) is not accepted`);
    return { contentType: found.mime, bytes, image: null };
  }
  if (found) throw refuse(`${found.mime} files are not accepted`);
  const ext = /\.([A-Za-z0-9]{1,8})$/.exec(filename)?.[1]?.toLowerCase() ?? '';
  const type = TEXT[ext];
  if (!type) throw refuse(ext ? `.${ext} files are not accepted` : 'files of unknown type are not accepted');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw refuse(`a .${ext} file must be UTF-8 text`);
  }
  if (text.includes('\u0000')) throw refuse(`a .${ext} file must be text (it holds NUL bytes)`);
  if (MARKUP.test(text.slice(0, 4096))) throw refuse('HTML, SVG and XML are not accepted');
  return { contentType: `${type}; charset=utf-8`, bytes, image: null };
}

async function image(bytes: Buffer, format: 'png' | 'jpeg' | 'gif' | 'webp', mime: string, maxPixels: number): Promise<Inspected> {
  const animated = format === 'gif' || format === 'webp';
  try {
    // No withMetadata(): EXIF (GPS, camera, time), XMP and IPTC are not copied; rotate() applies the
    // EXIF orientation first so the picture still stands the right way up.
    const src = sharp(bytes, { limitInputPixels: maxPixels, failOn: 'error', animated });
    let out = src.rotate();
    out = format === 'png' ? out.png() : format === 'jpeg' ? out.jpeg({ quality: 88, mozjpeg: true }) : format === 'gif' ? out.gif() : out.webp({ quality: 88 });
    const { data, info } = await out.toBuffer({ resolveWithObject: true });
    const height = info.pageHeight ?? info.height;
    const thumb = await sharp(data, { limitInputPixels: maxPixels, animated: false }).resize(THUMB, THUMB, { fit: 'inside', withoutEnlargement: true }).webp({ quality: 80 }).toBuffer();
    return { contentType: mime, bytes: data, image: { width: info.width, height, thumb } };
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    if (/pixel limit/i.test(msg)) throw refuse(`the image is larger than ${maxPixels} pixels`);
    throw refuse(`the ${format} image could not be read`);
  }
}
