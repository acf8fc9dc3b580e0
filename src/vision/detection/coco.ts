/**
 * COCO detection evaluation (bounding boxes), following the published COCOeval algorithm: per image
 * and category, detections sorted by score (stable) and cut to maxDets, greedily matched to the
 * best still-free ground truth at each IoU in 0.50:0.05:0.95 (crowd boxes can match many times and
 * are ignored, as are boxes outside the area range); precision made monotone and read at 101
 * recall points. Matches are tracked by flags, not by annotation id, so an annotation whose id is 0
 * counts like any other (pycocotools treats id 0 as unmatched).
 */
import { UserError } from '../../util/errors.ts';

export interface CocoGt {
  images: Array<{ id: number }>;
  annotations: Array<{ id?: number; image_id: number; category_id: number; bbox: number[]; area?: number; iscrowd?: number }>;
  categories: Array<{ id: number; name?: string }>;
}

export interface CocoDt {
  image_id: number;
  category_id: number;
  bbox: number[];
  score: number;
}

/** numpy.linspace(start, stop, num): start + i * step, the last point exactly stop. */
function linspace(start: number, stop: number, num: number): number[] {
  const step = (stop - start) / (num - 1);
  return Array.from({ length: num }, (_, i) => (i === num - 1 ? stop : i * step + start));
}

export const IOU_THRESHOLDS = linspace(0.5, 0.95, 10);
export const RECALL_THRESHOLDS = linspace(0, 1, 101);
export const AREA_RANGES: Record<'all' | 'small' | 'medium' | 'large', [number, number]> = {
  all: [0, 1e10],
  small: [0, 32 * 32],
  medium: [32 * 32, 96 * 96],
  large: [96 * 96, 1e10],
};
const AREA_NAMES = ['all', 'small', 'medium', 'large'] as const;
const MAX_DETS = [1, 10, 100];
const EPS = 2.220446049250313e-16; // np.spacing(1)

/** IoU of [x, y, w, h] boxes; for a crowd ground truth the union is the detection's area. */
function bboxIou(d: number[], g: number[], crowd: boolean): number {
  const iw = Math.min(d[0]! + d[2]!, g[0]! + g[2]!) - Math.max(d[0]!, g[0]!);
  const ih = Math.min(d[1]! + d[3]!, g[1]! + g[3]!) - Math.max(d[1]!, g[1]!);
  if (iw <= 0 || ih <= 0) return 0;
  const inter = iw * ih;
  const union = crowd ? d[2]! * d[3]! : d[2]! * d[3]! + g[2]! * g[3]! - inter;
  return inter / union;
}

interface ImgEval {
  dtScores: number[];
  /** [iou][det] matched */
  dtMatched: Uint8Array[];
  dtIgnore: Uint8Array[];
  gtIgnoreCount: number;
}

function validate(gt: CocoGt, dts: CocoDt[]): void {
  if (!gt || !Array.isArray(gt.images) || !Array.isArray(gt.annotations) || !Array.isArray(gt.categories)) {
    throw new UserError('COCO ground truth must be an object with images, annotations and categories arrays');
  }
  gt.annotations.forEach((a, i) => {
    if (!Array.isArray(a.bbox) || a.bbox.length !== 4 || a.bbox.some((v) => !Number.isFinite(v))) throw new UserError(`ground-truth annotation ${i}: bbox must be [x, y, w, h], got ${JSON.stringify(a.bbox)}`);
    if (a.bbox[2]! < 0 || a.bbox[3]! < 0) throw new UserError(`ground-truth annotation ${i}: negative box size ${JSON.stringify(a.bbox)}`);
  });
  dts.forEach((d, i) => {
    if (!Array.isArray(d.bbox) || d.bbox.length !== 4 || d.bbox.some((v) => !Number.isFinite(v))) throw new UserError(`detection ${i}: bbox must be [x, y, w, h], got ${JSON.stringify(d.bbox)}`);
    if (d.bbox[2]! < 0 || d.bbox[3]! < 0) throw new UserError(`detection ${i}: negative box size ${JSON.stringify(d.bbox)}`);
    if (!Number.isFinite(d.score)) throw new UserError(`detection ${i}: score must be a number, got ${JSON.stringify(d.score)}`);
  });
}

function evaluateImg(gts: CocoGt['annotations'], dts: CocoDt[], aRng: [number, number], maxDet: number): ImgEval | null {
  if (gts.length === 0 && dts.length === 0) return null;
  const gArea = (g: CocoGt['annotations'][number]): number => g.area ?? g.bbox[2]! * g.bbox[3]!;
  const gIgnore = gts.map((g) => (g.iscrowd || gArea(g) < aRng[0] || gArea(g) > aRng[1] ? 1 : 0));
  // Ground truths not ignored first (stable), detections by score (stable), cut to maxDet.
  const gOrder = gts.map((_, i) => i).sort((a, b) => gIgnore[a]! - gIgnore[b]! || a - b);
  const g = gOrder.map((i) => gts[i]!);
  const gIg = gOrder.map((i) => gIgnore[i]!);
  const d = dts
    .map((x, i) => ({ x, i }))
    .sort((a, b) => b.x.score - a.x.score || a.i - b.i)
    .slice(0, maxDet)
    .map((o) => o.x);
  const ious = d.map((dd) => g.map((gg) => bboxIou(dd.bbox, gg.bbox, !!gg.iscrowd)));
  const T = IOU_THRESHOLDS.length;
  const dtMatched: Uint8Array[] = [];
  const dtIgnore: Uint8Array[] = [];
  for (let t = 0; t < T; t++) {
    const gtMatched = new Uint8Array(g.length);
    const dm = new Uint8Array(d.length);
    const di = new Uint8Array(d.length);
    for (let k = 0; k < d.length; k++) {
      let best = Math.min(IOU_THRESHOLDS[t]!, 1 - 1e-10);
      let m = -1;
      for (let j = 0; j < g.length; j++) {
        if (gtMatched[j] && !g[j]!.iscrowd) continue;
        if (m > -1 && gIg[m] === 0 && gIg[j] === 1) break;
        if (ious[k]![j]! < best) continue;
        best = ious[k]![j]!;
        m = j;
      }
      if (m === -1) continue;
      di[k] = gIg[m]!;
      dm[k] = 1;
      gtMatched[m] = 1;
    }
    for (let k = 0; k < d.length; k++) {
      const area = d[k]!.bbox[2]! * d[k]!.bbox[3]!;
      if (!dm[k] && (area < aRng[0] || area > aRng[1])) di[k] = 1;
    }
    dtMatched.push(dm);
    dtIgnore.push(di);
  }
  return { dtScores: d.map((x) => x.score), dtMatched, dtIgnore, gtIgnoreCount: gIg.filter((v) => v === 0).length };
}

export interface CocoSummary {
  /** The 12 numbers of COCOeval.summarize(), in its order. */
  stats: number[];
  lines: string[];
}

/** Evaluate bounding-box detections; returns the 12 summary numbers and pycocotools-style lines (6 decimals). */
export function cocoEvaluate(gt: CocoGt, dts: CocoDt[]): CocoSummary {
  validate(gt, dts);
  const imgIds = [...new Set(gt.images.map((i) => i.id))].sort((a, b) => a - b);
  const catIds = [...new Set(gt.categories.map((c) => c.id))].sort((a, b) => a - b);
  const key = (img: number, cat: number): string => `${img}:${cat}`;
  const gtBy = new Map<string, CocoGt['annotations']>();
  for (const a of gt.annotations) {
    const k = key(a.image_id, a.category_id);
    if (!gtBy.has(k)) gtBy.set(k, []);
    gtBy.get(k)!.push(a);
  }
  const dtBy = new Map<string, CocoDt[]>();
  for (const d of dts) {
    const k = key(d.image_id, d.category_id);
    if (!dtBy.has(k)) dtBy.set(k, []);
    dtBy.get(k)!.push(d);
  }
  const T = IOU_THRESHOLDS.length;
  const R = RECALL_THRESHOLDS.length;
  // precision[t][r][k][a][m], recall[t][k][a][m]; -1 where a category has no ground truth.
  const precision = (t: number, k: number, a: number, m: number): Float64Array => P[((t * catIds.length + k) * 4 + a) * MAX_DETS.length + m]!;
  const P: Float64Array[] = [];
  const Rc: number[] = [];
  for (let t = 0; t < T; t++)
    for (let k = 0; k < catIds.length; k++)
      for (let a = 0; a < 4; a++)
        for (let m = 0; m < MAX_DETS.length; m++) {
          P.push(new Float64Array(R).fill(-1));
          Rc.push(-1);
        }
  catIds.forEach((cat, k) => {
    AREA_NAMES.forEach((areaName, a) => {
      const aRng = AREA_RANGES[areaName];
      // Evaluate each image once at the largest maxDet; smaller maxDets take a prefix, as COCOeval does.
      const evals = imgIds.map((img) => evaluateImg(gtBy.get(key(img, cat)) ?? [], dtBy.get(key(img, cat)) ?? [], aRng, MAX_DETS[MAX_DETS.length - 1]!)).filter((e): e is ImgEval => e !== null);
      MAX_DETS.forEach((maxDet, m) => {
        const npig = evals.reduce((s, e) => s + e.gtIgnoreCount, 0);
        if (npig === 0) return;
        const items: Array<{ score: number; e: ImgEval; idx: number }> = [];
        for (const e of evals) for (let i = 0; i < Math.min(maxDet, e.dtScores.length); i++) items.push({ score: e.dtScores[i]!, e, idx: i });
        const order = items.map((_, i) => i).sort((x, y) => items[y]!.score - items[x]!.score || x - y);
        for (let t = 0; t < T; t++) {
          const tpc: number[] = [];
          const fpc: number[] = [];
          let tp = 0;
          let fp = 0;
          for (const o of order) {
            const it = items[o]!;
            if (it.e.dtIgnore[t]![it.idx]) {
              tpc.push(tp);
              fpc.push(fp);
              continue;
            }
            if (it.e.dtMatched[t]![it.idx]) tp++;
            else fp++;
            tpc.push(tp);
            fpc.push(fp);
          }
          const nd = tpc.length;
          const rc = tpc.map((v) => v / npig);
          const pr = tpc.map((v, i) => v / (fpc[i]! + v + EPS));
          const slot = ((t * catIds.length + k) * 4 + a) * MAX_DETS.length + m;
          Rc[slot] = nd ? rc[nd - 1]! : 0;
          for (let i = nd - 1; i > 0; i--) if (pr[i]! > pr[i - 1]!) pr[i - 1] = pr[i]!;
          const q = precision(t, k, a, m);
          q.fill(0);
          let pi = 0;
          for (let r = 0; r < R; r++) {
            while (pi < nd && rc[pi]! < RECALL_THRESHOLDS[r]!) pi++;
            if (pi >= nd) break;
            q[r] = pr[pi]!;
          }
        }
      });
    });
  });
  const summarize = (ap: boolean, iouThr: number | null, area: (typeof AREA_NAMES)[number], maxDet: number): number => {
    const a = AREA_NAMES.indexOf(area);
    const m = MAX_DETS.indexOf(maxDet);
    const vals: number[] = [];
    for (let t = 0; t < T; t++) {
      if (iouThr !== null && Math.abs(IOU_THRESHOLDS[t]! - iouThr) > 1e-12) continue;
      for (let k = 0; k < catIds.length; k++) {
        const slot = ((t * catIds.length + k) * 4 + a) * MAX_DETS.length + m;
        if (ap) for (const v of P[slot]!) {
          if (v > -1) vals.push(v);
        }
        else if (Rc[slot]! > -1) vals.push(Rc[slot]!);
      }
    }
    return vals.length ? vals.reduce((s, v) => s + v, 0) / vals.length : -1;
  };
  const spec: Array<[boolean, number | null, (typeof AREA_NAMES)[number], number]> = [
    [true, null, 'all', 100],
    [true, 0.5, 'all', 100],
    [true, 0.75, 'all', 100],
    [true, null, 'small', 100],
    [true, null, 'medium', 100],
    [true, null, 'large', 100],
    [false, null, 'all', 1],
    [false, null, 'all', 10],
    [false, null, 'all', 100],
    [false, null, 'small', 100],
    [false, null, 'medium', 100],
    [false, null, 'large', 100],
  ];
  const stats = spec.map(([ap, thr, area, md]) => summarize(ap, thr, area, md));
  const lines = spec.map(([ap, thr, area, md], i) => {
    const title = ap ? 'Average Precision' : 'Average Recall';
    const abbr = ap ? '(AP)' : '(AR)';
    const iouStr = thr === null ? '0.50:0.95' : thr.toFixed(2);
    return ` ${title.padEnd(18)} ${abbr} @[ IoU=${iouStr.padEnd(9)} | area=${area.padStart(6)} | maxDets=${String(md).padStart(3)} ] = ${stats[i]!.toFixed(6)}`;
  });
  return { stats, lines };
}
