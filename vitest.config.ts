import { defineConfig } from 'vitest/config';
import LongestFirstSequencer from './test/support/longest-first-sequencer';

// Projects mirror test/: unit tests are fast and need nothing; the others start DynamoDB Local
// (integration, e2e), synthesize the CDK app (cdk) or drive Debian's chromium (browser).
export default defineConfig({
  test: {
    // Quiet logs; the SDK's notice about Node 20 (Lambda runs Node 22) says nothing about us.
    env: { LOG_LEVEL: 'silent', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    reporters: ['default', './test/support/summary-reporter.ts'],
    // Longest files first, from the last recorded run: the two workers finish together.
    sequence: { sequencer: LongestFirstSequencer },
    // Two files at a time even on a 2-core machine (vitest's default there is one): many
    // integration and browser tests wait (token windows, lockout expiry, chromium), and the
    // waits of one file overlap the work of the other. bench/ keeps the timings; tests assert
    // behaviour only, so they do not mind sharing the cores.
    maxWorkers: 2,
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], isolate: false } },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts'],
          globalSetup: ['./test/support/shared-dynamodb-setup.ts'],
          // One worker loads the libraries once for many files; fresh-file-setup.ts gives each
          // file the environment and the Gatehouse modules a fresh process would.
          isolate: false,
          setupFiles: ['./test/support/fresh-file-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'cdk',
          include: ['test/cdk/**/*.test.ts'],
          // Each file builds its own App; sharing the loaded modules (aws-cdk-lib, cdk-nag, lib/)
          // between the files of a worker saves importing them again per file, most of the time
          // of a synth that skips bundling.
          isolate: false,
          testTimeout: 240_000,
          hookTimeout: 240_000,
        },
      },
      {
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          isolate: false,
          setupFiles: ['./test/support/fresh-file-setup.ts'],
          // Each file runs its own stack and chromium; two may run at once, or one beside the
          // other projects' files (a project of one worker would run alone, after the rest).
          globalSetup: ['./test/support/shared-dynamodb-setup.ts'],
        },
      },
    ],
  },
});
