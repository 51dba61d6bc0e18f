#!/usr/bin/env node
// Production entry point: runs the compiled CLI (npm run build first).
import '../dist/cli/main.js';
