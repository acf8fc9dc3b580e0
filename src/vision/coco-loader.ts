/**
 * A loader for a COCO-format instances dataset on disk: an annotation json (images, annotations,
 * categories, as `instances_*.json`) and an image folder.
 *
 * Images: PNG (pngjs) and JPEG (jpeg-js), both pure JavaScript, and binary/ASCII PPM (P6/P3) and
 * PGM (P5/P2) with maxval <= 255, told apart by their first bytes; a corrupt file is refused with
 * its path and the decoder's reason.
 * Segmentations: polygons (rasterised at pixel centres, even-odd rule) and uncompressed RLE
 * ({counts: number[], size: [h, w]}, column-major as in pycocotools); compressed RLE strings are
 * refused with a clear error.
 *
 * `writeShapesCoco` writes the procedural shapes dataset (src/vision/shapes.ts) in this format.
 */
import { readFileSync, existsSync, mkdirSync } from 'node:fs';
import { join, extname } from 'node:path';
import { PNG } from 'pngjs';
import jpeg from 'jpeg-js';
import { UserError } from '../util/errors.ts';
import { writeFileAtomic, writeJsonAtomic } from '../util/fs.ts';
import { shapesImage, SHAPE_CLASSES, type ShapesOptions } from './shapes.ts';

export interface CocoImageInfo { id: number; file_name: string; width: number; height: number }
export interface CocoAnnotation {
  id: number; image_id: number; category_id: number;
  /** [x, y, width, height] in pixels, as COCO. */
  bbox: [number, number, number, number];
  area?: number; iscrowd?: 0 | 1;
  segmentation?: number[][] | { counts: number[] | string; size: [number, number] };
}
export interface CocoCategory { id: number; name: string; supercategory?: string }
export interface CocoInstances { images: CocoImageInfo[]; annotations: CocoAnnotation[]; categories: CocoCategory[] }

export interface DecodedImage { width: number; height: number; channels: 1 | 3; /** [h * w * channels] in [0, 1] */ data: Float32Array }

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Parse and validate an instances json; every problem names the entry and the field. */
export function parseCocoInstances(text: string, what = 'annotation file'): CocoInstances {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new UserError(`${what}: not valid JSON (${(e as Error).message})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new UserError(`${what}: expected a JSON object with images, annotations and categories`);
  const o = raw as Record<string, unknown>;
  for (const k of ['images', 'annotations', 'categories']) {
    if (!Array.isArray(o[k])) throw new UserError(`${what}: missing array '${k}' (COCO instances format)`);
  }
  const images = o['images'] as Record<string, unknown>[];
  const anns = o['annotations'] as Record<string, unknown>[];
  const cats = o['categories'] as Record<string, unknown>[];
  const imageIds = new Set<number>();
  images.forEach((im, i) => {
    if (typeof im !== 'object' || im === null) throw new UserError(`${what}: images[${i}] is not an object`);
    if (!Number.isInteger(im['id'])) throw new UserError(`${what}: images[${i}].id must be an integer`);
    if (typeof im['file_name'] !== 'string' || im['file_name'] === '') throw new UserError(`${what}: images[${i}].file_name must be a non-empty string`);
    for (const k of ['width', 'height']) {
      if (!Number.isInteger(im[k]) || (im[k] as number) < 1) throw new UserError(`${what}: images[${i}].${k} must be an integer >= 1, got ${JSON.stringify(im[k])}`);
    }
    if (imageIds.has(im['id'] as number)) throw new UserError(`${what}: images[${i}].id ${im['id']} is used twice`);
    imageIds.add(im['id'] as number);
  });
  const catIds = new Set<number>();
  cats.forEach((c, i) => {
    if (typeof c !== 'object' || c === null || !Number.isInteger(c['id']) || typeof c['name'] !== 'string') {
      throw new UserError(`${what}: categories[${i}] must have an integer id and a string name`);
    }
    catIds.add(c['id'] as number);
  });
  anns.forEach((a, i) => {
    if (typeof a !== 'object' || a === null) throw new UserError(`${what}: annotations[${i}] is not an object`);
    if (!imageIds.has(a['image_id'] as number)) throw new UserError(`${what}: annotations[${i}].image_id ${JSON.stringify(a['image_id'])} names no image`);
    if (!catIds.has(a['category_id'] as number)) throw new UserError(`${what}: annotations[${i}].category_id ${JSON.stringify(a['category_id'])} names no category`);
    const b = a['bbox'];
    if (!Array.isArray(b) || b.length !== 4 || !b.every(isNum) || (b[2] as number) < 0 || (b[3] as number) < 0) {
      throw new UserError(`${what}: annotations[${i}].bbox must be [x, y, width, height] with width, height >= 0, got ${JSON.stringify(b)}`);
    }
  });
  return raw as CocoInstances;
}

/** Decode a PPM (P3/P6) or PGM (P2/P5) image with maxval <= 255. */
export function decodePnm(bytes: Uint8Array, what = 'image'): DecodedImage {
  let pos = 0;
  const token = (): string => {
    for (;;) {
      while (pos < bytes.length && /\s/.test(String.fromCharCode(bytes[pos]!))) pos++;
      if (bytes[pos] === 0x23) { while (pos < bytes.length && bytes[pos] !== 0x0a) pos++; continue; } // '#' comment
      break;
    }
    const start = pos;
    while (pos < bytes.length && !/\s/.test(String.fromCharCode(bytes[pos]!))) pos++;
    return String.fromCharCode(...bytes.subarray(start, pos));
  };
  const magic = token();
  if (!['P2', 'P3', 'P5', 'P6'].includes(magic)) throw new UserError(`${what}: not a PPM/PGM file (magic '${magic.slice(0, 4)}', expected P2, P3, P5 or P6)`);
  const w = Number(token()), h = Number(token()), max = Number(token());
  if (!Number.isInteger(w) || w < 1 || !Number.isInteger(h) || h < 1) throw new UserError(`${what}: bad PNM size ${w}x${h}`);
  if (!Number.isInteger(max) || max < 1 || max > 255) throw new UserError(`${what}: PNM maxval must be 1..255, got ${max}`);
  const channels = magic === 'P3' || magic === 'P6' ? 3 : 1;
  const n = w * h * channels;
  const data = new Float32Array(n);
  if (magic === 'P5' || magic === 'P6') {
    pos++; // the single whitespace after maxval
    if (bytes.length - pos < n) throw new UserError(`${what}: truncated PNM pixel data (${bytes.length - pos} of ${n} bytes)`);
    for (let i = 0; i < n; i++) data[i] = bytes[pos + i]! / max;
  } else {
    for (let i = 0; i < n; i++) {
      const v = Number(token());
      if (!Number.isInteger(v) || v < 0 || v > max) throw new UserError(`${what}: bad or missing PNM sample ${i} of ${n}`);
      data[i] = v / max;
    }
  }
  return { width: w, height: h, channels, data };
}

/** Encode RGB [h * w * 3] values in [0, 1] as binary PPM (P6). */
export function encodePpm(width: number, height: number, rgb: Float32Array): Uint8Array {
  if (rgb.length !== width * height * 3) throw new Error(`encodePpm: expected ${width * height * 3} values, got ${rgb.length}`);
  const head = new TextEncoder().encode(`P6\n${width} ${height}\n255\n`);
  const out = new Uint8Array(head.length + rgb.length);
  out.set(head);
  for (let i = 0; i < rgb.length; i++) out[head.length + i] = Math.round(Math.min(1, Math.max(0, rgb[i]!)) * 255);
  return out;
}

/** Read and decode one image file by extension. */
/** RGBA bytes (as PNG and JPEG decoders give them) to RGB floats in [0, 1]. */
function fromRgba(rgba: Uint8Array, width: number, height: number): DecodedImage {
  const data = new Float32Array(width * height * 3);
  for (let i = 0, j = 0; i < width * height; i++, j += 4) {
    data[3 * i] = rgba[j]! / 255;
    data[3 * i + 1] = rgba[j + 1]! / 255;
    data[3 * i + 2] = rgba[j + 2]! / 255;
  }
  return { width, height, channels: 3, data };
}

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47];
const JPEG_MAGIC = [0xff, 0xd8, 0xff];
const startsWith = (b: Uint8Array, magic: number[]): boolean => magic.every((v, i) => b[i] === v);

/**
 * Read an image file, by its contents (not its extension): PNG (pngjs), JPEG (jpeg-js), or
 * binary/ASCII PPM and PGM. Colour images come back as RGB, grey ones as one channel; alpha is
 * dropped. A corrupt or unsupported file gives a UserError naming it.
 */
export function readImage(path: string): DecodedImage {
  if (!existsSync(path)) throw new UserError(`image file not found: ${path}`);
  const bytes = new Uint8Array(readFileSync(path));
  if (startsWith(bytes, PNG_MAGIC)) {
    try {
      const png = PNG.sync.read(Buffer.from(bytes));
      return fromRgba(png.data, png.width, png.height);
    } catch (e) {
      throw new UserError(`${path}: not a readable PNG (${(e as Error).message})`);
    }
  }
  if (startsWith(bytes, JPEG_MAGIC)) {
    try {
      const jpg = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 1024 });
      return fromRgba(jpg.data, jpg.width, jpg.height);
    } catch (e) {
      throw new UserError(`${path}: not a readable JPEG (${(e as Error).message})`);
    }
  }
  if (bytes[0] === 0x50 /* 'P' */) return decodePnm(bytes, path);
  throw new UserError(`${path}: unsupported image format (${extname(path) || 'no extension'}); expected PNG, JPEG, PPM or PGM`);
}

/** Rasterise a COCO segmentation into a [h * w] 0/1 mask. */
export function segmentationMask(seg: NonNullable<CocoAnnotation['segmentation']>, width: number, height: number): Uint8Array {
  const m = new Uint8Array(width * height);
  if (Array.isArray(seg)) {
    for (const poly of seg) {
      if (!Array.isArray(poly) || poly.length < 6 || poly.length % 2 || !poly.every(isNum)) {
        throw new UserError(`segmentation polygon must be [x1, y1, x2, y2, ...] with >= 3 points, got ${JSON.stringify(poly).slice(0, 80)}`);
      }
      const k = poly.length / 2;
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const px = x + 0.5, py = y + 0.5;
          let inside = false;
          for (let i = 0, j = k - 1; i < k; j = i++) {
            const xi = poly[2 * i]!, yi = poly[2 * i + 1]!, xj = poly[2 * j]!, yj = poly[2 * j + 1]!;
            if (yi > py !== yj > py && px < ((xj - xi) * (py - yi)) / (yj - yi) + xi) inside = !inside;
          }
          if (inside) m[y * width + x] = 1;
        }
      }
    }
    return m;
  }
  if (typeof seg.counts === 'string') throw new UserError('compressed RLE segmentations (string counts) are not supported; convert them to polygons or uncompressed RLE');
  const [h, w] = seg.size;
  if (h !== height || w !== width) throw new UserError(`RLE size [${h}, ${w}] differs from the image's [${height}, ${width}]`);
  let p = 0, val = 0;
  for (const c of seg.counts) {
    if (!Number.isInteger(c) || c < 0 || p + c > h * w) throw new UserError(`RLE counts overrun the ${h}x${w} image or are not whole numbers`);
    // column-major: index p is row p % h, column floor(p / h)
    if (val) for (let q = p; q < p + c; q++) m[(q % h) * w + Math.floor(q / h)] = 1;
    p += c;
    val ^= 1;
  }
  return m;
}

export interface CocoSample {
  image: DecodedImage;
  info: CocoImageInfo;
  annotations: CocoAnnotation[];
}

/** A COCO dataset on disk: annotations held in memory, images decoded on demand. */
export class CocoDataset {
  readonly instances: CocoInstances;
  private readonly byImage = new Map<number, CocoAnnotation[]>();

  constructor(readonly annotationFile: string, readonly imageDir: string) {
    if (!existsSync(annotationFile)) throw new UserError(`annotation file not found: ${annotationFile}`);
    this.instances = parseCocoInstances(readFileSync(annotationFile, 'utf8'), annotationFile);
    for (const a of this.instances.annotations) {
      const list = this.byImage.get(a.image_id) ?? [];
      list.push(a);
      this.byImage.set(a.image_id, list);
    }
  }

  get length(): number {
    return this.instances.images.length;
  }

  /** Sample i (in the order of the json's images array). */
  get(i: number): CocoSample {
    const info = this.instances.images[i];
    if (!info) throw new UserError(`image index ${i} out of range [0, ${this.length})`);
    const image = readImage(join(this.imageDir, info.file_name));
    if (image.width !== info.width || image.height !== info.height) {
      throw new UserError(`${info.file_name}: image is ${image.width}x${image.height} but the annotation file says ${info.width}x${info.height}`);
    }
    return { image, info, annotations: this.byImage.get(info.id) ?? [] };
  }

  /** Per-pixel class map (0 background, else category id) of image i; later annotations on top. */
  semanticMask(i: number): Uint8Array {
    const info = this.instances.images[i];
    if (!info) throw new UserError(`image index ${i} out of range [0, ${this.length})`);
    const out = new Uint8Array(info.width * info.height);
    for (const a of this.byImage.get(info.id) ?? []) {
      if (!a.segmentation) continue;
      const m = segmentationMask(a.segmentation, info.width, info.height);
      for (let p = 0; p < m.length; p++) if (m[p]) out[p] = a.category_id;
    }
    return out;
  }
}

/** Uncompressed, column-major COCO RLE of a 0/1 mask. */
export function maskToRle(mask: Uint8Array, width: number, height: number): { counts: number[]; size: [number, number] } {
  const counts: number[] = [];
  let val = 0, run = 0;
  for (let x = 0; x < width; x++) {
    for (let y = 0; y < height; y++) {
      const v = mask[y * width + x] ? 1 : 0;
      if (v !== val) { counts.push(run); run = 0; val = v; }
      run++;
    }
  }
  counts.push(run);
  return { counts, size: [height, width] };
}

/** Write images 0..n-1 of the shapes dataset as PPM files plus instances.json under dir. */
export function writeShapesCoco(dir: string, seed: number, n: number, opts: ShapesOptions = {}): string {
  mkdirSync(join(dir, 'images'), { recursive: true });
  const inst: CocoInstances = { images: [], annotations: [], categories: SHAPE_CLASSES.map((name, i) => ({ id: i + 1, name, supercategory: 'shape' })) };
  for (let i = 0; i < n; i++) {
    const im = shapesImage(seed, i, opts);
    const S = im.size;
    const file = `${String(i).padStart(6, '0')}.ppm`;
    writeFileAtomic(join(dir, 'images', file), encodePpm(S, S, im.image));
    inst.images.push({ id: i + 1, file_name: file, width: S, height: S });
    im.objects.forEach((ob, k) => {
      const mask = new Uint8Array(S * S);
      for (let p = 0; p < S * S; p++) if (im.instance[p] === k + 1) mask[p] = 1;
      const [x1, y1, x2, y2] = ob.box;
      inst.annotations.push({
        id: inst.annotations.length + 1, image_id: i + 1, category_id: ob.cls + 1,
        bbox: [x1, y1, x2 - x1, y2 - y1], area: ob.area, iscrowd: 0, segmentation: maskToRle(mask, S, S),
      });
    });
  }
  const file = join(dir, 'instances.json');
  writeJsonAtomic(file, inst);
  return file;
}
