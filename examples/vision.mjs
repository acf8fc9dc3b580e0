// tengen/vision: the shipped MobileNet (alpha 0.25, trained on procedural shapes) classifying image files.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadVisionModel, classifyImage, readImage, shapesImage, encodePpm, SHIPPED_MOBILENET, SHAPE_CLASSES } from 'tengen/vision';

const { model, config } = await loadVisionModel(SHIPPED_MOBILENET, 'mobilenet');
console.log(`MobileNet alpha ${config.alpha}, ${config.inputSize}x${config.inputSize} input, ${config.classes} classes`);

// Ten images written as files (96x96; classifyImage resizes them to the net's 64x64), read back and classified.
const dir = mkdtempSync(join(tmpdir(), 'tengen-example-'));
let right = 0;
for (let i = 0; i < 10; i++) {
  const im = shapesImage(12345, i, { size: 96, minObjects: 1, maxObjects: 1, minRadius: 0.15, maxRadius: 0.4 });
  const file = join(dir, `shape-${i}.ppm`);
  writeFileSync(file, encodePpm(96, 96, im.image));
  const { label, probabilities } = classifyImage(model, readImage(file), SHAPE_CLASSES);
  const truth = SHAPE_CLASSES[im.objects[0].cls];
  if (label === truth) right++;
  console.log(`${file.split('/').pop()}: ${label} (p = ${Math.max(...probabilities).toFixed(2)}), truth ${truth}`);
}
console.log(`${right} of 10 right`);
rmSync(dir, { recursive: true, force: true });
