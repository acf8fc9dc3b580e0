/**
 * Readers for detection annotation files: PASCAL VOC XML, plain text (one box per line) and COCO
 * JSON. Every malformed file gets an error naming the file, the line and what was expected.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { UserError } from '../../util/errors.ts';
import { checkBox, xywhToXyxy, type Box } from './boxes.ts';
import type { CocoDt, CocoGt } from './coco.ts';
import type { Detection, GroundTruth } from './voc.ts';

export type BoxFormat = 'xyxy' | 'xywh';

function listFiles(dir: string, ext: string): string[] {
  let st;
  try {
    st = statSync(dir);
  } catch {
    throw new UserError(`${dir}: no such file or directory`);
  }
  if (!st.isDirectory()) throw new UserError(`${dir}: expected a directory of ${ext} files`);
  return readdirSync(dir)
    .filter((f) => extname(f).toLowerCase() === ext)
    .sort()
    .map((f) => join(dir, f));
}

function tag(xml: string, name: string): string | undefined {
  const m = new RegExp(`<${name}>\\s*([^<]*?)\\s*</${name}>`).exec(xml);
  return m?.[1];
}

/** Ground truths from a directory of VOC XML files (the image is the file's base name). */
export function readVocXmlDir(dir: string): { gts: GroundTruth[]; images: string[] } {
  const gts: GroundTruth[] = [];
  const images: string[] = [];
  for (const file of listFiles(dir, '.xml')) {
    const xml = readFileSync(file, 'utf8');
    if (!/<annotation[\s>]/.test(xml)) throw new UserError(`${file}: not a PASCAL VOC annotation (no <annotation> element)`);
    const image = basename(file, '.xml');
    images.push(image);
    const objects = xml.match(/<object>[\s\S]*?<\/object>/g) ?? [];
    objects.forEach((obj, i) => {
      const name = tag(obj, 'name');
      const coords = ['xmin', 'ymin', 'xmax', 'ymax'].map((k) => Number(tag(obj, k)));
      if (!name) throw new UserError(`${file}: object ${i + 1} has no <name>`);
      if (coords.some((v) => !Number.isFinite(v))) throw new UserError(`${file}: object ${i + 1} needs numeric <bndbox> xmin, ymin, xmax, ymax`);
      checkBox(coords, `${file}: object ${i + 1}`);
      gts.push({ image, cls: name, box: coords as Box, difficult: tag(obj, 'difficult') === '1' });
    });
  }
  return { gts, images };
}

function parseLines(file: string, withScore: boolean, format: BoxFormat): Array<{ cls: string; score: number; box: Box }> {
  const out: Array<{ cls: string; score: number; box: Box }> = [];
  readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .forEach((line, i) => {
      const parts = line.trim().split(/\s+/);
      if (parts.length === 1 && parts[0] === '') return;
      const want = withScore ? 6 : 5;
      const shape = withScore ? '<class> <confidence> <4 box numbers>' : '<class> <4 box numbers>';
      if (parts.length !== want) throw new UserError(`${file}:${i + 1}: expected ${shape}, got '${line.trim()}'`);
      const nums = parts.slice(1).map(Number);
      if (nums.some((v) => !Number.isFinite(v))) throw new UserError(`${file}:${i + 1}: expected numbers after the class name, got '${line.trim()}'`);
      const raw = withScore ? nums.slice(1) : nums;
      if (format === 'xywh' && (raw[2]! < 0 || raw[3]! < 0)) throw new UserError(`${file}:${i + 1}: negative box size in '${line.trim()}'`);
      const box = format === 'xywh' ? xywhToXyxy(raw) : (raw as Box);
      checkBox(box, `${file}:${i + 1}`);
      out.push({ cls: parts[0]!, score: withScore ? nums[0]! : 1, box });
    });
  return out;
}

/** Ground truths from a directory of text files, one `<class> <box>` per line. */
export function readGtTextDir(dir: string, format: BoxFormat): { gts: GroundTruth[]; images: string[] } {
  const gts: GroundTruth[] = [];
  const images: string[] = [];
  for (const file of listFiles(dir, '.txt')) {
    const image = basename(file, '.txt');
    images.push(image);
    for (const r of parseLines(file, false, format)) gts.push({ image, cls: r.cls, box: r.box });
  }
  return { gts, images };
}

/** Detections from a directory of text files, one `<class> <confidence> <box>` per line. */
export function readDetTextDir(dir: string, format: BoxFormat): Detection[] {
  const dets: Detection[] = [];
  for (const file of listFiles(dir, '.txt')) {
    const image = basename(file, '.txt');
    for (const r of parseLines(file, true, format)) dets.push({ image, cls: r.cls, score: r.score, box: r.box });
  }
  return dets;
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new UserError(`${file}: cannot read the file`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UserError(`${file}: not valid JSON (${(e as Error).message})`);
  }
}

/** A COCO box: four finite numbers [x, y, width, height]. */
function isBox(b: unknown): b is number[] {
  return Array.isArray(b) && b.length === 4 && b.every((x) => typeof x === 'number' && Number.isFinite(x));
}

export function readCocoGt(file: string): CocoGt {
  const v = readJson(file) as CocoGt;
  if (!v || typeof v !== 'object' || !Array.isArray(v.images) || !Array.isArray(v.annotations) || !Array.isArray(v.categories)) {
    throw new UserError(`${file}: a COCO ground-truth file needs "images", "annotations" and "categories" arrays`);
  }
  // Every entry checked here, so that a null or a missing field is named instead of failing deep in the evaluation.
  v.images.forEach((im, i) => {
    if (typeof im?.id !== 'number') throw new UserError(`${file}: images[${i}] is ${JSON.stringify(im)?.slice(0, 80)}; expected {"id": number, ...}`);
  });
  v.categories.forEach((c, i) => {
    if (typeof c?.id !== 'number') throw new UserError(`${file}: categories[${i}] is ${JSON.stringify(c)?.slice(0, 80)}; expected {"id": number, "name": ...}`);
  });
  v.annotations.forEach((a, i) => {
    if (typeof a?.image_id !== 'number' || typeof a?.category_id !== 'number' || !isBox(a?.bbox)) {
      throw new UserError(`${file}: annotations[${i}] is ${JSON.stringify(a)?.slice(0, 80)}; expected {"image_id": number, "category_id": number, "bbox": [x, y, w, h], ...}`);
    }
    if (a.area !== undefined && (typeof a.area !== 'number' || !Number.isFinite(a.area))) throw new UserError(`${file}: annotations[${i}].area is not a number`);
  });
  return v;
}

/** COCO results: a list of {image_id, category_id, bbox, score}, or an object with such an "annotations" list. */
export function readCocoDt(file: string): CocoDt[] {
  const v = readJson(file) as CocoDt[] | { annotations?: CocoDt[] };
  const list = Array.isArray(v) ? v : v && Array.isArray(v.annotations) ? v.annotations : null;
  if (!list) throw new UserError(`${file}: COCO detections must be a list of {image_id, category_id, bbox, score} (or an object with an "annotations" list)`);
  list.forEach((d, i) => {
    if (typeof d?.image_id !== 'number' || typeof d?.category_id !== 'number' || typeof d?.score !== 'number' || !Number.isFinite(d.score) || !isBox(d?.bbox)) {
      throw new UserError(`${file}: detection ${i} is ${JSON.stringify(d)?.slice(0, 80)}; expected numeric image_id, category_id, score and a bbox [x, y, w, h]`);
    }
  });
  return list;
}
