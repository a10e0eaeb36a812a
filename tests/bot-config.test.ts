import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { registerCommands } from '../src/bot/register.ts';
import { ConfigError, loadBotConfig } from '../src/config.ts';
import { DiscordEmulator } from './e2e/emulator/discord-emulator.ts';

const TOKEN = 'MTIzNDU2Nzg5MDEyMzQ1Njc4OQ.GxYzAb.c2VjcmV0LWJvdC10b2tlbi1mb3ItdGVzdHM';
const APP = '123456789012345678';
const NO_FILE = '/nonexistent/.env';

describe('the bot configuration', () => {
  it('has working defaults once the two Discord values are set', () => {
    const config = loadBotConfig({ DISCORD_TOKEN: TOKEN, DISCORD_APPLICATION_ID: APP }, NO_FILE);
    expect(config).toMatchObject({
      token: TOKEN, applicationId: APP, dbPath: path.resolve('data/motif.db'), messageContent: false, voteEmojis: ['👍', '👎'], takes: 2,
      queue: { concurrency: 2, maxWaiting: 25, perUserInFlight: 2, cooldownMs: 10_000 },
    });
  });

  it('reads flags and lists, and names every bad value without echoing the token', () => {
    const config = loadBotConfig({ DISCORD_TOKEN: TOKEN, DISCORD_APPLICATION_ID: APP, MOTIF_MESSAGE_CONTENT: 'yes', MOTIF_VOTE_EMOJIS: '⭐, 💤' }, NO_FILE);
    expect(config.messageContent).toBe(true);
    expect(config.voteEmojis).toEqual(['⭐', '💤']);
    const leaked = 'not-a-token-but-secret';
    let error: unknown;
    try {
      loadBotConfig({ DISCORD_TOKEN: leaked, DISCORD_APPLICATION_ID: 'abc', MOTIF_VOTE_EMOJIS: '⭐', MOTIF_TAKES: '9' }, NO_FILE);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toMatch(/DISCORD_TOKEN does not look like a bot token/);
    expect(message).toMatch(/DISCORD_APPLICATION_ID must be the application's numeric ID/);
    expect(message).toMatch(/MOTIF_VOTE_EMOJIS must be two different emoji/);
    expect(message).toMatch(/MOTIF_TAKES/);
    expect(message).not.toContain(leaked);
  });

  it('.env.example documents every variable the configuration reads', async () => {
    const source = await readFile('src/config.ts', 'utf8');
    const example = await readFile('.env.example', 'utf8');
    const read = new Set([...source.matchAll(/\b((?:MOTIF|DISCORD)_[A-Z0-9_]+):/g)].map((match) => match[1]));
    expect(read.size).toBeGreaterThan(15);
    const documented = new Set([...example.matchAll(/^#?\s*((?:MOTIF|DISCORD)_[A-Z0-9_]+)=/gm)].map((match) => match[1]));
    expect([...read].filter((name) => !documented.has(name))).toEqual([]);
  });

  it('`motif bot` without configuration stops with one line naming what is missing', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'motif-bot-cli-'));
    await writeFile(path.join(dir, '.env'), 'DISCORD_TOKEN=\nDISCORD_APPLICATION_ID=\n');
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('DISCORD_')));
    const result = await promisify(execFile)(process.execPath, [path.resolve('bin/motif.js'), 'bot'], { cwd: dir, env })
      .then(() => undefined, (error: { code: number; stderr: string }) => error);
    expect(result?.code).toBe(1);
    expect(result?.stderr.trim().split('\n')).toEqual([
      'motif bot: invalid configuration: DISCORD_TOKEN is not set: copy .env.example to .env and paste the bot token from the Discord developer portal; '
        + "DISCORD_APPLICATION_ID is not set: it is the Application ID on the developer portal's General Information page",
    ]);
  });
});

describe('command registration', () => {
  it('sends /compose, /continue, /restyle, /help and /stats with their options, for a guild or globally', async () => {
    const emulator = new DiscordEmulator({ botToken: TOKEN, applicationId: APP });
    await emulator.start();
    try {
      expect(await registerCommands({ token: TOKEN, applicationId: APP, guildId: emulator.guildId, api: emulator.apiUrl })).toEqual(['compose', 'continue', 'restyle', 'help', 'stats']);
      const [compose, continued, restyle] = emulator.registeredCommands.get(emulator.guildId) as { name: string; options: { name: string; type: number; required?: boolean; min_value?: number; max_value?: number }[] }[];
      // The file is an attachment option (type 11), required.
      expect(continued.options.map((option) => [option.name, option.type, option.required ?? false])).toEqual([['file', 11, true], ['prompt', 3, false], ['bars', 4, false]]);
      expect(restyle.options.map((option) => [option.name, option.type, option.required ?? false])).toEqual([['file', 11, true], ['prompt', 3, true], ['keep', 3, false]]);
      expect(compose.options.map((option) => option.name)).toEqual(['prompt', 'bpm', 'key', 'bars', 'instruments', 'seed', 'takes']);
      expect(compose.options[0].required).toBe(true);
      expect(compose.options[1]).toMatchObject({ min_value: 20, max_value: 299 });
      await registerCommands({ token: TOKEN, applicationId: APP, api: emulator.apiUrl });
      expect(emulator.registeredCommands.get('global')).toHaveLength(5);
      await expect(registerCommands({ token: `${TOKEN}x`, applicationId: APP, api: emulator.apiUrl })).rejects.toMatchObject({ status: 401 });
    } finally {
      await emulator.stop();
    }
  });
});
