/**
 * A procedural, seeded dataset of images with circles, squares and triangles: several per image, of
 * varied size, colour, rotation and overlap, on a noisy background. Each image comes with
 *
 *   image     Float32Array [H * W * 3], RGB in [0, 1], channels-last (row-major, y then x)
 *   semantic  Uint8Array [H * W]: 0 background, 1 circle, 2 square, 3 triangle (the top-most shape)
 *   instance  Uint8Array [H * W]: 0 background, i + 1 where object i is visible
 *   objects   class (0 circle, 1 square, 2 triangle), box [x1, y1, x2, y2] in pixels (x2, y2
 *             exclusive: the tight box of the shape's full footprint, occluded parts included, as
 *             COCO boxes are), area (visible pixels) and fullArea
 *
 * Image i of seed s is the same whatever n is (each image has its own stream, derived from s and i).
 * A shape may cover others, but never leaves one with less than `minVisible` of its pixels showing.
 */
import { Rng } from '../util/rng.ts';
import { UserError } from '../util/errors.ts';

export const SHAPE_CLASSES = ['circle', 'square', 'triangle'] as const;
export type ShapeClass = 0 | 1 | 2;

export interface ShapesOptions {
  /** Image side in pixels (default 64). */
  size?: number;
  /** Objects per image, drawn uniformly from [minObjects, maxObjects] (default 1..4). */
  minObjects?: number;
  maxObjects?: number;
  /** Shape radius (centre to corner / edge of circle) as a fraction of size (default 0.08..0.25). */
  minRadius?: number;
  maxRadius?: number;
  /** Std of the Gaussian pixel noise (default 0.05). */
  noise?: number;
  /** A shape placed later may cover earlier ones, leaving at least this fraction visible (default 0.4). */
  minVisible?: number;
}

export interface ShapeObject {
  cls: ShapeClass;
  box: [number, number, number, number];
  area: number;
  fullArea: number;
}

export interface ShapesImage {
  size: number;
  image: Float32Array;
  semantic: Uint8Array;
  instance: Uint8Array;
  objects: ShapeObject[];
}

interface Resolved { size: number; minObjects: number; maxObjects: number; minRadius: number; maxRadius: number; noise: number; minVisible: number }

function resolve(o: ShapesOptions): Resolved {
  const r: Resolved = {
    size: o.size ?? 64, minObjects: o.minObjects ?? 1, maxObjects: o.maxObjects ?? 4,
    minRadius: o.minRadius ?? 0.08, maxRadius: o.maxRadius ?? 0.25, noise: o.noise ?? 0.05, minVisible: o.minVisible ?? 0.4,
  };
  if (!Number.isInteger(r.size) || r.size < 8) throw new UserError(`shapes: size must be an integer >= 8, got ${r.size}`);
  if (!Number.isInteger(r.minObjects) || r.minObjects < 0) throw new UserError(`shapes: minObjects must be an integer >= 0, got ${r.minObjects}`);
  if (!Number.isInteger(r.maxObjects) || r.maxObjects < r.minObjects || r.maxObjects > 250) {
    throw new UserError(`shapes: maxObjects must be an integer in [minObjects=${r.minObjects}, 250], got ${r.maxObjects}`);
  }
  if (!(r.minRadius > 0 && r.maxRadius >= r.minRadius && r.maxRadius <= 0.5)) {
    throw new UserError(`shapes: need 0 < minRadius <= maxRadius <= 0.5 (fractions of the size), got ${r.minRadius}..${r.maxRadius}`);
  }
  if (r.minRadius * r.size < 2) throw new UserError(`shapes: minRadius ${r.minRadius} x size ${r.size} is under 2 pixels`);
  if (!(r.noise >= 0)) throw new UserError(`shapes: noise must be >= 0, got ${r.noise}`);
  if (!(r.minVisible >= 0 && r.minVisible <= 1)) throw new UserError(`shapes: minVisible must be in [0, 1], got ${r.minVisible}`);
  return r;
}

/** Rasterise one shape: 1 where the pixel centre lies inside. */
function rasterize(cls: ShapeClass, cx: number, cy: number, r: number, angle: number, size: number): Uint8Array {
  const m = new Uint8Array(size * size);
  const verts: [number, number][] = [];
  if (cls !== 0) {
    const k = cls === 1 ? 4 : 3;
    for (let i = 0; i < k; i++) {
      const a = angle + (2 * Math.PI * i) / k;
      verts.push([cx + r * Math.cos(a), cy + r * Math.sin(a)]);
    }
  }
  const x0 = Math.max(0, Math.floor(cx - r)), x1 = Math.min(size - 1, Math.ceil(cx + r));
  const y0 = Math.max(0, Math.floor(cy - r)), y1 = Math.min(size - 1, Math.ceil(cy + r));
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const px = x + 0.5, py = y + 0.5;
      let inside: boolean;
      if (cls === 0) inside = (px - cx) ** 2 + (py - cy) ** 2 <= r * r;
      else {
        // convex polygon with counter-clockwise vertices (in y-down coordinates: all cross products >= 0)
        inside = true;
        for (let i = 0; i < verts.length && inside; i++) {
          const [ax, ay] = verts[i]!, [bx, by] = verts[(i + 1) % verts.length]!;
          if ((bx - ax) * (py - ay) - (by - ay) * (px - ax) < 0) inside = false;
        }
      }
      if (inside) m[y * size + x] = 1;
    }
  }
  return m;
}

/** A per-image seed from the dataset seed and the image index. */
function imageSeed(seed: number, index: number): string {
  return `shapes:${seed}:${index}`;
}

/** Generate image `index` of the dataset with this seed. */
export function shapesImage(seed: number, index: number, opts: ShapesOptions = {}): ShapesImage {
  const o = resolve(opts);
  if (!Number.isInteger(index) || index < 0) throw new UserError(`shapes: image index must be an integer >= 0, got ${index}`);
  const S = o.size, N = S * S;
  const rng = new Rng(imageSeed(seed, index));
  const bg = [rng.uniform(0, 0.35), rng.uniform(0, 0.35), rng.uniform(0, 0.35)];
  const want = o.minObjects + rng.int(o.maxObjects - o.minObjects + 1);
  const instance = new Uint8Array(N);
  const semantic = new Uint8Array(N);
  const objects: ShapeObject[] = [];
  const colours: number[][] = [];
  const visible: number[] = [];
  for (let attempt = 0; objects.length < want && attempt < 50 * want; attempt++) {
    const cls = rng.int(3) as ShapeClass;
    const r = S * rng.uniform(o.minRadius, o.maxRadius);
    const cx = rng.uniform(r * 0.6, S - r * 0.6), cy = rng.uniform(r * 0.6, S - r * 0.6);
    const full = rasterize(cls, cx, cy, r, rng.uniform(0, 2 * Math.PI), S);
    let fullArea = 0;
    const covered = new Array<number>(objects.length).fill(0);
    for (let p = 0; p < N; p++) {
      if (!full[p]) continue;
      fullArea++;
      const owner = instance[p]!;
      if (owner) covered[owner - 1]!++;
    }
    if (fullArea < 4) continue;
    if (objects.some((ob, i) => visible[i]! - covered[i]! < o.minVisible * ob.fullArea)) continue;
    // a colour far enough from the background to be seen
    let col: number[];
    do col = [rng.uniform(0.2, 1), rng.uniform(0.2, 1), rng.uniform(0.2, 1)];
    while (Math.hypot(col[0]! - bg[0]!, col[1]! - bg[1]!, col[2]! - bg[2]!) < 0.4);
    let x1 = S, y1 = S, x2 = 0, y2 = 0;
    const id = objects.length + 1;
    for (let p = 0; p < N; p++) {
      if (!full[p]) continue;
      const x = p % S, y = (p - x) / S;
      if (x < x1) x1 = x;
      if (y < y1) y1 = y;
      if (x + 1 > x2) x2 = x + 1;
      if (y + 1 > y2) y2 = y + 1;
      instance[p] = id;
      semantic[p] = cls + 1;
    }
    covered.forEach((c, i) => (visible[i] = visible[i]! - c));
    visible.push(fullArea);
    objects.push({ cls, box: [x1, y1, x2, y2], area: 0, fullArea });
    colours.push(col);
  }
  const image = new Float32Array(N * 3);
  for (let p = 0; p < N; p++) {
    const id = instance[p]!;
    const c = id ? colours[id - 1]! : bg;
    if (id) objects[id - 1]!.area++;
    for (let ch = 0; ch < 3; ch++) {
      const v = c[ch]! + (o.noise > 0 ? rng.normal(0, o.noise) : 0);
      image[p * 3 + ch] = v < 0 ? 0 : v > 1 ? 1 : v;
    }
  }
  return { size: S, image, semantic, instance, objects };
}

export interface ShapesBatch {
  n: number;
  size: number;
  /** [n, size, size, 3] flattened. */
  images: Float32Array;
  /** [n, size, size] flattened, 0 background, 1 + class. */
  semantic: Uint8Array;
  objects: ShapeObject[][];
}

/** Images start..start+n-1 of the dataset with this seed, packed into flat arrays. */
export function shapesBatch(seed: number, n: number, opts: ShapesOptions = {}, start = 0): ShapesBatch {
  if (!Number.isInteger(n) || n < 0) throw new UserError(`shapes: n must be an integer >= 0, got ${n}`);
  const S = resolve(opts).size;
  const images = new Float32Array(n * S * S * 3);
  const semantic = new Uint8Array(n * S * S);
  const objects: ShapeObject[][] = [];
  for (let i = 0; i < n; i++) {
    const im = shapesImage(seed, start + i, opts);
    images.set(im.image, i * S * S * 3);
    semantic.set(im.semantic, i * S * S);
    objects.push(im.objects);
  }
  return { n, size: S, images, semantic, objects };
}
