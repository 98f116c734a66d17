/**
 * The PDF engine as a feature module: no API of its own (billing and contracts call
 * renderDocumentPdf / the engine directly), only the start-up self-test as the `pdf` readiness
 * item of /readyz and system.info — run once after the servers listen, its result kept.
 */
import type { FeatureModule } from '../core/module';
import type { Logger } from '../platform/logger';
import { pdfSelfTest, type SelfTestResult } from './self-test';

export function pdfModule(opts: { logger: Logger; fontsDir?: string }): FeatureModule {
  const log = opts.logger.child({ module: 'pdf' });
  let result: Promise<SelfTestResult> | undefined;
  const run = () =>
    (result ??= pdfSelfTest({ fontsDir: opts.fontsDir }).then((r) => {
      if (r.ok) log.info('PDF self-test passed (Hebrew glyph order)');
      else log.error({ got: r.got, expected: r.expected, error: r.error }, 'PDF self-test failed');
      return r;
    }));
  return {
    name: 'pdf',
    readiness: { pdf: async () => ((await run()).ok ? 'ok' : 'fail') },
    start() {
      void run();
    },
  };
}
