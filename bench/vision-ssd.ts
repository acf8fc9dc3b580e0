/**
 * Trains the single-shot detector (src/vision/ssd.ts) on shapes images and reports COCO AP:
 *
 *   nice -n 5 npx tsx bench/vision-ssd.ts [--minutes 20] [--batch 32] [--seed 1]
 *
 * Fresh 64x64 images every step (1-4 objects), Adam with a cosine-decayed learning rate over the
 * wall-clock budget; every minute the net is evaluated on 128 validation images and the best
 * checkpoint by validation AP50 is kept; the figures are on 256 test images of another seed.
 * Writes bench/results/vision-ssd.md (target: AP50 >= 0.9).
 */
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { initBackend, tf } from '../src/nets/backend.ts';
import { writeFileAtomic } from '../src/util/fs.ts';
import { numberFlag } from '../src/util/flags.ts';
import { shapesBatch, type ShapesBatch } from '../src/vision/shapes.ts';
import { buildDetector, detect, detectionLoss, encodeTargets, toCocoEval } from '../src/vision/ssd.ts';
import { cocoEvaluate } from '../src/vision/detection/coco.ts';
import { summarizeModel } from '../src/nets/summary.ts';

const { values } = parseArgs({ options: { minutes: { type: 'string', default: '20' }, batch: { type: 'string', default: '32' }, seed: { type: 'string', default: '1' } } });
const minutes = numberFlag('--minutes', values.minutes, { min: 0.1 });
const B = numberFlag('--batch', values.batch, { min: 1, integer: true });
const seed = numberFlag('--seed', values.seed, { integer: true });
const backend = await initBackend({ quiet: true });
const S = 64;
const LR_MAX = 2e-3, LR_MIN = 5e-5;
const model = buildDetector({ size: S, seed });
const summary = summarizeModel(model);
const opt = tf.train.adam(LR_MAX);
const val = shapesBatch(seed + 7000, 128, { size: S });
const test = shapesBatch(seed + 5000, 256, { size: S });
const evaluate = (set: ShapesBatch): number[] => {
  const { gt, dts } = toCocoEval(set.objects, detect(model, set.images, set.n));
  return cocoEvaluate(gt, dts).stats;
};

const budget = minutes * 60;
const t0 = Date.now();
let step = 0, seen = 0, ema = NaN, nextEval = 60;
let best: { ap50: number; step: number; elapsed: number; weights: tf.Tensor[] } | null = null;
const curve: string[] = [];
const checkpoint = (elapsed: number): void => {
  const v = evaluate(val);
  if (!best || v[1]! > best.ap50) {
    best?.weights.forEach((w) => w.dispose());
    best = { ap50: v[1]!, step, elapsed, weights: model.getWeights().map((w) => w.clone()) };
  }
  const t = evaluate(test);
  curve.push(`| ${elapsed.toFixed(0)} s | ${step} | ${seen} | ${(opt as unknown as { learningRate: number }).learningRate.toExponential(1)} | ${ema.toFixed(3)} | ${v[1]!.toFixed(3)} | ${t[0]!.toFixed(3)} | ${t[1]!.toFixed(3)} |`);
  console.log(curve.at(-1), `tensors ${tf.memory().numTensors}`);
};
while ((Date.now() - t0) / 1000 < budget) {
  const frac = Math.min(1, (Date.now() - t0) / 1000 / budget);
  (opt as unknown as { learningRate: number }).learningRate = LR_MIN + 0.5 * (LR_MAX - LR_MIN) * (1 + Math.cos(Math.PI * frac));
  const b = shapesBatch(seed, B, { size: S }, seen);
  seen += B;
  const targets = encodeTargets(b.objects, S);
  const loss = tf.tidy(() => {
    const x = tf.tensor4d(b.images, [B, S, S, 3]);
    return opt.minimize(() => detectionLoss(model.apply(x, { training: true }) as tf.Tensor, targets), true)!.dataSync()[0]!;
  });
  ema = Number.isNaN(ema) ? loss : 0.95 * ema + 0.05 * loss;
  step++;
  const el = (Date.now() - t0) / 1000;
  if (el >= nextEval) {
    checkpoint(el);
    nextEval += 60;
  }
}
const seconds = (Date.now() - t0) / 1000;
checkpoint(seconds);
const kept = best!;
model.setWeights(kept.weights);
const ev = toCocoEval(test.objects, detect(model, test.images, test.n));
const { stats: final, lines } = cocoEvaluate(ev.gt, ev.dts);
const md = [
  '# Single-shot detector on shapes (bench/vision-ssd.ts)',
  '',
  `MobileNet-style backbone (strided 3x3 conv, 5 depthwise-separable blocks, batch norm + ReLU6, output stride 8) and a grid head`,
  `(per cell of 8x8: 3 class logits, centre offset, width and height), ${summary.totalParams} params, ${(summary.macs / 1e6).toFixed(1)} M multiply-adds per 64x64 image.`,
  `Focal loss on the classes + L1 on the boxes; Adam, learning rate ${LR_MAX} decayed on a cosine to ${LR_MIN} over ${minutes} min; batch ${B} of`,
  `fresh images (seed ${seed}, 1-4 objects, noise 0.05); trained ${seconds.toFixed(0)} s wall-clock (${step} steps, ${seen} images), backend ${backend}`,
  `on ${cpus().length} shared cores (load average at the end ${loadavg().map((x) => x.toFixed(1)).join(' ')}). Decoding: score >= 0.05, NMS per class at IoU 0.5, top 100.`,
  `Checkpoint kept: best AP50 on 128 validation images (seed ${seed + 7000}); figures on 256 test images (seed ${seed + 5000}).`,
  '',
  '| elapsed | steps | images | lr | train loss (EMA) | val AP50 | test AP | test AP50 |',
  '|---|---|---|---|---|---|---|---|',
  ...curve,
  '',
  `Kept: step ${kept.step} (${kept.elapsed.toFixed(0)} s, val AP50 ${kept.ap50.toFixed(3)}).`,
  '',
  `Final (kept checkpoint, test split): COCO AP **${final[0]!.toFixed(3)}**, AP50 **${final[1]!.toFixed(3)}** (target AP50 >= 0.9: ${final[1]! >= 0.9 ? 'met' : 'NOT met'}).`,
  '',
  '```',
  ...lines,
  '```',
  '',
  `Reproduce: \`nice -n 5 npx tsx bench/vision-ssd.ts --minutes ${minutes} --batch ${B} --seed ${seed}\``,
];
writeFileAtomic('bench/results/vision-ssd.md', md.join('\n') + '\n');
console.log(md.join('\n'));
kept.weights.forEach((w) => w.dispose());
opt.dispose();
model.dispose();
