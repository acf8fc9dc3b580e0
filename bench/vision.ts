/**
 * Vision experiments (src/vision/). Each section replaces its own `## ...` block in
 * bench/results/vision.md, so sections can be run separately:
 *
 *   npx tsx bench/vision.ts [--only norm,normconv,seg,compress,classify] [--seg-seconds 600] [--classify-steps 300] [--seed 1]
 *                           [--classify-nets mobilenet,densenet] [--classify-size 32] [--save-mobilenet DIR]
 *
 *   norm      batch norm vs layer norm (our tf-op implementations) in an MLP on a Gaussian-mixture
 *             task, trained at batch size 2 (and at 32 as a control); test accuracy in inference mode
 *   normconv  batch, layer and instance norm in a small conv net on 32x32 shapes images at batch 2
 *             and 16; test accuracy on the usual test images and on ones with each image's contrast
 *             and brightness changed
 *   seg       a small U-Net trained on 64x64 shapes masks (fresh images every step) for
 *             --seg-seconds; pixel accuracy, per-class IoU and mean IoU on 256 held-out images
 *   compress  post-training int8 quantisation, global magnitude pruning at 50/80/90 % and
 *             knowledge distillation, on a small conv classifier of 32x32 shapes images
 *   classify  MobileNetV1 alpha 0.25 and a small DenseNet-BC trained on the same 32x32 task;
 *             --save-mobilenet DIR saves the trained MobileNet (how models/mobilenet-shapes was made,
 *             with --classify-nets mobilenet --classify-steps 3000; its own section in the results)
 *
 * Backend: wasm. Other processes may share the CPU; times are wall-clock.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tf, initBackend } from '../src/nets/backend.ts';
import { writeFileAtomic } from '../src/util/fs.ts';
import { BatchNorm, InstanceNorm, LayerNorm } from '../src/vision/normalization.ts';
import { shapesBatch, shapesImage, SHAPE_CLASSES } from '../src/vision/shapes.ts';
import { buildUNet, ConfusionMatrix, segmentationLoss, predictClasses } from '../src/vision/segmentation.ts';
import { summarizeModel } from '../src/nets/summary.ts';
import { saveModel } from '../src/nets/io.ts';
import { recalibrateBatchNorm } from '../src/vision/recalibrate.ts';
import { buildMobileNet } from '../src/vision/mobilenet.ts';
import { buildDenseNet } from '../src/vision/densenet.ts';
import { Rng } from '../src/util/rng.ts';
import { quantizeModelWeights, magnitudePrune, reapplyMasks, distillationLoss, channelPrune, calibrateActivations, predictQuantized } from '../src/vision/compression.ts';

const args = process.argv.slice(2);
const arg = (name: string, def: string): string => {
  const i = args.indexOf(`--${name}`);
  return i < 0 ? def : args[i + 1]!;
};
const ONLY = arg('only', 'norm,normconv,seg,compress,classify').split(',');
const SEG_SECONDS = Number(arg('seg-seconds', '600'));
const SEED = Number(arg('seed', '1'));
const RESULTS = join(import.meta.dirname, 'results', 'vision.md');

await initBackend({ backend: 'wasm', quiet: true });

function writeSection(title: string, body: string): void {
  const head = '# Vision experiments (bench/vision.ts)\n\nEach section is written by `npx tsx bench/vision.ts --only <section>`; backend wasm, 2 shared CPU cores.\n';
  let md = existsSync(RESULTS) ? readFileSync(RESULTS, 'utf8') : head;
  const start = md.indexOf(`\n## ${title}\n`);
  const block = `\n## ${title}\n\n${body.trim()}\n`;
  if (start < 0) md = md.trimEnd() + '\n' + block;
  else {
    const next = md.indexOf('\n## ', start + 1);
    md = md.slice(0, start) + block + (next < 0 ? '' : md.slice(next));
  }
  writeFileAtomic(RESULTS, md);
  console.log(block);
}

// ---------------------------------------------------------------- norm: BN vs LN at batch size 2
/** A Gaussian-mixture classification set: 16 clusters in 16-D (centres from seed), class = cluster % 4. */
function mixtureSet(seed: number, n: number, D: number): { x: Float32Array; y: Int32Array } {
  const centres = new Rng(`centres:${SEED}`);
  const mu = Array.from({ length: 16 }, () => Array.from({ length: D }, () => centres.normal(0, 1.2)));
  const rng = new Rng(`mixture:${seed}`);
  const x = new Float32Array(n * D);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const k = rng.int(16);
    y[i] = k % 4;
    for (let d = 0; d < D; d++) x[i * D + d] = mu[k]![d]! + rng.normal(0, 1) + 3; // offset: the data is not centred
  }
  return { x, y };
}

function normExperiment(): void {
  const D = 16, H = 64, TRAIN = 4000, TEST = 2000, STEPS = 3000;
  const train = mixtureSet(SEED, TRAIN, D);
  const test = mixtureSet(SEED + 1000, TEST, D);
  const rows: string[] = [];
  for (const [kind, batch] of [['batch norm', 2], ['layer norm', 2], ['batch norm', 32], ['layer norm', 32]] as const) {
    const t0 = Date.now();
    let seed = SEED;
    const w1 = tf.variable(tf.randomNormal([D, H], 0, Math.sqrt(2 / D), 'float32', seed++));
    const w2 = tf.variable(tf.randomNormal([H, H], 0, Math.sqrt(2 / H), 'float32', seed++));
    const w3 = tf.variable(tf.randomNormal([H, 4], 0, Math.sqrt(1 / H), 'float32', seed++));
    const b3 = tf.variable(tf.zeros([4]));
    const n1 = kind === 'batch norm' ? new BatchNorm(H) : new LayerNorm(H);
    const n2 = kind === 'batch norm' ? new BatchNorm(H) : new LayerNorm(H);
    const forward = (x: tf.Tensor, training: boolean): tf.Tensor =>
      n2.apply(n1.apply(x.matMul(w1), training).relu().matMul(w2), training).relu().matMul(w3).add(b3);
    const opt = tf.train.adam(1e-3);
    const vars = [w1, w2, w3, b3, ...n1.trainableVariables(), ...n2.trainableVariables()];
    let order = 0;
    for (let step = 0; step < STEPS; step++) {
      const idx = Array.from({ length: batch }, () => (order++ * 7919) % TRAIN);
      tf.tidy(() => {
        const xb = tf.tensor2d(idx.flatMap((i) => Array.from(train.x.subarray(i * D, (i + 1) * D))), [batch, D]);
        const yb = tf.oneHot(tf.tensor1d(idx.map((i) => train.y[i]!), 'int32'), 4);
        opt.minimize(() => tf.losses.softmaxCrossEntropy(yb, forward(xb, true)) as tf.Scalar, false, vars);
      });
    }
    const acc = (training: boolean, data: { x: Float32Array; y: Int32Array }, n: number): number =>
      tf.tidy(() => {
        const pred = forward(tf.tensor2d(data.x.subarray(0, n * D), [n, D]), training).argMax(-1).dataSync();
        let c = 0;
        for (let i = 0; i < n; i++) if (pred[i] === data.y[i]) c++;
        return c / n;
      });
    const testAcc = acc(false, test, TEST);
    const trainAcc = acc(false, train, TRAIN);
    rows.push(`| ${kind} | ${batch} | ${STEPS} | ${(trainAcc * 100).toFixed(1)} % | ${(testAcc * 100).toFixed(1)} % | ${((Date.now() - t0) / 1000).toFixed(1)} s |`);
    console.log(rows[rows.length - 1]);
    tf.dispose(vars); opt.dispose();
    if (n1 instanceof BatchNorm) { n1.movingMean.dispose(); n1.movingVariance.dispose(); }
    if (n2 instanceof BatchNorm) { n2.movingMean.dispose(); n2.movingVariance.dispose(); }
  }
  writeSection('Batch norm vs layer norm at batch size 2', `
MLP 16 -> 64 -> norm -> ReLU -> 64 -> norm -> ReLU -> 4 on a Gaussian mixture (16 clusters in 16-D, centres N(0, 1.2^2) + 3,
unit noise, class = cluster mod 4, so each class is four clusters), Adam 1e-3, ${STEPS} steps, ${TRAIN} training points, ${TEST} test
points (another seed); accuracy in inference mode (batch norm uses its moving statistics, momentum 0.99). Norms are our tf-op
BatchNorm / LayerNorm (src/vision/normalization.ts). Seed ${SEED}. Chance is 25 %.

| norm | batch | steps | train acc (inference mode) | test acc | time |
|---|---|---|---|---|---|
${rows.join('\n')}

At batch 2 each batch-normalised feature in training is (x - mean) / std over two values, i.e. +-1 (up to epsilon): the net learns
on signs of pairwise differences, and at inference sees continuous values normalised by moving statistics it never trained on.
Layer norm normalises each example by itself, so training and inference compute the same function.`);
}

// ---------------------------------------------------------------- normconv: BN / LN / IN in a conv net
function normConvExperiment(): void {
  const S = 32, TRAIN = 4000, TEST = 1000, STEPS = Number(arg('normconv-steps', '600'));
  const train = shapeClassSet(SEED, TRAIN, S);
  const test = shapeClassSet(SEED + 7000, TEST, S);
  // The same test images with each image's contrast (x0.25..x1) and brightness (-0.2..+0.4) changed, per channel.
  const shifted = tf.tidy(() => {
    const contrast = tf.randomUniform([TEST, 1, 1, 3], 0.25, 1, 'float32', SEED + 1);
    const brightness = tf.randomUniform([TEST, 1, 1, 3], -0.2, 0.4, 'float32', SEED + 2);
    return test.x.mul(contrast).add(brightness) as tf.Tensor4D;
  });
  const rows: string[] = [];
  for (const batch of [2, 16]) {
    for (const kind of ['none', 'batch', 'layer', 'instance'] as const) {
      const t0 = Date.now();
      let seed = SEED;
      const widths = [16, 32, 32];
      const kernels = widths.map((w, i) => tf.variable(tf.randomNormal([3, 3, i === 0 ? 3 : widths[i - 1]!, w], 0, Math.sqrt(2 / (9 * (i === 0 ? 3 : widths[i - 1]!))), 'float32', seed++)));
      const biases = widths.map((w) => tf.variable(tf.zeros([w])));
      const norms = widths.map((w) => (kind === 'batch' ? new BatchNorm(w) : kind === 'layer' ? new LayerNorm(w) : kind === 'instance' ? new InstanceNorm(w) : null));
      const wOut = tf.variable(tf.randomNormal([32, 3], 0, Math.sqrt(1 / 32), 'float32', seed++));
      const bOut = tf.variable(tf.zeros([3]));
      const forward = (x: tf.Tensor4D, training: boolean): tf.Tensor => {
        let h: tf.Tensor4D = x;
        widths.forEach((_, i) => {
          let z = tf.conv2d(h, kernels[i] as tf.Tensor4D, 1, 'same').add(biases[i]!) as tf.Tensor4D;
          const n = norms[i];
          if (n) z = n.apply(z, training) as tf.Tensor4D;
          h = z.relu();
          if (i < widths.length - 1) h = tf.maxPool(h, 2, 2, 'valid');
        });
        return h.mean([1, 2]).matMul(wOut).add(bOut);
      };
      const vars = [...kernels, ...biases, wOut, bOut, ...norms.flatMap((n) => (n ? n.trainableVariables() : []))];
      const opt = tf.train.adam(2e-3);
      const rng = new Rng(`normconv:${SEED}`);
      for (let step = 0; step < STEPS; step++) {
        tf.tidy(() => {
          const idx = tf.tensor1d(Array.from({ length: batch }, () => rng.int(TRAIN)), 'int32');
          const xb = train.x.gather(idx), yb = train.oneHot.gather(idx);
          opt.minimize(() => tf.losses.softmaxCrossEntropy(yb, forward(xb, true)) as tf.Scalar, false, vars);
        });
      }
      const acc = (x: tf.Tensor4D): number => {
        let c = 0;
        for (let i = 0; i < TEST; i += 250) {
          const p = tf.tidy(() => forward(x.slice([i], [250]), false).argMax(-1).dataSync());
          for (let k = 0; k < 250; k++) if (p[k] === test.y[i + k]) c++;
        }
        return c / TEST;
      };
      rows.push(`| ${kind === 'none' ? 'none' : `${kind} norm`} | ${batch} | ${STEPS} | ${(acc(test.x) * 100).toFixed(1)} % | ${(acc(shifted) * 100).toFixed(1)} % | ${((Date.now() - t0) / 1000).toFixed(0)} s |`);
      console.log(rows[rows.length - 1]);
      tf.dispose(vars);
      opt.dispose();
      norms.forEach((n) => n?.dispose());
    }
  }
  tf.dispose([train.x, train.oneHot, test.x, test.oneHot, shifted]);
  writeSection('Batch, layer and instance norm in a conv net', `
Conv net 3x3x16 -> norm -> ReLU -> pool -> 3x3x32 -> norm -> ReLU -> pool -> 3x3x32 -> norm -> ReLU -> global average -> 3,
on the 32x32 one-shape classification of the compression section (4000 training, 1000 test images), Adam 2e-3, ${STEPS} steps at
each batch size, accuracy in inference mode. Norms are src/vision/normalization.ts: batch norm over batch and pixels per channel
(moving statistics at inference, momentum 0.99), layer norm over the channels of each pixel, instance norm over the pixels of
each image per channel. 'Shifted' is the same test set with each image's per-channel contrast scaled by 0.25..1 and brightness
moved by -0.2..+0.4 (seed ${SEED}), which instance norm removes by construction. Chance is 33 %.

| norm | batch | steps | test acc | shifted test acc | time |
|---|---|---|---|---|---|
${rows.join('\n')}`);
}

// ---------------------------------------------------------------- seg: U-Net on shapes masks
function segExperiment(): void {
  const S = 64, BATCH = 16, TEST = 256, C = 4;
  const model = buildUNet({ size: S, classes: C, base: 8, depth: 3, seed: SEED });
  const s = summarizeModel(model);
  const LR_MAX = 2e-3, LR_MIN = 1e-4, VAL = 128;
  const opt = tf.train.adam(LR_MAX);
  // Model selection on a validation split; the figures reported are on the test split, which is never used to choose.
  const test = shapesBatch(SEED + 5000, TEST, { size: S });
  const val = shapesBatch(SEED + 7000, VAL, { size: S });
  const evaluate = (set: typeof test, count: number): ConfusionMatrix => {
    const cm = new ConfusionMatrix(C);
    for (let i = 0; i < count; i += 32) {
      const n = Math.min(32, count - i);
      const x = tf.tensor4d(set.images.subarray(i * S * S * 3, (i + n) * S * S * 3), [n, S, S, 3]);
      cm.add(set.semantic.subarray(i * S * S, (i + n) * S * S), predictClasses(model, x));
      x.dispose();
    }
    return cm;
  };
  let best: { miou: number; step: number; elapsed: number; weights: tf.Tensor[] } | null = null;
  const t0 = Date.now();
  let step = 0, seen = 0, lossAvg = NaN;
  const curve: string[] = [];
  let nextEval = Math.min(60, SEG_SECONDS / 2);
  while ((Date.now() - t0) / 1000 < SEG_SECONDS) {
    // Cosine decay of the learning rate over the wall-clock budget (a constant 2e-3 left the held-out mIoU swinging by 0.1).
    const frac = Math.min(1, (Date.now() - t0) / 1000 / SEG_SECONDS);
    (opt as unknown as { learningRate: number }).learningRate = LR_MIN + 0.5 * (LR_MAX - LR_MIN) * (1 + Math.cos(Math.PI * frac));
    const b = shapesBatch(SEED, BATCH, { size: S }, seen);
    seen += BATCH;
    const loss = tf.tidy(() => {
      const x = tf.tensor4d(b.images, [BATCH, S, S, 3]);
      const y = tf.tensor3d(Int32Array.from(b.semantic), [BATCH, S, S], 'int32');
      return opt.minimize(() => segmentationLoss(model.apply(x, { training: true }) as tf.Tensor, y), true)!.dataSync()[0]!;
    });
    lossAvg = Number.isNaN(lossAvg) ? loss : 0.95 * lossAvg + 0.05 * loss;
    step++;
    const el = (Date.now() - t0) / 1000;
    if (el >= nextEval) {
      const vm = evaluate(val, VAL).meanIoU();
      if (!best || vm > best.miou) {
        best?.weights.forEach((w) => w.dispose());
        best = { miou: vm, step, elapsed: el, weights: model.getWeights().map((w) => w.clone()) };
      }
      const cm = evaluate(test, TEST);
      curve.push(`| ${el.toFixed(0)} s | ${step} | ${seen} | ${(opt as unknown as { learningRate: number }).learningRate.toExponential(1)} | ${lossAvg.toFixed(4)} | ${vm.toFixed(4)} | ${(cm.pixelAccuracy() * 100).toFixed(2)} % | ${cm.meanIoU().toFixed(4)} |`);
      console.log(curve[curve.length - 1], `tensors ${tf.memory().numTensors}`);
      nextEval += 60;
    }
  }
  const seconds = (Date.now() - t0) / 1000;
  const lastVal = evaluate(val, VAL).meanIoU();
  const lastTest = evaluate(test, TEST).meanIoU();
  if (!best || lastVal > best.miou) {
    best?.weights.forEach((w) => w.dispose());
    best = { miou: lastVal, step, elapsed: seconds, weights: model.getWeights().map((w) => w.clone()) };
  }
  model.setWeights(best.weights);
  best.weights.forEach((w) => w.dispose());
  const cm = evaluate(test, TEST);
  const iou = cm.perClassIoU();
  const names = ['background', ...SHAPE_CLASSES];
  writeSection('Semantic segmentation (U-Net on shapes masks)', `
U-Net depth 3, base 8 filters (${s.totalParams} params, ${(s.macs / 1e6).toFixed(1)} M multiply-adds per 64x64 image), 4 classes
(background, circle, square, triangle), Adam with the learning rate decayed from ${LR_MAX} to ${LR_MIN} on a cosine over the budget, batch ${BATCH},
fresh shapes images every step (seed ${SEED}, 1-4 objects, noise 0.05), trained ${seconds.toFixed(0)} s wall-clock (${step} steps, ${seen} images).
The checkpoint kept is the one with the best mean IoU on ${VAL} validation images (seed ${SEED + 7000}), checked every 60 s and at the end;
the figures are on ${TEST} test images (seed ${SEED + 5000}), which play no part in the choice.

| elapsed | steps | images | lr | train loss (EMA) | val mIoU | test pixel acc | test mIoU |
|---|---|---|---|---|---|---|---|
${curve.join('\n')}

Last step: test mIoU ${lastTest.toFixed(4)}. Kept: the checkpoint of step ${best.step} (${best.elapsed.toFixed(0)} s, val mIoU ${best.miou.toFixed(4)}).

Final (kept checkpoint, test split): pixel accuracy ${(cm.pixelAccuracy() * 100).toFixed(2)} %, mean IoU **${cm.meanIoU().toFixed(4)}** (target >= 0.85: ${cm.meanIoU() >= 0.85 ? 'met' : 'NOT met'}).

| class | IoU |
|---|---|
${names.map((n, i) => `| ${n} | ${iou[i]!.toFixed(4)} |`).join('\n')}`);
  opt.dispose(); model.dispose();
}

// ---------------------------------------------------------------- compress: quantise, prune, distil
function shapeClassSet(seed: number, n: number, size: number): { x: tf.Tensor4D; y: Int32Array; oneHot: tf.Tensor2D } {
  const x = new Float32Array(n * size * size * 3);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const im = shapesImage(seed, i, { size, minObjects: 1, maxObjects: 1, minRadius: 0.15, maxRadius: 0.4 });
    x.set(im.image, i * size * size * 3);
    y[i] = im.objects[0]!.cls;
  }
  return { x: tf.tensor4d(x, [n, size, size, 3]), y, oneHot: tf.tidy(() => tf.oneHot(tf.tensor1d(y, 'int32'), 3).toFloat() as tf.Tensor2D) };
}

/** A plain conv classifier returning logits: [conv3x3 f relu, maxpool] per width, GAP, dense 3. */
function convNet(widths: number[], size: number, seed: number): tf.LayersModel {
  const m = tf.sequential();
  widths.forEach((f, i) => {
    m.add(tf.layers.conv2d({ ...(i === 0 ? { inputShape: [size, size, 3] } : {}), filters: f, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: tf.initializers.heNormal({ seed: seed + i }) }));
    m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  });
  m.add(tf.layers.globalAveragePooling2d({}));
  m.add(tf.layers.dense({ units: 3, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 99 }) }));
  return m;
}

function accuracy(m: tf.LayersModel, data: { x: tf.Tensor4D; y: Int32Array }): number {
  let c = 0;
  for (let i = 0; i < data.y.length; i += 250) {
    const n = Math.min(250, data.y.length - i);
    const p = tf.tidy(() => (m.predict(data.x.slice([i], [n])) as tf.Tensor).argMax(-1).dataSync());
    for (let k = 0; k < n; k++) if (p[k] === data.y[i + k]) c++;
  }
  return c / data.y.length;
}

/** Train for `steps` Adam steps of batch 32 with loss(logits, oneHot batch, x batch). */
function train(m: tf.LayersModel, data: { x: tf.Tensor4D; oneHot: tf.Tensor2D }, steps: number, seed: number, loss: (logits: tf.Tensor2D, y: tf.Tensor2D, x: tf.Tensor4D) => tf.Scalar, after?: () => void): void {
  const opt = tf.train.adam(2e-3);
  const rng = new Rng(`train:${seed}`);
  const n = data.oneHot.shape[0];
  for (let s = 0; s < steps; s++) {
    tf.tidy(() => {
      const idx = tf.tensor1d(Array.from({ length: 32 }, () => rng.int(n)), 'int32');
      const xb = data.x.gather(idx), yb = data.oneHot.gather(idx);
      // Only m's weights: a distillation loss also runs the teacher, which must not learn from it.
      opt.minimize(() => loss(m.apply(xb, { training: true }) as tf.Tensor2D, yb, xb), false, m.trainableWeights.map((w) => w.read() as tf.Variable));
    });
    after?.();
  }
  opt.dispose();
}

function cloneNet(src: tf.LayersModel, widths: number[], size: number): tf.LayersModel {
  const m = convNet(widths, size, 0);
  m.setWeights(src.getWeights());
  return m;
}

/** Best of 3 wall times (ms) to run `f` over the 1000 test images. */
function timeIt(f: () => void): number {
  let best = Infinity;
  for (let r = 0; r < 3; r++) {
    const t = performance.now();
    f();
    best = Math.min(best, performance.now() - t);
  }
  return best;
}

/** The slim net a structured prune describes: only the kept channels of each conv, and the dense rows they feed. */
function slimNet(pruned: tf.LayersModel, kept: number[][], size: number): { slim: tf.LayersModel; weights: tf.Tensor[] } {
  const m = convNet(kept.map((k) => k.length), size, 0);
  const w = pruned.getWeights();
  const out: tf.Tensor[] = [];
  tf.tidy(() => {
    kept.forEach((k, i) => {
      let kernel = w[2 * i]!;
      if (i > 0) kernel = kernel.gather(tf.tensor1d(kept[i - 1]!, 'int32'), 2);
      out.push(tf.keep(kernel.gather(tf.tensor1d(k, 'int32'), 3)), tf.keep(w[2 * i + 1]!.gather(tf.tensor1d(k, 'int32'))));
    });
    out.push(tf.keep(w[2 * kept.length]!.gather(tf.tensor1d(kept[kept.length - 1]!, 'int32'), 0)), tf.keep(w[2 * kept.length + 1]!.clone()));
  });
  // Fresh tensors from the values: wasm's gather returns a reshape that shares a rank-4 buffer, and its
  // FusedConv2D reads the buffer's rank and refuses such a bias.
  const fresh = out.map((t) => tf.tensor(t.dataSync(), t.shape));
  tf.dispose(out);
  m.setWeights(fresh);
  return { slim: m, weights: fresh };
}

function compressExperiment(): void {
  const t0 = Date.now();
  const S = 32, TEACHER = [16, 32, 64], STUDENT = [8, 16, 32];
  const TEACHER_STEPS = Number(arg('teacher-steps', '1500')), STUDENT_STEPS = Number(arg('student-steps', '800')), FT_STEPS = 150;
  /** Distillation settings tried: [temperature, weight of the soft-target term]. */
  const KD: [number, number][] = [[1, 0.5], [2, 0.5], [4, 0.7]];
  const trainSet = shapeClassSet(SEED, 4000, S);
  const testSet = shapeClassSet(SEED + 7000, 1000, S);
  const ce = (l: tf.Tensor2D, y: tf.Tensor2D): tf.Scalar => tf.losses.softmaxCrossEntropy(y, l) as tf.Scalar;
  const teacher = convNet(TEACHER, S, SEED);
  train(teacher, trainSet, TEACHER_STEPS, SEED, ce);
  const base = accuracy(teacher, testSet);
  const tTeacher = (Date.now() - t0) / 1000;
  const predictAll = (m: tf.LayersModel): void => tf.tidy(() => void (m.predict(testSet.x, { batchSize: 250 }) as tf.Tensor).dataSync());
  const msFloat = timeIt(() => predictAll(teacher));
  const floatBytes = 4 * summarizeModel(teacher).totalParams;
  const rows: string[] = [`| teacher, float32 | ${(base * 100).toFixed(1)} % | ${summarizeModel(teacher).totalParams} params, ${floatBytes} bytes | ${msFloat.toFixed(0)} ms |`];

  // int8: weights per channel, then activations on a calibrated per-layer grid as well.
  const q = cloneNet(teacher, TEACHER, S);
  const rep = quantizeModelWeights(q);
  const int8Bytes = floatBytes - rep.floatBytes + rep.int8Bytes;
  rows.push(`| teacher, int8 per-channel weights | ${(accuracy(q, testSet) * 100).toFixed(1)} % | ${int8Bytes} bytes (${(floatBytes / int8Bytes).toFixed(2)}x smaller; kernels ${rep.floatBytes} -> ${rep.int8Bytes}), max abs weight error ${rep.maxError.toExponential(2)} | ${timeIt(() => predictAll(q)).toFixed(0)} ms (dequantised float kernels) |`);
  const calib = tf.tidy(() => trainSet.x.slice([0], [256]));
  const scales = calibrateActivations(q, calib);
  calib.dispose();
  let qa = 0;
  for (let i = 0; i < 1000; i += 250) {
    const p = tf.tidy(() => predictQuantized(q, testSet.x.slice([i], [250]), scales).argMax(-1).dataSync());
    for (let k = 0; k < 250; k++) if (p[k] === testSet.y[i + k]) qa++;
  }
  const msQ = timeIt(() => tf.tidy(() => void predictQuantized(q, testSet.x, scales).dataSync()));
  rows.push(`| teacher, int8 weights + int8 activations (per-layer scales from 256 training images) | ${(qa / 10).toFixed(1)} % | as above, activations 4x smaller in memory | ${msQ.toFixed(0)} ms (rounding simulated in float) |`);
  q.dispose();

  // Unstructured (global magnitude) and structured (L1 channel) pruning, each fine-tuned with its masks.
  for (const sp of [0.5, 0.8, 0.9]) {
    const p = cloneNet(teacher, TEACHER, S);
    const res = magnitudePrune(p, sp);
    const accPruned = accuracy(p, testSet);
    train(p, trainSet, FT_STEPS, SEED + 1, ce, () => reapplyMasks(res.masks));
    rows.push(`| teacher, ${sp * 100} % of weights pruned (global magnitude) | ${(accPruned * 100).toFixed(1)} % -> ${(accuracy(p, testSet) * 100).toFixed(1)} % after ${FT_STEPS} fine-tune steps | sparsity ${(res.sparsity * 100).toFixed(1)} %; ${Math.round((1 - res.sparsity) * rep.weights)} nonzero kernel weights | ${timeIt(() => predictAll(p)).toFixed(0)} ms (dense kernels, zeros kept) |`);
    for (const m of res.masks.values()) m.dispose();
    p.dispose();
  }
  for (const fr of [0.5, 0.8, 0.9]) {
    const p = cloneNet(teacher, TEACHER, S);
    const res = channelPrune(p, fr);
    const accPruned = accuracy(p, testSet);
    train(p, trainSet, FT_STEPS, SEED + 1, ce, () => reapplyMasks(res.masks));
    const accFt = accuracy(p, testSet);
    const { slim, weights: slimWeights } = slimNet(p, res.layers.map((l) => l.kept), S);
    const accSlim = accuracy(slim, testSet);
    const widths = res.layers.map((l) => l.kept.length).join('-');
    rows.push(`| teacher, ${fr * 100} % of conv channels pruned (L1, structured) | ${(accPruned * 100).toFixed(1)} % -> ${(accFt * 100).toFixed(1)} % after ${FT_STEPS} fine-tune steps | rebuilt as conv ${widths}: ${summarizeModel(slim).totalParams} params, test acc ${(accSlim * 100).toFixed(1)} % | ${timeIt(() => predictAll(slim)).toFixed(0)} ms |`);
    for (const m of res.masks.values()) m.dispose();
    p.dispose(); slim.dispose(); tf.dispose(slimWeights);
  }

  // Distillation: the same student, init and batches, with and without the teacher's soft targets.
  const hard = convNet(STUDENT, S, SEED + 50);
  train(hard, trainSet, STUDENT_STEPS, SEED + 2, ce);
  const sParams = summarizeModel(hard).totalParams;
  rows.push(`| student, hard labels only | ${(accuracy(hard, testSet) * 100).toFixed(1)} % | conv 8-16-32, ${sParams} params, ${STUDENT_STEPS} steps | ${timeIt(() => predictAll(hard)).toFixed(0)} ms |`);
  for (const [T, ALPHA] of KD) {
    const kd = convNet(STUDENT, S, SEED + 50);
    train(kd, trainSet, STUDENT_STEPS, SEED + 2, (l, y, x) => distillationLoss(l, tf.tidy(() => teacher.predict(x) as tf.Tensor2D), y, T, ALPHA));
    rows.push(`| student, distilled (T ${T}, alpha ${ALPHA}) | ${(accuracy(kd, testSet) * 100).toFixed(1)} % | same init, batches and steps | |`);
    kd.dispose();
  }
  const secs = (Date.now() - t0) / 1000;
  writeSection('Compression (quantisation, pruning, distillation)', `
Task: classify the one shape (circle / square / triangle) in 32x32 shapes images (radius 0.15-0.4 of the side, random colours, noise
0.05); 4000 training images (seed ${SEED}), 1000 test images (seed ${SEED + 7000}). Teacher: conv 16-32-64 (3x3, ReLU, max-pool) + GAP +
dense, Adam 2e-3, batch 32, ${TEACHER_STEPS} steps (${tTeacher.toFixed(0)} s). Student: conv 8-16-32, same recipe, ${STUDENT_STEPS} steps. Quantisation
and unstructured pruning touch the conv/dense kernels; structured pruning drops whole conv output channels (kernel slice and bias)
and the rebuilt net keeps only the rest. Time: wall-clock for a forward pass over the 1000 test images (batch 250, best of 3, tfjs
${tf.getBackend()}). Whole section ${secs.toFixed(0)} s.

| model | test acc | size | time / 1000 images |
|---|---|---|---|
${rows.join('\n')}

tfjs has no int8 kernels: the int8 rows compute with the dequantised values (and the activation rounding costs extra ops), so
their gain is size and the accuracy they show is what an int8 runtime would reach; the speed-up here comes from structured
pruning, which makes the net itself smaller.`);
  tf.dispose([trainSet.x, trainSet.oneHot, testSet.x, testSet.oneHot]);
  teacher.dispose(); hard.dispose();
}

// ---------------------------------------------------------------- classify: the small MobileNet / DenseNet train here
async function classifyExperiment(): Promise<void> {
  const S = Number(arg('classify-size', '32')), STEPS = Number(arg('classify-steps', '300')), BATCH = 16;
  const nets = arg('classify-nets', 'mobilenet,densenet').split(',');
  const saveTo = arg('save-mobilenet', '');
  const trainSet = shapeClassSet(SEED, 4000, S);
  const testSet = shapeClassSet(SEED + 7000, 1000, S);
  const rows: string[] = [];
  for (const [key, name, build] of [
    ['mobilenet', `MobileNetV1 alpha 0.25, ${S}x${S}`, () => buildMobileNet({ alpha: 0.25, inputSize: S, classes: 3, dropout: 0, seed: SEED })],
    ['densenet', `DenseNet-BC k 12, blocks 4/4/4, 3x3 stem, ${S}x${S}`, () => buildDenseNet({ blocks: [4, 4, 4], growth: 12, inputSize: S, classes: 3, stem: 'small', seed: SEED })],
  ] as const) {
    if (!nets.includes(key)) continue;
    const m = build();
    const sum = summarizeModel(m);
    const opt = tf.train.adam(2e-3);
    const rng = new Rng(`classify:${SEED}`);
    const t0 = Date.now();
    let lossFirst = NaN, lossLast = NaN;
    for (let s = 0; s < STEPS; s++) {
      const l = tf.tidy(() => {
        const idx = tf.tensor1d(Array.from({ length: BATCH }, () => rng.int(4000)), 'int32');
        const xb = trainSet.x.gather(idx), yb = trainSet.oneHot.gather(idx);
        return opt.minimize(() => tf.metrics.categoricalCrossentropy(yb, m.apply(xb, { training: true }) as tf.Tensor).mean() as tf.Scalar, true)!.dataSync()[0]!;
      });
      if (s < 20) lossFirst = Number.isNaN(lossFirst) ? l / 20 : lossFirst + l / 20;
      if (s >= STEPS - 20) lossLast = Number.isNaN(lossLast) ? l / 20 : lossLast + l / 20;
    }
    const secs = (Date.now() - t0) / 1000;
    const accMoving = accuracy(m, testSet);
    // Batch-norm statistics recomputed on 1000 training images (src/vision/recalibrate.ts).
    recalibrateBatchNorm(m, trainSet.x.slice([0], [1000]) as tf.Tensor4D);
    const accRecalibrated = accuracy(m, testSet);
    rows.push(`| ${name} | ${sum.totalParams} | ${(sum.macs / 1e6).toFixed(2)} M | ${STEPS} | ${lossFirst.toFixed(3)} -> ${lossLast.toFixed(3)} | ${(accMoving * 100).toFixed(1)} % | ${(accRecalibrated * 100).toFixed(1)} % | ${secs.toFixed(0)} s (${((secs / STEPS) * 1000).toFixed(0)} ms/step) |`);
    console.log(rows[rows.length - 1]);
    if (key === 'mobilenet' && saveTo !== '') {
      await saveModel(m, saveTo, { extra: { classes: SHAPE_CLASSES } });
      console.log(`saved ${saveTo}`);
    }
    opt.dispose(); m.dispose();
  }
  writeSection(saveTo !== '' ? `The shipped MobileNet (${saveTo})` : 'Small MobileNet and DenseNet on this CPU', `
The one-shape classification of the compression section at ${S}x${S} (4000 training, 1000 test images), Adam 2e-3, batch ${BATCH},
softmax cross-entropy; test accuracy in inference mode with the BN moving statistics training left (momentum 0.99), and after
recomputing them on 1000 training images (recalibrateBatchNorm; the saved net is the recalibrated one). Multiply-adds per image.

| net | params | MACs | steps | loss (mean of first 20 -> last 20 steps) | test acc | test acc, BN recalibrated | time |
|---|---|---|---|---|---|---|---|
${rows.join('\n')}`);
  tf.dispose([trainSet.x, trainSet.oneHot, testSet.x, testSet.oneHot]);
}

if (ONLY.includes('norm')) normExperiment();
if (ONLY.includes('normconv')) normConvExperiment();
if (ONLY.includes('seg')) segExperiment();
if (ONLY.includes('compress')) compressExperiment();
if (ONLY.includes('classify')) await classifyExperiment();
