#!/usr/bin/env node
// The `gatehouse` command (package.json "bin"): runs the TypeScript CLI through tsx, so a fresh
// clone needs no build step.
import { register } from 'tsx/esm/api';

// The SDK's notice that Lambda has moved past this Node version says nothing to an operator.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
const { main } = await import('./gatehouse.ts');
process.exitCode = await main(process.argv.slice(2));
