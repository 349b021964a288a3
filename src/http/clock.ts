import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/**
 * Where the app learns the time. Anything that needs "now" or "today" asks the clock on each
 * request, never once at start: a year or quarter computed at start goes stale at midnight on
 * 31 March and stays stale until a restart. Tests pass a clock they move themselves.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

declare module 'fastify' {
  interface FastifyInstance {
    clock: Clock;
  }
}

export const clockPlugin = fp(
  async (app: FastifyInstance, options: { clock: Clock }) => {
    app.decorate('clock', options.clock);
  },
  { name: 'clock' },
);
