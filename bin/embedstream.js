#!/usr/bin/env node
// Node 22.18+ and 24 run TypeScript sources directly (type stripping), so there is no build step.
import '../src/cli/main.ts';
