/**
 * `tengen vision eval-detections`: detection metrics as the reference tools print them.
 */
import { existsSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { UserError } from '../util/errors.ts';
import { cocoEvaluate } from '../vision/detection/coco.ts';
import { readCocoDt, readCocoGt, readDetTextDir, readGtTextDir, readVocXmlDir, type BoxFormat } from '../vision/detection/io.ts';
import { vocEvaluate } from '../vision/detection/voc.ts';

interface Flags {
  gt: string;
  dt: string;
  format: string;
  iou: string;
  box: string;
  pixelInclusive: boolean;
}

export function register(program: Command): void {
  const vision = program.command('vision').description('vision tools: detection metrics');
  vision
    .command('eval-detections')
    .description('evaluate detections: COCO summary (12 numbers) or per-class VOC AP')
    .requiredOption('--gt <path>', 'ground truth: COCO json, or a directory of VOC xml / text files')
    .requiredOption('--dt <path>', 'detections: COCO results json, or a directory of text files (<class> <conf> <box>)')
    .option('--format <kind>', 'coco | voc', 'coco')
    .option('--iou <t>', 'IoU threshold for VOC AP', '0.5')
    .option('--box <kind>', 'box layout in text files: xyxy (corners) | xywh', 'xyxy')
    .option('--no-pixel-inclusive', 'VOC: do not add 1 to box sizes (the devkit adds 1 for integer pixel boxes)')
    .action((f: Flags) => {
      for (const p of [f.gt, f.dt]) if (!existsSync(p)) throw new UserError(`${p}: no such file or directory`);
      if (f.format === 'coco') {
        for (const [flag, p] of [['--gt', f.gt], ['--dt', f.dt]] as const) {
          if (statSync(p).isDirectory()) throw new UserError(`${flag} ${p} is a directory; --format coco reads a COCO JSON file (for a directory of VOC xml or text files, add --format voc)`);
        }
        const { lines } = cocoEvaluate(readCocoGt(f.gt), readCocoDt(f.dt));
        process.stdout.write(lines.join('\n') + '\n');
        return;
      }
      if (f.format !== 'voc') throw new UserError(`--format must be coco or voc, got '${f.format}'`);
      const iouThreshold = Number(f.iou);
      if (!(iouThreshold > 0 && iouThreshold <= 1)) throw new UserError(`--iou must be in (0, 1], got '${f.iou}'`);
      if (f.box !== 'xyxy' && f.box !== 'xywh') throw new UserError(`--box must be xyxy or xywh, got '${f.box}'`);
      const box = f.box as BoxFormat;
      if (!statSync(f.gt).isDirectory()) throw new UserError(`${f.gt}: for --format voc, --gt must be a directory of .xml or .txt files`);
      const xml = readVocXmlDir(f.gt);
      const gts = xml.images.length > 0 ? xml.gts : readGtTextDir(f.gt, box).gts;
      const results = vocEvaluate(gts, readDetTextDir(f.dt, box), { iouThreshold, pixelInclusive: f.pixelInclusive });
      process.stdout.write(`class       AP(11-point)  AP(all-point)  positives  TP  FP   @ IoU ${iouThreshold}\n`);
      for (const r of results) {
        process.stdout.write(`${r.cls.padEnd(11)} ${r.ap11.toFixed(6).padStart(12)}  ${r.apAll.toFixed(6).padStart(13)}  ${String(r.positives).padStart(9)}  ${String(r.tp).padStart(3)} ${String(r.fp).padStart(3)}\n`);
      }
      const withGt = results.filter((r) => r.positives > 0);
      const mean = (xs: number[]): number => xs.reduce((s, v) => s + v, 0) / Math.max(1, xs.length);
      process.stdout.write(`mAP         ${mean(withGt.map((r) => r.ap11)).toFixed(6).padStart(12)}  ${mean(withGt.map((r) => r.apAll)).toFixed(6).padStart(13)}\n`);
    });
}
