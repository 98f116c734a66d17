/**
 * Browser mode: the core in plain Node. The public server (webhooks, media stream, health)
 * on PORT, and the renderer + API on 127.0.0.1:LOCAL_PORT with a per-launch token.
 * A damaged database starts the recovery core instead (core/recovery.ts); the owner's choice
 * to start fresh restarts the core in this process, on the same ports and token.
 */
import { isRecovery, startCoreHost } from './core/recovery';
import { loadConfig } from './platform/config';

async function main(): Promise<void> {
  const config = loadConfig();
  const host = await startCoreHost({ config, mode: 'browser', local: true });
  const core = host.current();
  const log = core.logger.child({ module: 'headless' });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    await host.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('uncaughtException', (err) => log.fatal({ err }, 'uncaught exception'));
  process.on('unhandledRejection', (err) => log.error({ err }, 'unhandled rejection'));

  const publicUrl = host.publicUrl();
  const local = host.local()!;
  const lines = isRecovery(core)
    ? [
        '',
        `AgentLocator started in RECOVERY MODE: the database is damaged (${core.recovery.code}).`,
        `  The damaged file is kept as it is: ${core.recovery.damagedFile}`,
        '  Calls are still answered with a voice message.',
        `  Open the app to choose what to do: ${local.url}`,
        '  מסד הנתונים פגום. הקובץ הפגום נשמר. פתחו את האפליקציה כדי להמשיך.',
        '',
      ]
    : [
        '',
        `AgentLocator is running in browser mode (data: ${core.paths.dataDir})`,
        `  Public server (webhooks, health): ${publicUrl}/healthz`,
        `  Open the app:                     ${local.url}`,
        '',
      ];
  process.stderr.write(lines.join('\n') + '\n');
  log.info({ public_url: publicUrl, local_port: local.port, recovery: isRecovery(core) }, 'ready');
}

main().catch((err: unknown) => {
  process.stderr.write(`AgentLocator failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
