/**
 * How every Lambda is bundled: the CDK stack passes these to NodejsFunction (local esbuild) and
 * `npm run bench` builds with the same settings to report the sizes that ship.
 */
export const BUNDLE_TARGET = 'node24';

// The Lambda Node.js runtime ships AWS SDK v3; bundling it would only add weight.
export const EXTERNAL_MODULES = ['@aws-sdk/*'];

/** ESM bundles still meet CommonJS dependencies that call require(). */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as topLevelCreateRequire } from 'module'; const require = topLevelCreateRequire(import.meta.url);";
