/**
 * The emulator's gateway: HELLO on connect, IDENTIFY answered with READY and the guilds, heartbeats acknowledged,
 * and dispatches (sequence-numbered) to every identified connection. A wrong token closes with 4004, as Discord does.
 * Sharding as Discord does it: a connection identifies as shard [id, count] and gets the guilds whose
 * (guild_id >> 22) % count is its id, and only their events; events without a guild (DMs) go to shard 0.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';

export interface GatewayIdentity {
  token: string;
  ready: () => { user: unknown; applicationId: string; guilds: unknown[] };
}

interface Session {
  socket: WebSocket;
  sequence: number;
  identified: boolean;
  intents: number;
  shard: [number, number];
}

/** The shard a guild's events go to. */
export function shardOf(guildId: string, count: number): number {
  return Number((BigInt(guildId) >> 22n) % BigInt(count));
}

export class GatewayServer {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly sessions = new Set<Session>();
  heartbeats = 0;
  identifies = 0;
  /** The intents of the last IDENTIFY. */
  intents = 0;

  constructor(private readonly identity: GatewayIdentity, private readonly heartbeatIntervalMs: number, private readonly url: () => string) {
    this.wss.on('connection', (socket) => this.accept(socket));
  }

  upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(request, socket, head, (ws) => this.wss.emit('connection', ws, request));
  }

  get connected(): number {
    return [...this.sessions].filter((session) => session.identified).length;
  }

  private accept(socket: WebSocket): void {
    const session: Session = { socket, sequence: 0, identified: false, intents: 0, shard: [0, 1] };
    this.sessions.add(session);
    socket.on('close', () => this.sessions.delete(session));
    socket.on('message', (data) => this.receive(session, JSON.parse(data.toString())));
    this.send(session, { op: 10, d: { heartbeat_interval: this.heartbeatIntervalMs }, s: null, t: null });
  }

  private send(session: Session, payload: unknown): void {
    if (session.socket.readyState === WebSocket.OPEN) session.socket.send(JSON.stringify(payload));
  }

  private dispatchTo(session: Session, t: string, d: unknown): void {
    session.sequence += 1;
    this.send(session, { op: 0, t, s: session.sequence, d });
  }

  private receive(session: Session, payload: { op: number; d: any }): void {
    switch (payload.op) {
      case 1:
        this.heartbeats += 1;
        this.send(session, { op: 11, d: null, s: null, t: null });
        break;
      case 2: {
        if (payload.d.token !== this.identity.token) {
          session.socket.close(4004, 'Authentication failed.');
          return;
        }
        this.identifies += 1;
        session.identified = true;
        session.intents = payload.d.intents;
        session.shard = payload.d.shard ?? [0, 1];
        this.intents = payload.d.intents;
        const { user, applicationId } = this.identity.ready();
        const guilds = this.identity.ready().guilds.filter((guild) => this.owns(session, (guild as { id: string }).id));
        this.dispatchTo(session, 'READY', {
          v: 10, user, session_id: randomUUID(), resume_gateway_url: this.url(), shard: session.shard,
          guilds: guilds.map((guild) => ({ id: (guild as { id: string }).id, unavailable: true })),
          application: { id: applicationId, flags: 0 }, private_channels: [], relationships: [], presences: [],
          user_settings: {}, guild_join_requests: [], geo_ordered_rtc_regions: [],
        });
        for (const guild of guilds) this.dispatchTo(session, 'GUILD_CREATE', guild);
        break;
      }
      case 6:
        // No resuming here: the client identifies again.
        this.send(session, { op: 9, d: false, s: null, t: null });
        break;
      default:
        break;
    }
  }

  /** The shards identified, as [id, count]. */
  get shards(): [number, number][] {
    return [...this.sessions].filter((session) => session.identified).map((session) => session.shard);
  }

  private owns(session: Session, guildId: string | undefined): boolean {
    const [id, count] = session.shard;
    return guildId === undefined ? id === 0 : shardOf(guildId, count) === id;
  }

  /** Sends an event to the connections of its guild's shard; `shape` may tailor it to a session's intents. */
  dispatch(t: string, d: unknown, shape?: (d: any, intents: number) => unknown): void {
    const guildId = (d as { guild_id?: string }).guild_id;
    for (const session of this.sessions) {
      if (session.identified && this.owns(session, guildId)) this.dispatchTo(session, t, shape ? shape(structuredClone(d), session.intents) : d);
    }
  }

  async close(): Promise<void> {
    for (const session of this.sessions) session.socket.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}
