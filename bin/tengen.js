#!/usr/bin/env node
// Entry point of the `tengen` command: loads the TypeScript CLI through tsx's ESM loader.
import { register } from 'tsx/esm/api';

register();
const { runAsProcess } = await import('../src/cli.ts');
runAsProcess();
