/** Discord API objects (v10) as the emulator sends them: users, a guild with one text channel, members, messages. */
import { snowflake } from './snowflake.ts';

export interface EmulatedUser {
  id: string;
  username: string;
  bot: boolean;
}

export function apiUser(user: EmulatedUser) {
  return {
    id: user.id, username: user.username, global_name: user.username, discriminator: '0', avatar: null, bot: user.bot,
    public_flags: 0, flags: 0, banner: null, accent_color: null, avatar_decoration_data: null,
  };
}

export function apiMember(user: EmulatedUser, joinedAt: string) {
  return {
    user: apiUser(user), roles: [], joined_at: joinedAt, deaf: false, mute: false, flags: 0, pending: false, nick: null,
    avatar: null, premium_since: null, communication_disabled_until: null, permissions: '2248473465835073',
  };
}

export function apiChannel(id: string, guildId: string, name: string) {
  return {
    id, type: 0, guild_id: guildId, name, position: 0, permission_overwrites: [], nsfw: false, parent_id: null,
    rate_limit_per_user: 0, topic: null, last_message_id: null, flags: 0,
  };
}

export function apiGuild(guildId: string, channel: ReturnType<typeof apiChannel>, members: ReturnType<typeof apiMember>[], ownerId: string) {
  const joinedAt = new Date().toISOString();
  return {
    id: guildId, name: 'Motif test server', icon: null, splash: null, discovery_splash: null, owner_id: ownerId,
    afk_channel_id: null, afk_timeout: 300, verification_level: 0, default_message_notifications: 0, explicit_content_filter: 0,
    roles: [{
      id: guildId, name: '@everyone', color: 0, colors: { primary_color: 0, secondary_color: null, tertiary_color: null }, hoist: false,
      icon: null, unicode_emoji: null, position: 0, permissions: '2248473465835073', managed: false, mentionable: false, flags: 0,
    }],
    emojis: [], stickers: [], features: [], mfa_level: 0, application_id: null, system_channel_id: null, system_channel_flags: 0,
    rules_channel_id: null, vanity_url_code: null, description: null, banner: null, premium_tier: 0, premium_subscription_count: 0,
    preferred_locale: 'en-US', public_updates_channel_id: null, nsfw_level: 0, premium_progress_bar_enabled: false,
    safety_alerts_channel_id: null, max_members: 500000, max_video_channel_users: 25,
    joined_at: joinedAt, large: false, unavailable: false, member_count: members.length, voice_states: [], members, channels: [channel],
    threads: [], presences: [], stage_instances: [], guild_scheduled_events: [], soundboard_sounds: [],
  };
}

export interface MessageInit {
  id?: string;
  channelId: string;
  guildId?: string;
  author: EmulatedUser;
  content?: string;
  embeds?: unknown[];
  components?: unknown[];
  attachments?: unknown[];
  flags?: number;
  type?: number;
  mentions?: EmulatedUser[];
  reference?: { message_id: string; channel_id: string; guild_id?: string };
  referencedMessage?: unknown;
  webhookId?: string;
  interactionMetadata?: unknown;
  applicationId?: string;
}

export function apiMessage(init: MessageInit) {
  return {
    id: init.id ?? snowflake(), channel_id: init.channelId, ...(init.guildId ? { guild_id: init.guildId } : {}),
    author: apiUser(init.author), content: init.content ?? '', timestamp: new Date().toISOString(), edited_timestamp: null,
    tts: false, mention_everyone: false, mentions: (init.mentions ?? []).map(apiUser), mention_roles: [], mention_channels: [],
    attachments: init.attachments ?? [], embeds: init.embeds ?? [], components: init.components ?? [], reactions: [],
    pinned: false, type: init.type ?? 0, flags: init.flags ?? 0,
    ...(init.reference ? { message_reference: { type: 0, ...init.reference }, referenced_message: init.referencedMessage ?? null } : {}),
    ...(init.webhookId ? { webhook_id: init.webhookId } : {}),
    ...(init.applicationId ? { application_id: init.applicationId } : {}),
    ...(init.interactionMetadata ? { interaction_metadata: init.interactionMetadata } : {}),
  };
}

export type ApiMessage = ReturnType<typeof apiMessage>;
