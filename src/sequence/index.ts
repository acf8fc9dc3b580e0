/**
 * tengen/sequence: recurrent nets, attention, seq2seq, Transformer, word2vec, WaveNet, BLEU, data.
 *
 * @module tengen/sequence
 */
import '../nets/start-backend.ts'; // starts the tensor backend as the package loads (see there)
export { SimpleRnn, DEFAULT_RNN_OPTIONS, type SimpleRnnOptions, type Activation as RnnActivation, type Init as RnnInit } from './rnn/simple-rnn.ts';
export { runAddition, runSeeds, encodePair, decodeBits, SWEEP as RNN_ADDITION_SWEEP, type AdditionRunOptions, type AdditionRun } from './rnn/binary-addition.ts';
export { LSTMCell, GRUCell, SimpleRNNCell, Bidirectional, runCell, runStack, type RecurrentCell, type RunOptions, type RunResult, type CellStep } from './recurrent.ts';
export { bahdanauAttention, luongAttention, scaledDotProductAttention, causalMask, maskedSoftmax } from './attention.ts';
export { Seq2Seq, padBatch, DEFAULT_SEQ2SEQ, type Seq2SeqOptions, type Translation } from './seq2seq.ts';
export { Transformer, positionalEncoding, warmupLearningRate, layerNorm, DEFAULT_TRANSFORMER, type TransformerOptions } from './transformer.ts';
export { Word2Vec, DEFAULT_W2V, type Word2VecOptions } from './word2vec.ts';
export { WaveNet, DEFAULT_WAVENET, type WaveNetOptions } from './wavenet/wavenet.ts';
export { muLawEncode, muLawDecode, synthClip, wavBytes, writeWav } from './wavenet/audio.ts';
export { corpusBleu, type BleuResult } from './bleu.ts';
export { Vocab, PAD, UNK, BOS, EOS, type VocabOptions } from './data/vocab.ts';
export { loadEnja, readTokenised, type ParallelCorpus, type Split } from './data/enja.ts';
export { Translator, tokenizeEnglish, PRETRAINED_EN_JA, type TranslateOptions } from './translator.ts';
export { loadCell, type CellConfig } from './recurrent.ts';
export { type DecodeOptions } from './seq2seq.ts';
export { vocabPairJson, readVocabPair } from './data/vocab.ts';
