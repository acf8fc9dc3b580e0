// tengen/nets: the tensor backend, AlphaZero's residual policy-value net, layer tables and save/load.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeGame } from 'tengen/env';
import { backendName, buildResNet, summarizeModel, saveModel, loadModel, tf } from 'tengen/nets';

console.log(`tensor backend: ${backendName()}`);
const game = makeGame('connect4');
const net = buildResNet({ inputShape: game.observationShape, numActions: game.numActions, blocks: 2, filters: 16, seed: 1 });
const summary = summarizeModel(net);
console.log(`resnet 2x16 for Connect Four: ${summary.totalParams} parameters, ${summary.macs} multiply-adds per position`);

const dir = mkdtempSync(join(tmpdir(), 'tengen-example-'));
await saveModel(net, join(dir, 'net'));
const again = await loadModel(join(dir, 'net'));
// The policy head gives logits; the value head a number in [-1, 1].
const x = tf.tensor4d(game.newInitialState().observation(0), [1, ...game.observationShape]);
const [logits, value] = again.predict(x);
const policy = tf.softmax(logits).dataSync();
console.log(`empty board, untrained net: policy ${Array.from(policy, (p) => p.toFixed(2)).join(' ')}, value ${value.dataSync()[0].toFixed(3)}`);
rmSync(dir, { recursive: true, force: true });
