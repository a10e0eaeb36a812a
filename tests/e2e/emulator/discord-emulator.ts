/**
 * A local Discord: the REST routes the bot uses and the gateway, on 127.0.0.1, with one guild and one text channel.
 * Tests drive it as users would (slash commands, buttons, modals, replies, reactions) and read back what the bot
 * did: every REST request (bodies and uploaded files), every message, every interaction's responses.
 *
 * It keeps Discord's rules that matter here: the bot token is checked; an interaction must be acknowledged within
 * 3 s and only once; its token works for 15 minutes after its creation (from its snowflake id); Message Content is
 * stripped from messages that do not mention the bot unless the bot identified with that intent.
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GatewayServer } from './gateway.ts';
import { readBody, type RequestBody, type UploadedFile } from './multipart.ts';
import { apiChannel, apiGuild, apiMember, apiMessage, apiUser, type ApiMessage, type EmulatedUser } from './payloads.ts';
import { snowflake, snowflakeTime } from './snowflake.ts';

export const MESSAGE_CONTENT_INTENT = 1 << 15;
const EPHEMERAL = 1 << 6;
const LOADING = 1 << 7;
const INTERACTION_LIFETIME_MS = 15 * 60_000;
const ACK_DEADLINE_MS = 3_000;

export interface RecordedRequest extends RequestBody {
  method: string;
  path: string;
  query: URLSearchParams;
  status: number;
  at: number;
}

export interface StoredMessage {
  message: ApiMessage;
  /** Uploaded bytes by attachment id. */
  files: Map<string, UploadedFile>;
  ephemeral: boolean;
  /** Snapshots of each edit's content, oldest first. */
  contents: string[];
  reactions: Map<string, Set<string>>;
}

export interface EmulatedInteraction {
  id: string;
  token: string;
  type: number;
  user: EmulatedUser;
  dispatchedAt: number;
  callback?: { type: number; data?: any };
  originalId?: string;
  followupIds: string[];
  /** What happened, in order: 'callback:5', 'edit', 'followup', ... */
  timeline: string[];
}

class HttpError extends Error {
  constructor(readonly status: number, readonly body: { code: number; message: string }) {
    super(body.message);
  }
}

type Handler = (match: RegExpExecArray, body: RequestBody, query: URLSearchParams, request: IncomingMessage) => unknown | Promise<unknown>;

export interface EmulatorOptions {
  botToken: string;
  applicationId: string;
  heartbeatIntervalMs?: number;
  /** Guilds beside the one the tests talk in, the bot a member of each (for counts across shards). */
  otherGuilds?: number;
}

export class DiscordEmulator extends EventEmitter {
  readonly botToken: string;
  readonly applicationId: string;
  readonly bot: EmulatedUser;
  readonly guildId = snowflake();
  readonly otherGuildIds: string[];
  readonly channelId = snowflake();
  readonly requests: RecordedRequest[] = [];
  readonly unhandled: string[] = [];
  readonly messages = new Map<string, StoredMessage>();
  readonly interactions = new Map<string, EmulatedInteraction>();
  readonly registeredCommands = new Map<string, unknown[]>();
  private readonly users = new Map<string, EmulatedUser>();
  /** Files users attached to slash commands, by attachment id: served as Discord's CDN serves them. */
  private readonly userFiles = new Map<string, Uint8Array>();
  private readonly server: Server;
  private readonly gateway: GatewayServer;
  private readonly routes: [string, RegExp, Handler][];
  private port = 0;

  constructor(options: EmulatorOptions) {
    super();
    this.setMaxListeners(1000);
    this.botToken = options.botToken;
    this.applicationId = options.applicationId;
    this.bot = { id: options.applicationId, username: 'Motif', bot: true };
    // Their ids one millisecond apart from each other and from the main guild's: with two shards, each shard has some.
    const created = snowflakeTime(this.guildId);
    this.otherGuildIds = Array.from({ length: options.otherGuilds ?? 0 }, (_, i) => snowflake(created + 1 + i));
    this.users.set(this.bot.id, this.bot);
    this.server = createServer((request, response) => void this.handle(request, response));
    this.gateway = new GatewayServer({
      token: options.botToken,
      ready: () => ({
        user: { ...apiMessage({ channelId: '', author: this.bot }).author, verified: true, mfa_enabled: false }, applicationId: this.applicationId,
        guilds: [this.guild(), ...this.otherGuildIds.map((id) => apiGuild(id, apiChannel(snowflake(), id, 'general'), [apiMember(this.bot, new Date().toISOString())], this.bot.id))],
      }),
    }, options.heartbeatIntervalMs ?? 41_250, () => this.gatewayUrl);
    this.server.on('upgrade', (request, socket, head) => this.gateway.upgrade(request, socket, head));
    const id = '([^/]+)';
    this.routes = [
      ['GET', /^\/gateway\/bot$/, (_m, _body, _query, request) => this.gatewayInfo(request)],
      ['POST', new RegExp(`^/interactions/${id}/${id}/callback$`), (m, body, query) => this.interactionCallback(m[1], m[2], body, query)],
      ['PATCH', new RegExp(`^/webhooks/${id}/${id}/messages/${id}$`), (m, body) => this.editWebhookMessage(m[1], m[2], m[3], body)],
      ['GET', new RegExp(`^/webhooks/${id}/${id}/messages/${id}$`), (m) => this.getWebhookMessage(m[1], m[2], m[3])],
      ['POST', new RegExp(`^/webhooks/${id}/${id}$`), (m, body) => this.followup(m[1], m[2], body)],
      ['GET', new RegExp(`^/channels/${id}$`), (m, _body, _query, request) => this.getChannel(m[1], request)],
      ['POST', new RegExp(`^/channels/${id}/messages$`), (m, body, _query, request) => this.createChannelMessage(m[1], body, request)],
      ['GET', new RegExp(`^/channels/${id}/messages/${id}$`), (m, _body, _query, request) => this.getChannelMessage(m[1], m[2], request)],
      ['PATCH', new RegExp(`^/channels/${id}/messages/${id}$`), (m, body, _query, request) => this.editChannelMessage(m[1], m[2], body, request)],
      ['PUT', new RegExp(`^/channels/${id}/messages/${id}/reactions/${id}/@me$`), (m, _body, _query, request) => this.addOwnReaction(m[1], m[2], m[3], request)],
      ['GET', new RegExp(`^/channels/${id}/messages/${id}/reactions/${id}$`), (m, _body, query, request) => this.reactionUsers(m[1], m[2], m[3], query, request)],
      ['PUT', new RegExp(`^/applications/${id}/commands$`), (m, body, _query, request) => this.putCommands(m[1], 'global', body, request)],
      ['PUT', new RegExp(`^/applications/${id}/guilds/${id}/commands$`), (m, body, _query, request) => this.putCommands(m[1], m[2], body, request)],
    ];
  }

  // ---- lifecycle -------------------------------------------------------------------------------------------------

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    await this.gateway.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The REST base for discord.js's `rest.api` option. */
  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api`;
  }

  get gatewayUrl(): string {
    return `ws://127.0.0.1:${this.port}/gateway`;
  }

  get heartbeats(): number {
    return this.gateway.heartbeats;
  }

  get identifies(): number {
    return this.gateway.identifies;
  }

  get connectedClients(): number {
    return this.gateway.connected;
  }

  /** The shards connected, as [id, count]. */
  get shards(): [number, number][] {
    return this.gateway.shards;
  }

  // ---- users act -------------------------------------------------------------------------------------------------

  user(name: string): EmulatedUser {
    const existing = [...this.users.values()].find((user) => user.username === name);
    if (existing) return existing;
    const user = { id: snowflake(), username: name, bot: false };
    this.users.set(user.id, user);
    return user;
  }

  /** A user runs a slash command. `ageMs` makes the interaction older than now (its token dies sooner). */
  slashCommand(user: EmulatedUser, name: string, options: Record<string, string | number> = {}, ageMs = 0): EmulatedInteraction {
    const optionList = Object.entries(options).map(([optionName, value]) => ({
      name: optionName, type: typeof value === 'number' ? 4 : 3, value,
    }));
    return this.dispatchInteraction(user, 2, { id: snowflake(), name, type: 1, options: optionList }, {}, ageMs);
  }

  /**
   * A user runs a slash command with a file in its attachment option `fileOption`. Discord sends the attachment's
   * name, size and a CDN link in `resolved`; the bytes are downloaded from the link. `declaredSize` lets a test lie.
   */
  slashCommandWithFile(
    user: EmulatedUser, name: string, options: Record<string, string | number>, fileOption: string,
    file: { name: string; bytes: Uint8Array; declaredSize?: number },
  ): EmulatedInteraction {
    const id = snowflake();
    this.userFiles.set(id, file.bytes);
    const optionList = [
      ...Object.entries(options).map(([optionName, value]) => ({ name: optionName, type: typeof value === 'number' ? 4 : 3, value })),
      { name: fileOption, type: 11, value: id },
    ];
    const url = `${this.apiUrl.replace(/\/api$/, '')}/cdn/attachments/${id}/${encodeURIComponent(file.name)}`;
    const attachment = { id, filename: file.name, size: file.declaredSize ?? file.bytes.length, url, proxy_url: url };
    return this.dispatchInteraction(user, 2, { id: snowflake(), name, type: 1, options: optionList, resolved: { attachments: { [id]: attachment } } }, {});
  }

  clickButton(user: EmulatedUser, messageId: string, customId: string): EmulatedInteraction {
    const stored = this.mustMessage(messageId);
    return this.dispatchInteraction(user, 3, { custom_id: customId, component_type: 2 }, { message: stored.message });
  }

  submitModal(user: EmulatedUser, customId: string, fields: Record<string, string>, messageId?: string): EmulatedInteraction {
    const components = Object.entries(fields).map(([fieldId, value]) => ({ type: 1, components: [{ type: 4, custom_id: fieldId, value }] }));
    const extra = messageId ? { message: this.mustMessage(messageId).message } : {};
    return this.dispatchInteraction(user, 5, { custom_id: customId, components }, extra);
  }

  /** A user posts in the channel, optionally as a reply (pinging the author unless `ping` is false). */
  userMessage(user: EmulatedUser, content: string, options: { replyTo?: string; ping?: boolean } = {}): ApiMessage {
    const referenced = options.replyTo ? this.messages.get(options.replyTo)?.message : undefined;
    const mentions = new Map<string, EmulatedUser>();
    for (const [, id] of content.matchAll(/<@!?(\d+)>/g)) {
      const mentioned = this.users.get(id);
      if (mentioned) mentions.set(id, mentioned);
    }
    if (referenced && options.ping !== false) {
      const author = this.users.get(referenced.author.id);
      if (author) mentions.set(author.id, author);
    }
    const message = apiMessage({
      channelId: this.channelId, guildId: this.guildId, author: user, content, mentions: [...mentions.values()],
      type: options.replyTo ? 19 : 0,
      reference: options.replyTo ? { message_id: options.replyTo, channel_id: this.channelId, guild_id: this.guildId } : undefined,
      referencedMessage: referenced,
    });
    this.store(message, new Map(), false);
    this.gateway.dispatch('MESSAGE_CREATE', { ...message, member: apiMember(user, new Date().toISOString()) }, (event, intents) => {
      const mentionsBot = event.mentions.some((mentioned: { id: string }) => mentioned.id === this.bot.id);
      if ((intents & MESSAGE_CONTENT_INTENT) === 0 && !mentionsBot) {
        Object.assign(event, { content: '', embeds: [], attachments: [], components: [] });
      }
      return event;
    });
    return message;
  }

  react(user: EmulatedUser, messageId: string, emoji: string): void {
    const stored = this.mustMessage(messageId);
    const users = stored.reactions.get(emoji) ?? new Set<string>();
    users.add(user.id);
    stored.reactions.set(emoji, users);
    this.gateway.dispatch('MESSAGE_REACTION_ADD', {
      user_id: user.id, channel_id: stored.message.channel_id, message_id: messageId, guild_id: this.guildId,
      member: apiMember(user, new Date().toISOString()), emoji: { id: null, name: emoji }, message_author_id: stored.message.author.id,
      burst: false, burst_colors: [], type: 0,
    });
  }

  /** A moderator clears every reaction under a message (MESSAGE_REACTION_REMOVE_ALL). */
  removeAllReactions(messageId: string): void {
    const stored = this.mustMessage(messageId);
    stored.reactions.clear();
    this.gateway.dispatch('MESSAGE_REACTION_REMOVE_ALL', { channel_id: stored.message.channel_id, message_id: messageId, guild_id: this.guildId });
  }

  /** A moderator clears one emoji's reactions (MESSAGE_REACTION_REMOVE_EMOJI). */
  removeEmoji(messageId: string, emoji: string): void {
    const stored = this.mustMessage(messageId);
    stored.reactions.delete(emoji);
    this.gateway.dispatch('MESSAGE_REACTION_REMOVE_EMOJI', {
      channel_id: stored.message.channel_id, message_id: messageId, guild_id: this.guildId, emoji: { id: null, name: emoji },
    });
  }

  /** Someone deletes a message (MESSAGE_DELETE). */
  deleteMessage(messageId: string): void {
    const stored = this.mustMessage(messageId);
    this.messages.delete(messageId);
    this.gateway.dispatch('MESSAGE_DELETE', { id: messageId, channel_id: stored.message.channel_id, guild_id: this.guildId });
  }

  unreact(user: EmulatedUser, messageId: string, emoji: string): void {
    const stored = this.mustMessage(messageId);
    stored.reactions.get(emoji)?.delete(user.id);
    this.gateway.dispatch('MESSAGE_REACTION_REMOVE', {
      user_id: user.id, channel_id: stored.message.channel_id, message_id: messageId, guild_id: this.guildId,
      emoji: { id: null, name: emoji }, burst: false, type: 0,
    });
  }

  // ---- reading back ----------------------------------------------------------------------------------------------

  message(id: string): StoredMessage | undefined {
    return this.messages.get(id);
  }

  original(interaction: EmulatedInteraction): StoredMessage | undefined {
    return interaction.originalId ? this.messages.get(interaction.originalId) : undefined;
  }

  followups(interaction: EmulatedInteraction): StoredMessage[] {
    return interaction.followupIds.map((id) => this.messages.get(id)!);
  }

  /** Messages the bot posted in the channel (not through an interaction), oldest first. */
  channelPosts(): StoredMessage[] {
    return [...this.messages.values()].filter((stored) => stored.message.author.id === this.bot.id && !stored.message.webhook_id);
  }

  repliesTo(messageId: string): StoredMessage[] {
    return [...this.messages.values()].filter((stored) => stored.message.message_reference?.message_id === messageId && stored.message.author.id === this.bot.id);
  }

  /** Resolves with `check()`'s first defined value; re-checks after every request the bot makes. */
  waitFor<T>(check: () => T | undefined | false, timeoutMs: number, what: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const attempt = () => {
        let value: T | undefined | false;
        try {
          value = check();
        } catch (error) {
          finish();
          reject(error);
          return;
        }
        if (value !== undefined && value !== false) {
          finish();
          resolve(value);
        }
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const poll = setInterval(attempt, 100);
      const finish = () => {
        clearTimeout(timer);
        clearInterval(poll);
        this.off('request', attempt);
      };
      this.on('request', attempt);
      attempt();
    });
  }

  // ---- the REST API ----------------------------------------------------------------------------------------------

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const cdn = /^\/cdn\/attachments\/(\d+)\//.exec(url.pathname);
    if (cdn && request.method === 'GET') {
      const bytes = this.userFiles.get(cdn[1]);
      response.writeHead(bytes ? 200 : 404, { 'content-type': 'application/octet-stream' });
      response.end(bytes);
      return;
    }
    const path = url.pathname.replace(/^\/api\/v\d+/, '').split('/').map(decodeURIComponent).join('/');
    const method = request.method ?? 'GET';
    let status = 200;
    let result: unknown;
    let body: RequestBody = { json: undefined, files: [], multipart: false };
    try {
      body = await readBody(Buffer.concat(chunks), request.headers['content-type']);
      const route = this.routes.find(([routeMethod, pattern]) => routeMethod === method && pattern.test(path));
      if (!route) {
        this.unhandled.push(`${method} ${path}`);
        throw new HttpError(404, { code: 0, message: '404: Not Found' });
      }
      result = await route[2](route[1].exec(path)!, body, url.searchParams, request);
      if (result === undefined) status = 204;
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      status = error.status;
      result = error.body;
    }
    this.requests.push({ ...body, method, path, query: url.searchParams, status, at: Date.now() });
    response.writeHead(status, status === 204 ? {} : { 'content-type': 'application/json' });
    response.end(status === 204 ? undefined : JSON.stringify(result));
    this.emit('request');
  }

  private requireBot(request: IncomingMessage): void {
    if (request.headers.authorization !== `Bot ${this.botToken}`) throw new HttpError(401, { code: 0, message: '401: Unauthorized' });
  }

  private gatewayInfo(request: IncomingMessage) {
    this.requireBot(request);
    return { url: this.gatewayUrl, shards: 1, session_start_limit: { total: 1000, remaining: 999, reset_after: 0, max_concurrency: 1 } };
  }

  private guild() {
    const members = [...this.users.values()].map((user) => apiMember(user, new Date().toISOString()));
    return apiGuild(this.guildId, apiChannel(this.channelId, this.guildId, 'music'), members, this.bot.id);
  }

  private getChannel(channelId: string, request: IncomingMessage) {
    this.requireBot(request);
    if (channelId !== this.channelId) throw new HttpError(404, { code: 10003, message: 'Unknown Channel' });
    return apiChannel(this.channelId, this.guildId, 'music');
  }

  private mustMessage(id: string): StoredMessage {
    const stored = this.messages.get(id);
    if (!stored) throw new HttpError(404, { code: 10008, message: 'Unknown Message' });
    return stored;
  }

  private store(message: ApiMessage, files: Map<string, UploadedFile>, ephemeral: boolean): StoredMessage {
    const stored: StoredMessage = { message, files, ephemeral, contents: [message.content], reactions: new Map() };
    this.messages.set(message.id, stored);
    return stored;
  }

  /** Attachments of a new or edited message: those kept by id, then the uploads the payload describes. */
  private attachments(json: Record<string, any>, uploads: UploadedFile[], previous?: StoredMessage): { list: any[]; files: Map<string, UploadedFile> } {
    const files = new Map<string, UploadedFile>();
    const list: any[] = [];
    const described = (json.attachments ?? undefined) as { id: string | number; filename?: string; description?: string }[] | undefined;
    if (previous) {
      const keep = described ? new Set(described.map((entry) => String(entry.id))) : undefined;
      for (const attachment of previous.message.attachments as any[]) {
        if (keep && !keep.has(attachment.id)) continue;
        list.push(attachment);
        files.set(attachment.id, previous.files.get(attachment.id)!);
      }
    }
    uploads.forEach((upload, index) => {
      const slot = Number(/^files\[(\d+)\]$/.exec(upload.field)?.[1] ?? index);
      const description = described?.find((entry) => Number(entry.id) === slot);
      const id = snowflake();
      files.set(id, upload);
      list.push({
        id, filename: description?.filename ?? upload.name, size: upload.bytes.length, content_type: upload.contentType,
        url: `${this.apiUrl}/attachments/${id}/${upload.name}`, proxy_url: `${this.apiUrl}/attachments/${id}/${upload.name}`,
        ...(description?.description ? { description: description.description } : {}),
      });
    });
    return { list, files };
  }

  private createMessage(json: Record<string, any>, uploads: UploadedFile[], extra: Partial<Parameters<typeof apiMessage>[0]>): StoredMessage {
    const { list, files } = this.attachments(json, uploads);
    const reference = json.message_reference as { message_id: string } | undefined;
    const flags = (json.flags ?? 0) as number;
    const message = apiMessage({
      channelId: this.channelId, guildId: this.guildId, author: this.bot, content: json.content ?? '', embeds: json.embeds ?? [],
      components: json.components ?? [], attachments: list, flags,
      type: reference ? 19 : 0,
      reference: reference ? { message_id: reference.message_id, channel_id: this.channelId, guild_id: this.guildId } : undefined,
      referencedMessage: reference ? this.messages.get(reference.message_id)?.message : undefined,
      ...extra,
    });
    const stored = this.store(message, files, (flags & EPHEMERAL) !== 0);
    if (!stored.ephemeral) this.gateway.dispatch('MESSAGE_CREATE', message);
    return stored;
  }

  private editMessage(stored: StoredMessage, json: Record<string, any>, uploads: UploadedFile[]): ApiMessage {
    const { list, files } = this.attachments(json, uploads, stored);
    const message = stored.message;
    if ('content' in json) message.content = json.content ?? '';
    if ('embeds' in json) message.embeds = json.embeds ?? [];
    if ('components' in json) message.components = json.components ?? [];
    message.attachments = list;
    message.flags &= ~LOADING;
    message.edited_timestamp = new Date().toISOString() as never;
    stored.files = files;
    stored.contents.push(message.content);
    return message;
  }

  private createChannelMessage(channelId: string, body: RequestBody, request: IncomingMessage) {
    this.requireBot(request);
    if (channelId !== this.channelId) throw new HttpError(404, { code: 10003, message: 'Unknown Channel' });
    return this.createMessage(body.json ?? {}, body.files, {}).message;
  }

  private getChannelMessage(channelId: string, messageId: string, request: IncomingMessage) {
    this.requireBot(request);
    const stored = this.mustMessage(messageId);
    if (stored.message.channel_id !== channelId || stored.ephemeral) throw new HttpError(404, { code: 10008, message: 'Unknown Message' });
    return { ...stored.message, reactions: this.reactionSummary(stored) };
  }

  /** A message's reactions as Discord sums them up: each emoji, how many, and whether the bot is among them. */
  private reactionSummary(stored: StoredMessage) {
    return [...stored.reactions].filter(([, users]) => users.size > 0).map(([emoji, users]) => ({
      emoji: { id: null, name: emoji }, count: users.size, count_details: { burst: 0, normal: users.size },
      me: users.has(this.bot.id), me_burst: false, burst_colors: [],
    }));
  }

  /** Who reacted with an emoji, by id, after `after`, at most `limit` (25 by default, 100 at most), as Discord pages them. */
  private reactionUsers(channelId: string, messageId: string, emoji: string, query: URLSearchParams, request: IncomingMessage) {
    this.requireBot(request);
    const stored = this.mustMessage(messageId);
    if (stored.message.channel_id !== channelId) throw new HttpError(404, { code: 10008, message: 'Unknown Message' });
    const after = BigInt(query.get('after') ?? '0');
    const limit = Math.min(100, Number(query.get('limit') ?? 25));
    return [...(stored.reactions.get(emoji) ?? [])].map(BigInt).filter((id) => id > after).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
      .slice(0, limit).map((id) => apiUser(this.users.get(String(id))!));
  }

  private editChannelMessage(channelId: string, messageId: string, body: RequestBody, request: IncomingMessage) {
    this.requireBot(request);
    const stored = this.mustMessage(messageId);
    if (stored.message.channel_id !== channelId) throw new HttpError(404, { code: 10008, message: 'Unknown Message' });
    if (stored.message.author.id !== this.bot.id) throw new HttpError(403, { code: 50005, message: 'Cannot edit a message authored by another user' });
    return this.editMessage(stored, body.json ?? {}, body.files);
  }

  private addOwnReaction(channelId: string, messageId: string, emoji: string, request: IncomingMessage): undefined {
    this.requireBot(request);
    const stored = this.mustMessage(messageId);
    if (stored.ephemeral || stored.message.channel_id !== channelId) throw new HttpError(404, { code: 10008, message: 'Unknown Message' });
    const users = stored.reactions.get(emoji) ?? new Set<string>();
    users.add(this.bot.id);
    stored.reactions.set(emoji, users);
    // Discord tells the bot about its own reactions too.
    this.gateway.dispatch('MESSAGE_REACTION_ADD', {
      user_id: this.bot.id, channel_id: channelId, message_id: messageId, guild_id: this.guildId,
      member: apiMember(this.bot, new Date().toISOString()), emoji: { id: null, name: emoji }, message_author_id: this.bot.id,
      burst: false, burst_colors: [], type: 0,
    });
    return undefined;
  }

  private putCommands(applicationId: string, scope: string, body: RequestBody, request: IncomingMessage) {
    this.requireBot(request);
    if (applicationId !== this.applicationId) throw new HttpError(403, { code: 50001, message: 'Missing Access' });
    const commands = ((body.json as unknown as any[]) ?? []).map((command) => ({ ...command, id: snowflake(), application_id: applicationId, version: snowflake() }));
    this.registeredCommands.set(scope, commands);
    return commands;
  }

  // ---- interactions ----------------------------------------------------------------------------------------------

  private dispatchInteraction(user: EmulatedUser, type: number, data: unknown, extra: Record<string, unknown>, ageMs = 0): EmulatedInteraction {
    const interaction: EmulatedInteraction = {
      id: snowflake(Date.now() - ageMs), token: `aW50ZXJhY3Rpb24${randomBytes(48).toString('base64url')}`, type, user,
      dispatchedAt: Date.now(), followupIds: [], timeline: [],
    };
    this.interactions.set(interaction.token, interaction);
    this.gateway.dispatch('INTERACTION_CREATE', {
      id: interaction.id, application_id: this.applicationId, type, token: interaction.token, version: 1, data,
      guild_id: this.guildId, guild: { id: this.guildId, locale: 'en-US', features: [] },
      channel: apiChannel(this.channelId, this.guildId, 'music'), channel_id: this.channelId,
      member: apiMember(user, new Date().toISOString()), app_permissions: '2248473465835073', locale: 'en-US', guild_locale: 'en-US',
      entitlements: [], authorizing_integration_owners: { 0: this.guildId }, context: 0, attachment_size_limit: 10 * 1024 * 1024,
      ...extra,
    });
    return interaction;
  }

  private webhookInteraction(applicationId: string, token: string): EmulatedInteraction {
    const interaction = this.interactions.get(token);
    if (applicationId !== this.applicationId || !interaction || Date.now() - snowflakeTime(interaction.id) > INTERACTION_LIFETIME_MS) {
      throw new HttpError(401, { code: 50027, message: 'Invalid Webhook Token' });
    }
    return interaction;
  }

  private interactionCallback(id: string, token: string, body: RequestBody, query: URLSearchParams) {
    const interaction = this.interactions.get(token);
    if (!interaction || interaction.id !== id || Date.now() - interaction.dispatchedAt > ACK_DEADLINE_MS) {
      throw new HttpError(404, { code: 10062, message: 'Unknown interaction' });
    }
    if (interaction.callback) throw new HttpError(400, { code: 40060, message: 'Interaction has already been acknowledged.' });
    const { type, data } = (body.json ?? {}) as { type: number; data?: any };
    interaction.callback = { type, data };
    interaction.timeline.push(`callback:${type}`);
    const metadata = { id: interaction.id, type: interaction.type, user: apiMessage({ channelId: '', author: interaction.user }).author, authorizing_integration_owners: {} };
    let created: StoredMessage | undefined;
    if (type === 4 || type === 5) {
      const json = type === 5 ? { flags: (data?.flags ?? 0) | LOADING } : (data ?? {});
      created = this.createMessage(json, body.files, { webhookId: this.applicationId, applicationId: this.applicationId, interactionMetadata: metadata, type: 20 });
      interaction.originalId = created.message.id;
    } else if (type !== 9 && type !== 6 && type !== 7) {
      throw new HttpError(400, { code: 50035, message: `Invalid interaction callback type ${type}` });
    }
    if (query.get('with_response') !== 'true') return undefined;
    return { interaction: { id, type: interaction.type, response_message_id: created?.message.id }, resource: { type, ...(created ? { message: created.message } : {}) } };
  }

  private editWebhookMessage(applicationId: string, token: string, messageId: string, body: RequestBody) {
    const interaction = this.webhookInteraction(applicationId, token);
    const id = messageId === '@original' ? interaction.originalId : messageId;
    if (!id || (id !== interaction.originalId && !interaction.followupIds.includes(id))) throw new HttpError(404, { code: 10008, message: 'Unknown Message' });
    interaction.timeline.push(messageId === '@original' ? 'edit' : 'edit-followup');
    return this.editMessage(this.mustMessage(id), body.json ?? {}, body.files);
  }

  private getWebhookMessage(applicationId: string, token: string, messageId: string) {
    const interaction = this.webhookInteraction(applicationId, token);
    const id = messageId === '@original' ? interaction.originalId : messageId;
    if (!id) throw new HttpError(404, { code: 10008, message: 'Unknown Message' });
    return this.mustMessage(id).message;
  }

  private followup(applicationId: string, token: string, body: RequestBody) {
    const interaction = this.webhookInteraction(applicationId, token);
    if (!interaction.callback) throw new HttpError(404, { code: 10015, message: 'Unknown Webhook' });
    const created = this.createMessage(body.json ?? {}, body.files, { webhookId: this.applicationId, applicationId: this.applicationId });
    interaction.followupIds.push(created.message.id);
    interaction.timeline.push('followup');
    return created.message;
  }
}
