#!/usr/bin/env node
// The publisher's command line; runs the TypeScript source through tsx.
import { register } from 'tsx/esm/api';

register();
await import('../signaling/cli/main.ts');
