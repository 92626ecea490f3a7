import { tokenCommand } from './token.command';

const COMMANDS: Record<string, (args: string[]) => Promise<string | void>> = {
  token: tokenCommand,
  bench: async () => (await import('./bench/bench.command')).benchCommand(),
  audit: async (args) => (await import('./audit.command')).auditCommand(args),
  projections: async (args) => (await import('./projections.command')).projectionsCommand(args),
};

async function main([name, ...args]: string[]): Promise<void> {
  const command = COMMANDS[name ?? ''];
  if (!command) throw new Error(`commands: ${Object.keys(COMMANDS).join(', ')}`);
  const output = await command(args);
  if (output) process.stdout.write(`${output}\n`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`learning-actions: ${(error as Error)?.message ?? String(error)}\n`);
  process.exit(1);
});
