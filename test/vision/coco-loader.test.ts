import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CocoDataset, decodePnm, encodePpm, parseCocoInstances, segmentationMask, writeShapesCoco, readImage } from '../../src/vision/coco-loader.ts';
import { shapesImage } from '../../src/vision/shapes.ts';
import { PNG } from 'pngjs';
import jpeg from 'jpeg-js';

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'tengen-coco-')); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('COCO loader', () => {
  it('round-trips the shapes dataset: images, boxes and masks as generated', () => {
    const file = writeShapesCoco(dir, 5, 4, { size: 32 });
    const ds = new CocoDataset(file, join(dir, 'images'));
    expect(ds.length).toBe(4);
    for (let i = 0; i < 4; i++) {
      const im = shapesImage(5, i, { size: 32 });
      const s = ds.get(i);
      expect(s.image.width).toBe(32);
      expect(s.image.channels).toBe(3);
      let maxErr = 0;
      for (let k = 0; k < im.image.length; k++) maxErr = Math.max(maxErr, Math.abs(s.image.data[k]! - im.image[k]!));
      expect(maxErr).toBeLessThanOrEqual(0.5 / 255 + 1e-6); // 8-bit quantisation only
      expect(s.annotations.map((a) => a.category_id)).toEqual(im.objects.map((o) => o.cls + 1));
      expect(s.annotations.map((a) => [a.bbox[0], a.bbox[1], a.bbox[0] + a.bbox[2], a.bbox[1] + a.bbox[3]])).toEqual(im.objects.map((o) => o.box));
      expect(ds.semanticMask(i)).toEqual(im.semantic);
    }
  });

  it('rasterises polygons at pixel centres and decodes ASCII PGM', () => {
    const m = segmentationMask([[1, 1, 3, 1, 3, 3, 1, 3]], 4, 4); // a 2x2 square
    expect([...m]).toEqual([0, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0]);
    const pgm = decodePnm(new TextEncoder().encode('P2\n# comment\n2 1\n4\n0 4\n'));
    expect(pgm.channels).toBe(1);
    expect([...pgm.data]).toEqual([0, 1]);
    const ppm = decodePnm(encodePpm(1, 1, new Float32Array([1, 0, 0.5])));
    expect([...ppm.data].map((v) => Math.round(v * 255))).toEqual([255, 0, 128]);
  });

  it('decodes PNG exactly and JPEG closely, by content rather than extension', () => {
    const w = 5, h = 3;
    const rgba = Buffer.alloc(w * h * 4);
    for (let i = 0; i < w * h; i++) rgba.set([(i * 17) % 256, (i * 53) % 256, (i * 101) % 256, 255], i * 4);
    const png = new PNG({ width: w, height: h });
    rgba.copy(png.data);
    const pngFile = join(dir, 'pic.png');
    writeFileSync(pngFile, PNG.sync.write(png));
    const p = readImage(pngFile);
    expect([p.width, p.height, p.channels]).toEqual([5, 3, 3]);
    for (let i = 0; i < w * h; i++) expect(Math.round(p.data[3 * i + 1]! * 255)).toBe((i * 53) % 256);
    // A flat-colour JPEG decodes to (nearly) that colour; the file is named .dat to show the extension is not used.
    const flat = Buffer.alloc(16 * 16 * 4);
    for (let i = 0; i < 256; i++) flat.set([200, 100, 50, 255], i * 4);
    const jpgFile = join(dir, 'pic.dat');
    writeFileSync(jpgFile, jpeg.encode({ data: flat, width: 16, height: 16 }, 95).data);
    const j = readImage(jpgFile);
    expect([j.width, j.height, j.channels]).toEqual([16, 16, 3]);
    expect(Math.abs(j.data[0]! * 255 - 200)).toBeLessThan(4);
    expect(Math.abs(j.data[2]! * 255 - 50)).toBeLessThan(4);
  });

  it('rejects malformed annotation files and images with clear errors', () => {
    expect(() => parseCocoInstances('{not json')).toThrow(/not valid JSON/);
    expect(() => parseCocoInstances('{"images": []}')).toThrow(/missing array 'annotations'/);
    const base = { images: [{ id: 1, file_name: 'a.ppm', width: 2, height: 2 }], categories: [{ id: 1, name: 'x' }] };
    expect(() => parseCocoInstances(JSON.stringify({ ...base, annotations: [{ id: 1, image_id: 9, category_id: 1, bbox: [0, 0, 1, 1] }] }))).toThrow(/annotations\[0\].image_id 9 names no image/);
    expect(() => parseCocoInstances(JSON.stringify({ ...base, annotations: [{ id: 1, image_id: 1, category_id: 1, bbox: [0, 0, -1, 1] }] }))).toThrow(/bbox must be \[x, y, width, height\]/);
    expect(() => parseCocoInstances(JSON.stringify({ ...base, images: [{ id: 1, file_name: 'a', width: 0, height: 2 }], annotations: [] }))).toThrow(/images\[0\].width must be an integer >= 1/);
    expect(() => decodePnm(new TextEncoder().encode('GIF89a'))).toThrow(/not a PPM\/PGM file/);
    expect(() => decodePnm(new TextEncoder().encode('P6\n4 4\n255\nabc'))).toThrow(/truncated PNM pixel data/);
    const notImage = join(dir, 'x.png');
    writeFileSync(notImage, 'x');
    expect(() => readImage(notImage)).toThrow(/x\.png: unsupported image format \(\.png\); expected PNG, JPEG, PPM or PGM/);
    const brokenPng = join(dir, 'broken.png');
    writeFileSync(brokenPng, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]));
    expect(() => readImage(brokenPng)).toThrow(/broken\.png: not a readable PNG/);
    const brokenJpg = join(dir, 'broken.jpg');
    writeFileSync(brokenJpg, Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 1]));
    expect(() => readImage(brokenJpg)).toThrow(/broken\.jpg: not a readable JPEG/);
    expect(() => segmentationMask({ counts: 'abc', size: [2, 2] }, 2, 2)).toThrow(/compressed RLE/);
    expect(() => new CocoDataset(join(dir, 'missing.json'), dir)).toThrow(/annotation file not found/);
    // an image whose size disagrees with the json
    const ann = join(dir, 'bad.json');
    writeFileSync(join(dir, 'a.ppm'), encodePpm(1, 1, new Float32Array(3)));
    writeFileSync(ann, JSON.stringify({ ...base, annotations: [] }));
    expect(() => new CocoDataset(ann, dir).get(0)).toThrow(/image is 1x1 but the annotation file says 2x2/);
  });
});
