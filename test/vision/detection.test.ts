import { existsSync, mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { iou, nms, softNms, type Box } from '../../src/vision/detection/boxes.ts';
import { ap11, apAllPoint, vocEvaluate } from '../../src/vision/detection/voc.ts';
import { cocoEvaluate, type CocoGt } from '../../src/vision/detection/coco.ts';
import { readCocoDt, readCocoGt, readDetTextDir, readGtTextDir, readVocXmlDir } from '../../src/vision/detection/io.ts';

const data = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'shared', 'data', 'detection');
const hasData = existsSync(join(data, 'toyexample'));
if (!hasData) console.warn(`reference detection data not found at ${data}: skipping the fixture tests`);

describe('IoU and NMS', () => {
  it('computes IoU, with the VOC +1 pixel convention as an option', () => {
    expect(iou([0, 0, 10, 10], [5, 0, 15, 10])).toBeCloseTo(50 / 150, 12);
    expect(iou([0, 0, 10, 10], [20, 20, 30, 30])).toBe(0);
    expect(iou([0, 0, 9, 9], [0, 0, 9, 9], true)).toBe(1);
    expect(iou([0, 0, 0, 0], [0, 0, 0, 0], true)).toBe(1);
  });

  it('suppresses overlapping boxes and keeps separate ones', () => {
    const boxes: Box[] = [
      [0, 0, 10, 10],
      [1, 1, 11, 11],
      [50, 50, 60, 60],
      [0, 0, 10, 9],
    ];
    expect(nms(boxes, [0.9, 0.8, 0.7, 0.95], 0.5)).toEqual([3, 2]);
    expect(nms(boxes, [0.9, 0.8, 0.7, 0.95], 0.99)).toEqual([3, 0, 1, 2]);
  });

  it('soft-NMS decays overlapping scores instead of dropping them', () => {
    const boxes: Box[] = [
      [0, 0, 10, 10],
      [1, 1, 11, 11],
      [50, 50, 60, 60],
    ];
    const out = softNms(boxes, [0.9, 0.8, 0.7], { method: 'linear', iouThreshold: 0.3 });
    expect(out.map((o) => o.index)).toEqual([0, 2, 1]);
    const o = iou(boxes[0]!, boxes[1]!);
    expect(out[2]!.score).toBeCloseTo(0.8 * (1 - o), 12);
    const g = softNms(boxes, [0.9, 0.8, 0.7], { method: 'gaussian', sigma: 0.5 });
    expect(g.find((x) => x.index === 1)!.score).toBeCloseTo(0.8 * Math.exp(-(o * o) / 0.5), 12);
  });
});

describe('AP interpolation', () => {
  it('11-point and all-point AP of a hand-made curve', () => {
    const recall = [0.2, 0.4, 0.4, 0.8];
    const precision = [1, 1, 2 / 3, 0.8];
    // envelope: 1 up to recall .4, 0.8 up to .8, 0 after.
    expect(apAllPoint(recall, precision)).toBeCloseTo(0.4 * 1 + 0.4 * 0.8, 12);
    expect(ap11(recall, precision)).toBeCloseTo((5 * 1 + 4 * 0.8) / 11, 12);
  });

  it('matches each ground truth once; a duplicate detection is a false positive', () => {
    const res = vocEvaluate(
      [{ image: 'a', cls: 'cat', box: [0, 0, 10, 10] }],
      [
        { image: 'a', cls: 'cat', score: 0.9, box: [0, 0, 10, 10] },
        { image: 'a', cls: 'cat', score: 0.8, box: [0, 0, 10, 10] },
      ],
    );
    expect(res[0]!.tp).toBe(1);
    expect(res[0]!.fp).toBe(1);
    expect(res[0]!.apAll).toBe(1);
  });
});

describe.skipIf(!hasData)('reference values of ../shared/data/detection', () => {
  it('toy example, VOC AP at IoU 0.5 and 0.75 (11-point and all-point)', () => {
    const { gts } = readVocXmlDir(join(data, 'toyexample', 'gts_voc'));
    const dets = readDetTextDir(join(data, 'toyexample', 'dets_classname_abs_xyx2y2'), 'xyxy');
    const at = (t: number) => vocEvaluate(gts, dets, { iouThreshold: t })[0]!;
    expect(at(0.5).ap11).toBeCloseTo(0.8864, 4);
    expect(at(0.5).apAll).toBeCloseTo(0.8958, 4);
    expect(at(0.75).ap11).toBeCloseTo(0.4924, 4);
    expect(at(0.75).apAll).toBeCloseTo(0.5097, 4);
  });

  it('review_odm test case 1, VOC AP at four IoU thresholds', () => {
    const { gts } = readGtTextDir(join(data, 'review_odm_test_case_1', 'gts'), 'xywh');
    const dets = readDetTextDir(join(data, 'review_odm_test_case_1', 'dets'), 'xywh');
    const expected: Array<[number, number, number]> = [
      [0.1, 0.3333333333, 0.3371980676],
      [0.3, 0.2683982683, 0.2456866804],
      [0.5, 0.0303030303, 0.0222222222],
      [0.75, 0, 0],
    ];
    for (const [t, e11, eAll] of expected) {
      const r = vocEvaluate(gts, dets, { iouThreshold: t })[0]!;
      expect(r.ap11, `11-point @${t}`).toBeCloseTo(e11, 9);
      expect(r.apAll, `all-point @${t}`).toBeCloseTo(eAll, 9);
    }
  });

  it('toy example, COCO summary (annotation id 0 counts like any other)', () => {
    const gt = readCocoGt(join(data, 'toyexample', 'gts_coco', 'toy_example_coco.json'));
    const dt = readCocoDt(join(data, 'toyexample', 'dets_coco', 'coco_dets.json'));
    const { stats, lines } = cocoEvaluate(gt, dt);
    expect(stats[0]).toBeCloseTo(0.597923, 6);
    expect(stats[1]).toBeCloseTo(0.890264, 6);
    expect(stats[2]).toBeCloseTo(0.509241, 6);
    expect(stats[3]).toBe(-1); // no small boxes
    expect(lines[0]).toBe(' Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 0.597923');
  });
});

describe('COCO evaluation on constructed cases', () => {
  const gt: CocoGt = {
    images: [{ id: 1 }, { id: 2 }],
    categories: [{ id: 7 }],
    annotations: [
      { id: 1, image_id: 1, category_id: 7, bbox: [0, 0, 100, 100] },
      { id: 2, image_id: 2, category_id: 7, bbox: [10, 10, 20, 20] },
    ],
  };

  it('perfect detections score 1 everywhere a ground truth exists', () => {
    const { stats } = cocoEvaluate(gt, [
      { image_id: 1, category_id: 7, bbox: [0, 0, 100, 100], score: 0.9 },
      { image_id: 2, category_id: 7, bbox: [10, 10, 20, 20], score: 0.8 },
    ]);
    expect(stats[0]).toBeCloseTo(1, 12);
    expect(stats[3]).toBeCloseTo(1, 12); // the 20x20 box is small
    expect(stats[4]).toBe(-1); // no medium boxes
    expect(stats[5]).toBeCloseTo(1, 12);
    expect(stats[6]).toBeCloseTo(1, 12); // maxDets counts per image: one detection each is enough
  });

  it('maxDets 1 limits recall when an image holds two objects', () => {
    const two: CocoGt = { ...gt, annotations: [...gt.annotations, { id: 3, image_id: 1, category_id: 7, bbox: [200, 200, 50, 50] }] };
    const { stats } = cocoEvaluate(two, [
      { image_id: 1, category_id: 7, bbox: [0, 0, 100, 100], score: 0.9 },
      { image_id: 1, category_id: 7, bbox: [200, 200, 50, 50], score: 0.7 },
      { image_id: 2, category_id: 7, bbox: [10, 10, 20, 20], score: 0.8 },
    ]);
    expect(stats[6]).toBeCloseTo(2 / 3, 12);
    expect(stats[8]).toBeCloseTo(1, 12);
  });

  it('a higher-scored false positive lowers AP but not recall', () => {
    const { stats } = cocoEvaluate(gt, [
      { image_id: 1, category_id: 7, bbox: [500, 500, 10, 10], score: 0.99 },
      { image_id: 1, category_id: 7, bbox: [0, 0, 100, 100], score: 0.9 },
      { image_id: 2, category_id: 7, bbox: [10, 10, 20, 20], score: 0.8 },
    ]);
    expect(stats[1]).toBeLessThan(1);
    expect(stats[8]).toBeCloseTo(1, 12);
  });

  it('rejects negative box sizes and malformed files with the place of the fault', () => {
    expect(() => cocoEvaluate(gt, [{ image_id: 1, category_id: 7, bbox: [0, 0, -5, 10], score: 1 }])).toThrow(/detection 0: negative box size/);
    const dir = mkdtempSync(join(tmpdir(), 'tengen-det-'));
    mkdirSync(join(dir, 'dt'));
    writeFileSync(join(dir, 'dt', 'img.txt'), 'cat 0.9 1 2 3 4\ncat 0.5 1 2 3\n');
    expect(() => readDetTextDir(join(dir, 'dt'), 'xyxy')).toThrow(/img\.txt:2: expected <class> <confidence> <4 box numbers>/);
    writeFileSync(join(dir, 'dt', 'img.txt'), 'cat 0.9 10 2 3 4\n');
    expect(() => readDetTextDir(join(dir, 'dt'), 'xyxy')).toThrow(/negative size/);
    writeFileSync(join(dir, 'gt.json'), '{"images": []');
    expect(() => readCocoGt(join(dir, 'gt.json'))).toThrow(/gt\.json: not valid JSON/);
    writeFileSync(join(dir, 'gt.json'), '{"images": []}');
    expect(() => readCocoGt(join(dir, 'gt.json'))).toThrow(/needs "images", "annotations" and "categories"/);
  });

  it('names null or malformed entries of COCO files instead of failing inside the evaluation', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tengen-det-null-'));
    writeFileSync(join(dir, 'gt.json'), JSON.stringify({ images: [{ id: 1 }], categories: [{ id: 7 }], annotations: [{ id: 1, image_id: 1, category_id: 7, bbox: [0, 0, 4, 4] }, null] }));
    expect(() => readCocoGt(join(dir, 'gt.json'))).toThrow(/annotations\[1\] is null; expected \{"image_id": number/);
    writeFileSync(join(dir, 'gt.json'), JSON.stringify({ images: [null], categories: [], annotations: [] }));
    expect(() => readCocoGt(join(dir, 'gt.json'))).toThrow(/images\[0\] is null/);
    writeFileSync(join(dir, 'dt.json'), JSON.stringify([{ image_id: 1, category_id: 7, score: 0.5 }]));
    expect(() => readCocoDt(join(dir, 'dt.json'))).toThrow(/detection 0 is .*expected numeric image_id, category_id, score and a bbox/);
  });

  it('the command says to add --format voc when --gt is a directory', async () => {
    const { Command } = await import('commander');
    const { register } = await import('../../src/commands/vision.ts');
    const program = new Command().exitOverride();
    register(program);
    const dir = mkdtempSync(join(tmpdir(), 'tengen-det-dir-'));
    writeFileSync(join(dir, 'dt.json'), '[]');
    await expect(program.parseAsync(['vision', 'eval-detections', '--gt', dir, '--dt', join(dir, 'dt.json')], { from: 'user' })).rejects.toThrow(/is a directory; --format coco reads a COCO JSON file \(for a directory of VOC xml or text files, add --format voc\)/);
  });
});
