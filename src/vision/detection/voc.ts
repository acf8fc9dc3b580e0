/**
 * PASCAL VOC average precision: greedy matching of detections to ground truths by confidence, then
 * AP as the VOC2007 11-point interpolation or the VOC2010+ all-point (area under the monotone
 * precision envelope).
 */
import { iou, type Box } from './boxes.ts';

export interface GroundTruth {
  image: string;
  cls: string;
  box: Box;
  difficult?: boolean;
}

export interface Detection {
  image: string;
  cls: string;
  score: number;
  box: Box;
}

export interface VocClassResult {
  cls: string;
  ap11: number;
  apAll: number;
  positives: number;
  tp: number;
  fp: number;
  precision: number[];
  recall: number[];
}

export interface VocOptions {
  iouThreshold?: number;
  /** Add 1 to box sizes (devkit convention for integer pixel boxes). Default true. */
  pixelInclusive?: boolean;
}

/** 11-point interpolated AP (VOC2007): mean over r in {0, .1, ..., 1} of max precision at recall >= r. */
export function ap11(recall: readonly number[], precision: readonly number[]): number {
  let ap = 0;
  for (let k = 0; k <= 10; k++) {
    // k * 0.1, not k / 10: the reference tools step with np.arange(0, 1.1, 0.1), whose 0.3, 0.6 and 0.7
    // are a hair above the decimal values, and recall values such as 9/15 fall on the other side.
    const t = k * 0.1;
    let p = 0;
    for (let i = 0; i < recall.length; i++) if (recall[i]! >= t && precision[i]! > p) p = precision[i]!;
    ap += p / 11;
  }
  return ap;
}

/** All-point AP (VOC2010+): area under the precision envelope, summed where recall changes. */
export function apAllPoint(recall: readonly number[], precision: readonly number[]): number {
  const mrec = [0, ...recall, 1];
  const mpre = [0, ...precision, 0];
  for (let i = mpre.length - 2; i >= 0; i--) mpre[i] = Math.max(mpre[i]!, mpre[i + 1]!);
  let ap = 0;
  for (let i = 1; i < mrec.length; i++) if (mrec[i] !== mrec[i - 1]) ap += (mrec[i]! - mrec[i - 1]!) * mpre[i]!;
  return ap;
}

/** Per-class AP at one IoU threshold. Detections of equal confidence keep their input order (stable sort). */
export function vocEvaluate(gts: readonly GroundTruth[], dets: readonly Detection[], opts: VocOptions = {}): VocClassResult[] {
  const thr = opts.iouThreshold ?? 0.5;
  const inclusive = opts.pixelInclusive ?? true;
  const classes = [...new Set([...gts.map((g) => g.cls), ...dets.map((d) => d.cls)])].sort();
  return classes.map((cls) => {
    const byImage = new Map<string, { box: Box; difficult: boolean; used: boolean }[]>();
    let positives = 0;
    for (const g of gts) {
      if (g.cls !== cls) continue;
      let list = byImage.get(g.image);
      if (!list) byImage.set(g.image, (list = []));
      list.push({ box: g.box, difficult: g.difficult ?? false, used: false });
      if (!g.difficult) positives++;
    }
    const ds = dets
      .map((d, i) => ({ d, i }))
      .filter((x) => x.d.cls === cls)
      .sort((a, b) => b.d.score - a.d.score || a.i - b.i)
      .map((x) => x.d);
    const precision: number[] = [];
    const recall: number[] = [];
    let tp = 0;
    let fp = 0;
    for (const d of ds) {
      const cands = byImage.get(d.image) ?? [];
      let best = -1;
      let bestIou = -Infinity;
      cands.forEach((g, j) => {
        const o = iou(d.box, g.box, inclusive);
        if (o > bestIou) {
          bestIou = o;
          best = j;
        }
      });
      if (best >= 0 && bestIou >= thr) {
        const g = cands[best]!;
        if (g.difficult) continue; // neither a true nor a false positive
        if (!g.used) {
          g.used = true;
          tp++;
        } else fp++;
      } else fp++;
      recall.push(positives > 0 ? tp / positives : 0);
      precision.push(tp / (tp + fp));
    }
    return { cls, ap11: ap11(recall, precision), apAll: apAllPoint(recall, precision), positives, tp, fp, precision, recall };
  });
}
