import type { D1Migration } from '@cloudflare/vitest-plugin';
import type { Env as AtriumEnv } from '../../worker/env.ts';

declare global {
  namespace Cloudflare {
    interface Env extends AtriumEnv {
      META_MIGRATIONS: D1Migration[];
      DEMO_MIGRATIONS: D1Migration[];
    }
    interface GlobalProps {
      mainModule: typeof import('../../worker/index.ts');
    }
  }
}
