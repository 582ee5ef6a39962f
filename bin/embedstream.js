#!/usr/bin/env node
// Node 22.18+ and 24 run TypeScript sources directly (type stripping), so there is no build step.
// The start-up limits come first (they may restart the process), then telemetry, before any module
// that makes spans or HTTP calls is loaded.
import '../src/cli/startup-limits.ts';
import '../src/telemetry/register.ts';
import '../src/cli/main.ts';
