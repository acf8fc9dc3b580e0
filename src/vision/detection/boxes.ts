/**
 * Boxes, IoU and non-maximum suppression. Boxes are [x1, y1, x2, y2] corners unless said otherwise.
 */
import { UserError } from '../../util/errors.ts';

export type Box = [number, number, number, number];

export function checkBox(b: readonly number[], what = 'box'): void {
  if (b.length !== 4 || b.some((v) => !Number.isFinite(v))) throw new UserError(`${what} must be 4 finite numbers [x1, y1, x2, y2], got [${b.join(', ')}]`);
  if (b[2]! < b[0]! || b[3]! < b[1]!) throw new UserError(`${what} has negative size: [${b.join(', ')}] (expected x2 >= x1 and y2 >= y1)`);
}

/** [x, y, w, h] to corners. */
export function xywhToXyxy(b: readonly number[]): Box {
  return [b[0]!, b[1]!, b[0]! + b[2]!, b[1]! + b[3]!];
}

/**
 * Intersection over union. `pixelInclusive` adds 1 to widths and heights, the PASCAL VOC devkit's
 * convention for integer pixel boxes (a box from 1 to 1 is one pixel wide).
 */
export function iou(a: readonly number[], b: readonly number[], pixelInclusive = false): number {
  const e = pixelInclusive ? 1 : 0;
  const iw = Math.min(a[2]!, b[2]!) - Math.max(a[0]!, b[0]!) + e;
  const ih = Math.min(a[3]!, b[3]!) - Math.max(a[1]!, b[1]!) + e;
  if (iw <= 0 || ih <= 0) return 0;
  const inter = iw * ih;
  const areaA = (a[2]! - a[0]! + e) * (a[3]! - a[1]! + e);
  const areaB = (b[2]! - b[0]! + e) * (b[3]! - b[1]! + e);
  const union = areaA + areaB - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * Greedy non-maximum suppression: keep the highest-scoring box, drop those overlapping it by more
 * than `iouThreshold`, repeat. Returns kept indices in score order (ties keep input order).
 */
export function nms(boxes: readonly Box[], scores: readonly number[], iouThreshold: number, maxOut = Infinity): number[] {
  if (boxes.length !== scores.length) throw new UserError(`nms: ${boxes.length} boxes but ${scores.length} scores`);
  const order = boxes.map((_, i) => i).sort((i, j) => scores[j]! - scores[i]! || i - j);
  const removed = new Uint8Array(boxes.length);
  const keep: number[] = [];
  for (const i of order) {
    if (removed[i]) continue;
    keep.push(i);
    if (keep.length >= maxOut) break;
    for (const j of order) if (!removed[j] && j !== i && iou(boxes[i]!, boxes[j]!) > iouThreshold) removed[j] = 1;
  }
  return keep;
}

/**
 * Soft-NMS (Bodla et al. 2017): instead of dropping overlapping boxes, decay their scores, linearly
 * (s *= 1 - IoU above the threshold) or with a Gaussian (s *= exp(-IoU^2 / sigma)). Returns the
 * indices and new scores of boxes whose score stays above `scoreThreshold`, in selection order.
 */
export function softNms(
  boxes: readonly Box[],
  scores: readonly number[],
  opts: { method?: 'linear' | 'gaussian'; iouThreshold?: number; sigma?: number; scoreThreshold?: number } = {},
): Array<{ index: number; score: number }> {
  const method = opts.method ?? 'gaussian';
  const thr = opts.iouThreshold ?? 0.3;
  const sigma = opts.sigma ?? 0.5;
  const minScore = opts.scoreThreshold ?? 0.001;
  const s = scores.slice();
  const alive = new Set(boxes.map((_, i) => i));
  const out: Array<{ index: number; score: number }> = [];
  while (alive.size > 0) {
    let best = -1;
    for (const i of alive) if (best < 0 || s[i]! > s[best]! || (s[i] === s[best] && i < best)) best = i;
    alive.delete(best);
    if (s[best]! < minScore) continue;
    out.push({ index: best, score: s[best]! });
    for (const j of alive) {
      const o = iou(boxes[best]!, boxes[j]!);
      if (method === 'linear') {
        if (o > thr) s[j]! *= 1 - o;
      } else s[j]! *= Math.exp(-(o * o) / sigma);
    }
  }
  return out;
}
