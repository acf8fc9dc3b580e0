import { describe, expect, it } from 'vitest';
import { shapesBatch, shapesImage } from '../../src/vision/shapes.ts';

describe('shapes dataset', () => {
  it('is deterministic from the seed, and image i does not depend on the batch size', () => {
    const a = shapesBatch(7, 5);
    const b = shapesBatch(7, 5);
    expect(a.images).toEqual(b.images);
    expect(a.semantic).toEqual(b.semantic);
    expect(a.objects).toEqual(b.objects);
    const third = shapesImage(7, 3);
    expect(third.image).toEqual(a.images.subarray(3 * 64 * 64 * 3, 4 * 64 * 64 * 3));
    const tail = shapesBatch(7, 2, {}, 3);
    expect(tail.semantic).toEqual(a.semantic.subarray(3 * 64 * 64));
    const other = shapesBatch(8, 5);
    expect(other.images).not.toEqual(a.images);
  });

  it('has masks and boxes that agree with each other and with the pixels', () => {
    const counts = [0, 0, 0];
    let overlapping = 0;
    const bad: string[] = [];
    for (let i = 0; i < 40; i++) {
      const im = shapesImage(1, i, { minObjects: 2, maxObjects: 5 });
      const S = im.size;
      expect(im.objects.length).toBeGreaterThanOrEqual(2);
      expect(im.objects.length).toBeLessThanOrEqual(5);
      const area = new Array<number>(im.objects.length).fill(0);
      for (let p = 0; p < S * S; p++) {
        const id = im.instance[p]!;
        if (id === 0) { if (im.semantic[p] !== 0) bad.push(`image ${i} pixel ${p}: background with class`); continue; }
        const ob = im.objects[id - 1]!;
        if (im.semantic[p] !== ob.cls + 1) bad.push(`image ${i} pixel ${p}: class ${im.semantic[p]} vs object ${ob.cls + 1}`);
        const x = p % S, y = Math.floor(p / S);
        if (!(x >= ob.box[0] && x < ob.box[2] && y >= ob.box[1] && y < ob.box[3])) bad.push(`image ${i} pixel ${p}: outside box`);
        area[id - 1]!++;
      }
      im.objects.forEach((ob, k) => {
        counts[ob.cls]!++;
        expect(ob.area).toBe(area[k]);
        expect(ob.area).toBeGreaterThanOrEqual(0.4 * ob.fullArea);
        if (ob.area < ob.fullArea) overlapping++;
        const [x1, y1, x2, y2] = ob.box;
        expect(0 <= x1 && x1 < x2 && x2 <= S && 0 <= y1 && y1 < y2 && y2 <= S).toBe(true);
        expect(ob.fullArea).toBeLessThanOrEqual((x2 - x1) * (y2 - y1));
      });
      for (const v of im.image) if (!(v >= 0 && v <= 1)) bad.push(`image ${i}: value ${v}`);
    }
    expect(bad).toEqual([]);
    for (const c of counts) expect(c).toBeGreaterThan(10); // all three classes appear
    expect(overlapping).toBeGreaterThan(0); // some shapes overlap
  });

  it('without noise, every pixel of one object has one colour, distinct from the background', () => {
    const im = shapesImage(3, 0, { noise: 0, minObjects: 1, maxObjects: 1 });
    const S = im.size;
    const colourAt = (p: number) => [im.image[3 * p], im.image[3 * p + 1], im.image[3 * p + 2]].join(',');
    const inside = new Set<string>(), outside = new Set<string>();
    for (let p = 0; p < S * S; p++) (im.instance[p] ? inside : outside).add(colourAt(p));
    expect(inside.size).toBe(1);
    expect(outside.size).toBe(1);
    expect([...inside][0]).not.toBe([...outside][0]);
  });

  it('rejects bad options with clear errors', () => {
    expect(() => shapesImage(1, 0, { size: -4 })).toThrow(/size must be an integer >= 8, got -4/);
    expect(() => shapesImage(1, 0, { minObjects: 3, maxObjects: 2 })).toThrow(/maxObjects must be an integer in \[minObjects=3/);
    expect(() => shapesImage(1, 0, { minRadius: 0.3, maxRadius: 0.2 })).toThrow(/minRadius <= maxRadius/);
    expect(() => shapesImage(1, -1)).toThrow(/index must be an integer >= 0/);
    expect(() => shapesBatch(1, -2)).toThrow(/n must be an integer >= 0, got -2/);
  });
});
