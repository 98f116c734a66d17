/**
 * Browser mode: the core in plain Node. The public server (webhooks, media stream, health)
 * on PORT, and the renderer + API on 127.0.0.1:LOCAL_PORT with a per-launch token.
 */
import { createCore } from './core';
import { loadConfig } from './platform/config';

async function main(): Promise<void> {
  const config = loadConfig();
  const core = await createCore({ config, mode: 'browser' });
  const log = core.logger.child({ module: 'headless' });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    await core.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('uncaughtException', (err) => log.fatal({ err }, 'uncaught exception'));
  process.on('unhandledRejection', (err) => log.error({ err }, 'unhandled rejection'));

  const publicUrl = await core.startPublic();
  const local = await core.startLocal();
  const lines = [
    '',
    `AgentLocator is running in browser mode (data: ${core.paths.dataDir})`,
    `  Public server (webhooks, health): ${publicUrl}/healthz`,
    `  Open the app:                     ${local.url}`,
    '',
  ];
  process.stderr.write(lines.join('\n') + '\n');
  log.info({ public_url: publicUrl, local_port: local.port }, 'ready');
}

main().catch((err: unknown) => {
  process.stderr.write(`AgentLocator failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
