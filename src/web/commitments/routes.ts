import type { FastifyInstance } from 'fastify';
export async function commitmentPages(_app: FastifyInstance): Promise<void> {}
