import type { FastifyInstance } from 'fastify';
export async function programmePages(_app: FastifyInstance): Promise<void> {}
