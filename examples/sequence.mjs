// tengen/sequence: the shipped English -> Japanese Transformer, and an LSTM cell run gate by gate.
import { Translator, LSTMCell, runCell } from 'tengen/sequence';
import { tf } from 'tengen/nets';

const translator = await Translator.load();
for (const sentence of ['I am a student.', 'Where is the station?', "He didn't come to school yesterday."]) {
  console.log(`${sentence} -> ${translator.translate(sentence)}`);
}
translator.dispose();

// A from-scratch LSTM cell (Keras' weight layout) over a batch of 2 sequences of 5 steps.
const cell = new LSTMCell(3, 4, { seed: 1 });
const { outputs, gates } = runCell(cell, tf.randomNormal([2, 5, 3], 0, 1, 'float32', 7), { returnGates: true });
console.log(`LSTM outputs ${outputs.shape}, forget gate mean ${gates.f.mean().dataSync()[0].toFixed(3)}`);
