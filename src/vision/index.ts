/**
 * The vision module: image classifiers (MobileNetV1, DenseNet), normalisation layers written in tf
 * ops, the procedural shapes dataset and a COCO-format loader, semantic segmentation (U-Net +
 * metrics) and compression (int8 quantisation, magnitude pruning, distillation). Detection metrics
 * live in ./detection/. Importing this module also registers the archs with `tengen nets summary`.
 *
 * @module tengen/vision
 */
import '../nets/start-backend.ts'; // starts the tensor backend as the package loads (see there)
import './archs.ts';

export { buildMobileNet, MOBILENET_BLOCKS, type MobileNetConfig } from './mobilenet.ts';
export { buildDenseNet, DENSENET121_BLOCKS, type DenseNetConfig } from './densenet.ts';
export { BatchNorm, LayerNorm, InstanceNorm, type NormOptions } from './normalization.ts';
export { shapesImage, shapesBatch, SHAPE_CLASSES, type ShapesOptions, type ShapesImage, type ShapesBatch, type ShapeObject, type ShapeClass } from './shapes.ts';
export {
  CocoDataset, parseCocoInstances, decodePnm, encodePpm, readImage, segmentationMask, maskToRle, writeShapesCoco,
  type CocoInstances, type CocoAnnotation, type CocoImageInfo, type CocoCategory, type CocoSample, type DecodedImage,
} from './coco-loader.ts';
export { buildUNet, segmentationLoss, predictClasses, ConfusionMatrix, type UNetConfig } from './segmentation.ts';
export {
  quantizePerChannel, dequantize, quantizeModelWeights, kernelWeights, magnitudePrune, reapplyMasks, distillationLoss,
  channelPrune, calibrateActivations, predictQuantized,
  type QuantizedTensor, type QuantizeReport, type PruneResult, type ChannelPruneResult, type ActivationScales,
} from './compression.ts';
export { trainSync, trainAsync, trainModelParallel, referenceSync, dpEvaluate, initialWeights, type DpData, type DpOptions, type DpResult } from './data-parallel.ts';
export { buildDpModel, dpDataset } from './data-parallel-model.ts';
export { buildDetector, encodeTargets, detectionLoss, decodeDetections, detect, toCocoEval, DETECTOR_STRIDE, type DetectorConfig, type Detection, type DetectionTargets, type DecodeOptions } from './ssd.ts';
export { loadVisionModel, type VisionKind } from './saved.ts';
export { classifyImage, SHIPPED_MOBILENET, type Classification } from './classify.ts';
export { recalibrateBatchNorm } from './recalibrate.ts';
