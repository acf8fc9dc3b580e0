/**
 * Saving and loading the vision models. MobileNet, DenseNet, the detector and U-Net are
 * tf.LayersModels whose builders record their kind and config on the model, so the generic
 * saveModel (tengen/nets) writes everything needed, and loadVisionModel reads it back with the
 * kind checked: `await saveModel(net, 'runs/mobilenet'); const { model } = await loadVisionModel('runs/mobilenet', 'mobilenet')`.
 */
import type { tf } from '../nets/backend.ts';
import { loadLayers } from '../nets/saved-model.ts';

export type VisionKind = 'mobilenet' | 'densenet' | 'detector' | 'unet';

/** A vision model saved with saveModel: the model, its kind and the config it was built with. */
export async function loadVisionModel(dir: string, kind?: VisionKind | readonly VisionKind[]): Promise<{ model: tf.LayersModel; kind: VisionKind; config: Record<string, unknown> }> {
  const r = await loadLayers(dir, kind ?? ['mobilenet', 'densenet', 'detector', 'unet']);
  return { ...r, kind: r.kind as VisionKind };
}
