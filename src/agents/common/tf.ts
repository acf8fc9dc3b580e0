/**
 * The one place the agents get TensorFlow.js from (the repo-wide backend module). The backend
 * itself is chosen by the CLI / caller via initBackend(); the cpu and wasm backends both give
 * identical results for identical seeds.
 */
export { tf } from '../../nets/backend.ts';
