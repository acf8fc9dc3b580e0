/**
 * Registers the vision nets with the architecture registry (src/nets/archs.ts), so that
 *
 *   tengen nets summary --arch mobilenet --alpha 1 --input 224 --classes 1000
 *   tengen nets summary --arch densenet121 --input 224 --classes 1000
 *   tengen nets summary --arch densenet --growth 12 --layers 4 --stages 3 --input 32 --classes 10
 *
 * print their layer tables, parameter counts and multiply-adds. Import this module (for its side
 * effect) before the CLI reads the registry.
 */
import { registerArch, listArchs, type ArchOption } from '../nets/archs.ts';
import { buildMobileNet } from './mobilenet.ts';
import { buildDenseNet, DENSENET121_BLOCKS } from './densenet.ts';

const classes: ArchOption = { name: 'classes', description: 'output classes', default: 1000, min: 1 };
const known = new Set(listArchs().map((a) => a.name));

if (!known.has('mobilenet')) {
  registerArch({
    name: 'mobilenet',
    description: 'MobileNetV1 (depthwise separable convs, Keras layer structure); alpha = width multiplier, input = resolution',
    options: [
      { name: 'alpha', description: 'width multiplier alpha (1, 0.75, 0.5, 0.25, ...)', default: 1, min: 0.03125, max: 4, integer: false },
      { name: 'input', description: 'square input size (the resolution multiplier)', default: 224, min: 32 },
      classes,
    ],
    build: (o) => buildMobileNet({ alpha: o['alpha']!, inputSize: o['input']!, classes: o['classes']! }),
  });
}

if (!known.has('densenet121')) {
  registerArch({
    name: 'densenet121',
    description: 'DenseNet-121 (growth 32, blocks 6/12/24/16, compression 0.5, Keras layer structure)',
    options: [
      { name: 'input', description: 'square input size', default: 224, min: 32 },
      classes,
    ],
    build: (o) => buildDenseNet({ blocks: [...DENSENET121_BLOCKS], growth: 32, inputSize: o['input']!, classes: o['classes']! }),
  });
}

if (!known.has('densenet')) {
  registerArch({
    name: 'densenet',
    description: 'small DenseNet-BC for 32x32 inputs: 3x3 stem, `stages` dense blocks of `layers` layers, growth k',
    options: [
      { name: 'growth', description: 'growth rate k', default: 12, min: 1 },
      { name: 'layers', description: 'layers per dense block', default: 4, min: 1 },
      { name: 'stages', description: 'dense blocks', default: 3, min: 1, max: 6 },
      { name: 'input', description: 'square input size', default: 32, min: 1 },
      { name: 'classes', description: 'output classes', default: 10, min: 1 },
    ],
    build: (o) => buildDenseNet({ blocks: Array<number>(o['stages']!).fill(o['layers']!), growth: o['growth']!, inputSize: o['input']!, classes: o['classes']!, stem: 'small' }),
  });
}
